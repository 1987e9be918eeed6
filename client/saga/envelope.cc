#include "choreo/saga/envelope.h"

#include "choreo/common/rfc3339.h"
#include "client/saga/event_codec.h"

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <random>

namespace choreo::saga {
namespace {

// One generator per thread: ids are made on handler threads concurrently, and a shared one would
// need a lock. Seeded from the OS so processes and restarts never repeat each other's ids.
std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return rng;
}

std::string RandomHex(size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digits);
  while (out.size() < digits) {
    uint64_t bits = Rng()();
    for (int i = 0; i < 16 && out.size() < digits; ++i, bits >>= 4)
      out.push_back(kHex[bits & 0xf]);
  }
  return out;
}

// A random id of `digits` hex digits that is not all zeros (W3C forbids all-zero ids).
std::string NonZeroHex(size_t digits) {
  while (true) {
    std::string hex = RandomHex(digits);
    if (hex.find_first_not_of('0') != std::string::npos) return hex;
  }
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZero(std::string_view s) {
  return s.find_first_not_of('0') == std::string_view::npos;
}

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

bool ParseInt(std::string_view text, int* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// W3C traceparent: version "-" trace-id "-" parent-id "-" flags; a future version may append
// fields after them. Lowercase hex, ids not all zero, version not ff.
bool IsValidTraceParent(std::string_view traceparent) {
  if (traceparent.size() < 55) return false;
  const std::string_view version = traceparent.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return false;
  if (version == "00" && traceparent.size() != 55) return false;
  if (traceparent.size() > 55 && traceparent[55] != '-') return false;
  if (traceparent[2] != '-' || traceparent[35] != '-' || traceparent[52] != '-') return false;
  const std::string_view trace_id = traceparent.substr(3, 32);
  const std::string_view span_id = traceparent.substr(36, 16);
  if (!IsLowerHex(trace_id) || !IsLowerHex(span_id) || !IsLowerHex(traceparent.substr(53, 2)))
    return false;
  return !AllZero(trace_id) && !AllZero(span_id);
}

// "...:v3" -> 3; 1 when absent or malformed.
int SchemaVersionOf(std::string_view data_schema) {
  const size_t colon = data_schema.rfind(":v");
  if (colon == std::string_view::npos) return 1;
  int version = 0;
  if (!ParseInt(data_schema.substr(colon + 2), &version) || version < 1) return 1;
  return version;
}

}  // namespace

TraceContext TraceContext::NewTrace() {
  TraceContext trace;
  trace.trace_id = NonZeroHex(32);
  trace.span_id = NonZeroHex(16);
  return trace;
}

TraceContext TraceContext::NewSpan() const {
  TraceContext next = *this;
  if (next.trace_id.empty()) next.trace_id = NonZeroHex(32);
  next.span_id = NonZeroHex(16);
  return next;
}

std::string TraceContext::TraceParent() const {
  char flags_hex[3];
  std::snprintf(flags_hex, sizeof flags_hex, "%02x", flags);
  return "00-" + trace_id + "-" + span_id + "-" + flags_hex;
}

std::optional<TraceContext> TraceContext::Parse(std::string_view traceparent,
                                                std::string_view tracestate) {
  if (!IsValidTraceParent(traceparent)) return std::nullopt;
  TraceContext trace;
  trace.trace_id = std::string(traceparent.substr(3, 32));
  trace.span_id = std::string(traceparent.substr(36, 16));
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  trace.flags = static_cast<uint8_t>(nibble(traceparent[53]) << 4 | nibble(traceparent[54]));
  trace.state = std::string(tracestate);
  return trace;
}

int Envelope::SchemaVersion() const {
  return SchemaVersionOf(data_schema);
}

std::string DataSchemaFor(std::string_view type, int version) {
  return "urn:choreo:schema:" + std::string(type) + ":v" + std::to_string(version);
}

std::vector<Header> EnvelopeHeaders(const Envelope& envelope) {
  internal::EnvelopeHeaderViews views;
  internal::ViewEnvelopeHeaders(envelope, &views);
  std::vector<Header> out;
  out.reserve(views.count);
  for (const proto::HeaderView& h : views)
    out.push_back(Header{std::string(h.key), std::string(h.value)});
  return out;
}

std::optional<std::string_view> FindHeader(const std::vector<Header>& headers,
                                           std::string_view key) {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->key == key) return std::string_view(it->value);
  }
  return std::nullopt;
}

namespace internal {

Status ReadEventView(const std::vector<Header>& record_headers, EventView* e) {
  // One pass over the headers (the last occurrence of a key wins, as in FindHeader): this runs for
  // every event a service consumes.
  *e = EventView{};
  std::string_view time;
  bool has_time = false;
  for (const Header& h : record_headers) {
    const std::string_view k = h.key;
    if (k.size() > 3 && k[0] == 'c' && k[1] == 'e' && k[2] == '_') {
      const std::string_view name = k.substr(3);
      if (name == "id") {
        e->id = h.value;
      } else if (name == "type") {
        e->type = h.value;
      } else if (name == "source") {
        e->source = h.value;
      } else if (name == "specversion") {
        e->spec_version = h.value;
      } else if (name == "time") {
        time = h.value;
        has_time = true;
      } else if (name == "datacontenttype") {
        e->content_type = h.value;
      } else if (name == "dataschema") {
        e->data_schema = h.value;
      } else if (name == "correlationid") {
        e->saga_id = h.value;
      } else if (name == "causationid") {
        e->causation_id = h.value;
      }
    } else if (k == headers::kTraceParent) {
      e->traceparent = h.value;
    } else if (k == headers::kTraceState) {
      e->tracestate = h.value;
    }
  }
  if (e->spec_version.empty() || e->id.empty() || e->type.empty()) {
    return Invalid("not a saga event: ce_specversion, ce_id and ce_type are required");
  }
  if (e->spec_version != "1.0" && e->spec_version.substr(0, 2) != "1.") {
    return Invalid("unsupported CloudEvents spec version '" + std::string(e->spec_version) + "'");
  }
  if (has_time) {
    Result<int64_t> ms = ParseRfc3339(time);
    if (!ms.ok()) {
      return Invalid("event " + std::string(e->id) + ": bad ce_time: " + ms.status().message());
    }
    e->time_ms = *ms;
  }
  // A malformed traceparent is ignored, as W3C requires.
  if (!e->traceparent.empty() && !IsValidTraceParent(e->traceparent)) e->traceparent = {};
  return OkStatus();
}

int EventView::SchemaVersion() const {
  return SchemaVersionOf(data_schema);
}

Envelope EventView::ToEnvelope() const {
  Envelope envelope;
  envelope.id = std::string(id);
  envelope.source = std::string(source);
  envelope.type = std::string(type);
  envelope.spec_version = std::string(spec_version);
  envelope.time_ms = time_ms;
  envelope.content_type = std::string(content_type);
  envelope.data_schema = std::string(data_schema);
  envelope.saga_id = std::string(saga_id);
  envelope.causation_id = std::string(causation_id);
  if (!traceparent.empty()) {
    if (std::optional<TraceContext> trace = TraceContext::Parse(traceparent, tracestate)) {
      envelope.trace = std::move(*trace);
    }
  }
  return envelope;
}

std::string NewSpanId() {
  return NonZeroHex(16);
}

}  // namespace internal

Result<Envelope> ReadEnvelope(const std::vector<Header>& record_headers) {
  internal::EventView view;
  if (Status s = internal::ReadEventView(record_headers, &view); !s.ok()) return s;
  return view.ToEnvelope();
}

std::string NewEventId() {
  std::string hex = RandomHex(32);
  hex[12] = '4';                                                        // version 4
  hex[16] = "89ab"[std::string("0123456789abcdef").find(hex[16]) & 3];  // variant 10xx
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string FormatRfc3339(int64_t time_ms) {
  return FormatRfc3339Millis(time_ms);
}

Result<int64_t> ParseRfc3339(std::string_view text) {
  std::optional<int64_t> ms = ParseRfc3339Millis(text);
  if (!ms) {
    return Invalid("'" + std::string(text) +
                   "' is not an RFC 3339 time (YYYY-MM-DDTHH:MM:SS[.fff] then Z or +hh:mm)");
  }
  return *ms;
}

}  // namespace choreo::saga

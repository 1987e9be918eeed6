#include "broker/handlers/envelope_fields.h"

#include <optional>
#include <string>

#include "choreo/common/rfc3339.h"
#include "choreo/proto/record_wire.h"

namespace choreo::broker {
namespace {

// Header names of the saga envelope (client/include/choreo/saga/envelope.h) and of dead-letter
// copies (client/include/choreo/saga/dead_letters.h); the broker does not link the saga library.
constexpr std::string_view kId = "ce_id";
constexpr std::string_view kType = "ce_type";
constexpr std::string_view kSpecVersion = "ce_specversion";
constexpr std::string_view kSource = "ce_source";
constexpr std::string_view kTime = "ce_time";
constexpr std::string_view kCorrelationId = "ce_correlationid";
constexpr std::string_view kCausationId = "ce_causationid";
constexpr std::string_view kDlqKind = "choreo_dlq_kind";

struct EnvelopeViews {
  std::string_view id, type, source, time, saga_id, causation_id, dlq_kind;
  bool has_spec_version = false;
};

bool Fits(std::string_view s) {
  return s.size() <= storage::kMaxIndexedFieldBytes;
}

}  // namespace

std::shared_ptr<const std::vector<storage::IndexedEventFields>> ExtractIndexedEvents(
    std::string_view batch) {
  proto::BatchView view;
  std::string scratch, error;
  std::string_view payload;
  if (proto::OpenBatch(batch, &view, &scratch, &payload, &error) != proto::NONE) return nullptr;
  std::shared_ptr<std::vector<storage::IndexedEventFields>> events;
  uint32_t delta = 0;
  proto::ForEachRecord(payload, [&](const proto::RecordView& record) {
    EnvelopeViews e;
    proto::ForEachHeader(record.headers_encoded, [&](const proto::HeaderView& h) {
      // Cheap reject first: every header this looks at starts with "ce_" or "choreo_".
      if (h.key.size() < 5 || (h.key[0] != 'c')) return;
      if (h.key == kId)
        e.id = h.value;
      else if (h.key == kType)
        e.type = h.value;
      else if (h.key == kSpecVersion)
        e.has_spec_version = true;
      else if (h.key == kSource)
        e.source = h.value;
      else if (h.key == kTime)
        e.time = h.value;
      else if (h.key == kCorrelationId)
        e.saga_id = h.value;
      else if (h.key == kCausationId)
        e.causation_id = h.value;
      else if (h.key == kDlqKind)
        e.dlq_kind = h.value;
    });
    const uint32_t offset_delta = delta++;
    if (e.id.empty() || e.type.empty() || !e.has_spec_version) return;
    if (!Fits(e.id) || !Fits(e.type) || !Fits(e.source) || !Fits(e.saga_id) ||
        !Fits(e.causation_id) || !Fits(e.dlq_kind)) {
      return;
    }
    if (events == nullptr) events = std::make_shared<std::vector<storage::IndexedEventFields>>();
    storage::IndexedEventFields& f = events->emplace_back();
    f.offset_delta = offset_delta;
    std::optional<int64_t> time = e.time.empty() ? std::nullopt : ParseRfc3339Millis(e.time);
    f.time_ms = time.value_or(record.timestamp_ms);
    f.type = e.type;
    f.source = e.source;
    f.event_id = e.id;
    f.saga_id = e.saga_id;
    f.causation_id = e.causation_id;
    if (Fits(record.key)) f.key = record.key;
    f.dlq_kind = e.dlq_kind;
  });
  return events;
}

}  // namespace choreo::broker

// Encoding saga events: protobuf payloads in binary or JSON, envelopes, and the record that carries
// both. Shared by Publisher and the service's HandlerContext so both publish identical records.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/proto/record_wire.h"
#include "choreo/saga/envelope.h"
#include "choreo/saga/events.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace choreo::saga::internal {

// A payload ready to be put in a record, with what the envelope says about it.
struct EncodedPayload {
  std::string type;
  std::string content_type;
  std::string payload;
  int schema_version = 1;
};

// Serializes `message` as `encoding`. Errors: kInvalidArgument (missing required fields in a
// proto2 message, or a message the JSON printer rejects).
Result<EncodedPayload> EncodeMessage(const google::protobuf::Message& message, Encoding encoding,
                                     const EventOptions& options);
EncodedPayload EncodeRaw(const RawEvent& event);

// Parses `payload` into `message` by content type: protobuf binary (application/protobuf,
// application/x-protobuf, or empty) or JSON (application/json, unknown fields ignored so that a
// newer publisher's additions do not break an older handler). Errors: kInvalidArgument (another
// content type, or undecodable).
Status DecodeMessage(std::string_view content_type, std::string_view payload,
                     google::protobuf::Message* message);

std::string TopicFor(const EventOptions& options, std::string_view type,
                     const PublishOptions& publish);

// The envelope of a new event: new id, now, `payload`'s type and schema.
Envelope NewEnvelope(const EventOptions& options, const EncodedPayload& payload,
                     std::string_view saga_id, int64_t now_ms);

// The record: key = saga id, value = payload, headers = envelope.
Record MakeEventRecord(const Envelope& envelope, std::string payload);
// The same record, encoded straight into a batch payload entry (proto::AppendRecord) without
// building header strings: the form a handler's outputs take (StepOutput::encoded).
std::string EncodeEventRecord(const Envelope& envelope, std::string_view payload);

// The attributes of an envelope as views, in the order they are written as headers.
struct EnvelopeRef {
  std::string_view spec_version = "1.0";
  std::string_view id;
  std::string_view source;
  std::string_view type;
  std::string_view time;  // RFC 3339
  std::string_view content_type;
  std::string_view data_schema;
  std::string_view saga_id;
  std::string_view causation_id;
  std::string_view traceparent;
  std::string_view tracestate;
};

// The headers of an envelope as views: the one list of headers every encoder uses (optional ones
// left out when empty). Holds the formatted time and traceparent of an Envelope it was made from.
struct EnvelopeHeaderViews {
  std::string time;
  std::string traceparent;
  std::array<proto::HeaderView, 11> views;
  size_t count = 0;

  const proto::HeaderView* begin() const { return views.data(); }
  const proto::HeaderView* end() const { return views.data() + count; }
};
void ViewEnvelopeHeaders(const EnvelopeRef& envelope, EnvelopeHeaderViews* out);
void ViewEnvelopeHeaders(const Envelope& envelope, EnvelopeHeaderViews* out);

// A consumed event's envelope as views into its record's headers: what the hot path needs without
// copying strings. An Envelope (with its strings) is built only when a handler asks for one.
struct EventView {
  std::string_view id;
  std::string_view source;
  std::string_view type;
  std::string_view spec_version;
  std::string_view content_type;
  std::string_view data_schema;
  std::string_view saga_id;
  std::string_view causation_id;
  std::string_view traceparent;  // empty unless valid
  std::string_view tracestate;
  int64_t time_ms = 0;

  // The version in data_schema; 1 when absent.
  int SchemaVersion() const;
  std::string_view trace_id() const { return traceparent.substr(3, 32); }
  Envelope ToEnvelope() const;
};

// Reads the view with ReadEnvelope's rules (same errors). The views point into `headers`, which
// must stay where they are (not moved: short strings live inside the std::string) while it is used.
Status ReadEventView(const std::vector<Header>& headers, EventView* out);

// The record entry of an event a handler publishes in reaction to `cause`: a new id, now, the same
// saga (`saga_id`) and trace with a new span, caused by `cause`.
std::string EncodeChildEvent(const EventView& cause, std::string_view saga_id,
                             const EncodedPayload& payload, const EventOptions& options,
                             int64_t now_ms);

// The little the dispatcher needs to route an event: its type and saga id, without validating
// the rest (the worker reads the whole envelope). False when ce_specversion, ce_id or ce_type is
// missing.
bool PeekEvent(const std::vector<Header>& headers, std::string_view* type,
               std::string_view* saga_id);

// A random W3C span id (16 hex digits, not all zero).
std::string NewSpanId();

int64_t NowMs();

}  // namespace choreo::saga::internal

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

// The envelope's headers, in EnvelopeHeaders' order, as views into the envelope and into the
// formatted time and traceparent kept here. The one list of headers every encoder uses.
struct EnvelopeHeaderViews {
  std::string time;
  std::string traceparent;
  std::array<proto::HeaderView, 11> views;
  size_t count = 0;

  const proto::HeaderView* begin() const { return views.data(); }
  const proto::HeaderView* end() const { return views.data() + count; }
};
void ViewEnvelopeHeaders(const Envelope& envelope, EnvelopeHeaderViews* out);

int64_t NowMs();

}  // namespace choreo::saga::internal

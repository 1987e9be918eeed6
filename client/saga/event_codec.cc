#include "client/saga/event_codec.h"

#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <chrono>

namespace choreo::saga::internal {

Result<EncodedPayload> EncodeMessage(const google::protobuf::Message& message, Encoding encoding,
                                     const EventOptions& options) {
  EncodedPayload out;
  out.type = message.GetDescriptor()->full_name();
  auto version = options.schema_versions.find(out.type);
  out.schema_version = version == options.schema_versions.end() ? 1 : version->second;
  if (encoding == Encoding::kJson) {
    out.content_type = std::string(kJsonContentType);
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    auto status = google::protobuf::util::MessageToJsonString(message, &out.payload, print);
    if (!status.ok()) {
      return Status(ErrorCode::kInvalidArgument,
                    "cannot encode " + out.type + " as JSON: " + std::string(status.message()));
    }
    return out;
  }
  out.content_type = std::string(kProtobufContentType);
  if (!message.IsInitialized()) {
    return Status(ErrorCode::kInvalidArgument,
                  "cannot encode " + out.type + ": missing " + message.InitializationErrorString());
  }
  if (!message.SerializeToString(&out.payload)) {
    return Status(ErrorCode::kInvalidArgument, "cannot serialize " + out.type);
  }
  return out;
}

EncodedPayload EncodeRaw(const RawEvent& event) {
  return EncodedPayload{.type = event.type,
                        .content_type = event.content_type,
                        .payload = event.payload,
                        .schema_version = event.schema_version};
}

Status DecodeMessage(std::string_view content_type, std::string_view payload,
                     google::protobuf::Message* message) {
  const std::string& type = message->GetDescriptor()->full_name();
  if (content_type.empty() || content_type == kProtobufContentType ||
      content_type == "application/x-protobuf") {
    if (!message->ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return Status(ErrorCode::kInvalidArgument,
                    "payload of " + type + " is not valid protobuf binary");
    }
    return OkStatus();
  }
  if (content_type == kJsonContentType || content_type.rfind("application/json;", 0) == 0) {
    google::protobuf::util::JsonParseOptions parse;
    parse.ignore_unknown_fields = true;
    auto status = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(payload.data(), payload.size()), message, parse);
    if (!status.ok()) {
      return Status(
          ErrorCode::kInvalidArgument,
          "payload of " + type + " is not valid JSON for it: " + std::string(status.message()));
    }
    return OkStatus();
  }
  return Status(ErrorCode::kInvalidArgument,
                "cannot decode " + type + " from content type '" + std::string(content_type) + "'");
}

std::string TopicFor(const EventOptions& options, std::string_view type,
                     const PublishOptions& publish) {
  if (!publish.topic.empty()) return publish.topic;
  if (options.topic_for_type) return options.topic_for_type(type);
  return DefaultTopicFor(type);
}

Envelope NewEnvelope(const EventOptions& options, const EncodedPayload& payload,
                     std::string_view saga_id, int64_t now_ms) {
  Envelope e;
  e.id = NewEventId();
  e.source = options.source;
  e.type = payload.type;
  e.time_ms = now_ms;
  e.content_type = payload.content_type;
  e.data_schema = DataSchemaFor(payload.type, payload.schema_version);
  e.saga_id = std::string(saga_id);
  return e;
}

Record MakeEventRecord(const Envelope& envelope, std::string payload) {
  Record record;
  record.key = envelope.saga_id;
  record.value = std::move(payload);
  record.headers = EnvelopeHeaders(envelope);
  record.timestamp_ms = envelope.time_ms;
  return record;
}

void ViewEnvelopeHeaders(const EnvelopeRef& e, EnvelopeHeaderViews* out) {
  out->count = 0;
  auto add = [&](std::string_view key, std::string_view value) {
    out->views[out->count++] = proto::HeaderView{key, value};
  };
  add(headers::kSpecVersion, e.spec_version);
  add(headers::kId, e.id);
  add(headers::kSource, e.source);
  add(headers::kType, e.type);
  add(headers::kTime, e.time);
  add(headers::kDataContentType, e.content_type);
  if (!e.data_schema.empty()) add(headers::kDataSchema, e.data_schema);
  add(headers::kCorrelationId, e.saga_id);
  if (!e.causation_id.empty()) add(headers::kCausationId, e.causation_id);
  if (!e.traceparent.empty()) {
    add(headers::kTraceParent, e.traceparent);
    if (!e.tracestate.empty()) add(headers::kTraceState, e.tracestate);
  }
}

void ViewEnvelopeHeaders(const Envelope& envelope, EnvelopeHeaderViews* out) {
  out->time = FormatRfc3339(envelope.time_ms);
  out->traceparent = envelope.trace.trace_id.empty() ? "" : envelope.trace.TraceParent();
  ViewEnvelopeHeaders(EnvelopeRef{.spec_version = envelope.spec_version,
                                  .id = envelope.id,
                                  .source = envelope.source,
                                  .type = envelope.type,
                                  .time = out->time,
                                  .content_type = envelope.content_type,
                                  .data_schema = envelope.data_schema,
                                  .saga_id = envelope.saga_id,
                                  .causation_id = envelope.causation_id,
                                  .traceparent = out->traceparent,
                                  .tracestate = envelope.trace.state},
                      out);
}

std::string EncodeChildEvent(const EventView& cause, std::string_view saga_id,
                             const EncodedPayload& payload, const EventOptions& options,
                             int64_t now_ms) {
  const std::string id = NewEventId();
  const std::string time = FormatRfc3339(now_ms);
  const std::string schema = DataSchemaFor(payload.type, payload.schema_version);
  // Same trace, new span; a cause without a (valid) trace starts one.
  std::string traceparent = "00-";
  if (cause.traceparent.empty()) {
    traceparent += TraceContext::NewTrace().trace_id;
    traceparent += '-' + NewSpanId() + "-01";
  } else {
    traceparent += cause.trace_id();
    traceparent += '-' + NewSpanId() + '-';
    traceparent += cause.traceparent.substr(53, 2);
  }
  EnvelopeHeaderViews headers;
  ViewEnvelopeHeaders(EnvelopeRef{.spec_version = kSpecVersion,
                                  .id = id,
                                  .source = options.source,
                                  .type = payload.type,
                                  .time = time,
                                  .content_type = payload.content_type,
                                  .data_schema = schema,
                                  .saga_id = saga_id,
                                  .causation_id = cause.id,
                                  .traceparent = traceparent,
                                  .tracestate = cause.traceparent.empty() ? "" : cause.tracestate},
                      &headers);
  std::string encoded;
  encoded.reserve(proto::EncodedRecordSize(saga_id, payload.payload, headers, now_ms));
  proto::AppendRecord(saga_id, payload.payload, headers, now_ms, &encoded);
  return encoded;
}

std::string EncodeEventRecord(const Envelope& envelope, std::string_view payload) {
  EnvelopeHeaderViews headers;
  ViewEnvelopeHeaders(envelope, &headers);
  std::string encoded;
  encoded.reserve(proto::EncodedRecordSize(envelope.saga_id, payload, headers, envelope.time_ms));
  proto::AppendRecord(envelope.saga_id, payload, headers, envelope.time_ms, &encoded);
  return encoded;
}

bool PeekEvent(const std::vector<Header>& record_headers, std::string_view* type,
               std::string_view* saga_id) {
  bool has_spec = false, has_id = false;
  *type = {};
  *saga_id = {};
  for (const Header& h : record_headers) {
    const std::string_view k = h.key;
    if (k == headers::kType) {
      *type = h.value;
    } else if (k == headers::kCorrelationId) {
      *saga_id = h.value;
    } else if (k == headers::kId) {
      has_id = !h.value.empty();
    } else if (k == headers::kSpecVersion) {
      has_spec = !h.value.empty();
    }
  }
  return has_spec && has_id && !type->empty();
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace choreo::saga::internal

std::string choreo::saga::DefaultTopicFor(std::string_view event_type) {
  return std::string(event_type);
}

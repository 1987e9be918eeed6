// The saga event envelope: CloudEvents 1.0 metadata carried in record headers, following the
// CloudEvents Kafka protocol binding in binary mode, plus the correlation extension (saga id and
// causation id) and W3C Trace Context. This is a wire format: any consumer in any language reads it
// from the headers alone, without decoding the payload, and choreod's tools read the same headers.
//
//   header              value
//   ce_specversion      "1.0"
//   ce_id               the event's id: a random UUID (version 4), unique per event
//   ce_source           the publishing service, e.g. "payment-service"
//   ce_type             the payload's protobuf full name, e.g. "order.v1.OrderCreated"
//   ce_time             RFC 3339 UTC with milliseconds, e.g. "2026-12-04T10:15:30.123Z"
//   ce_datacontenttype  "application/protobuf" (binary, the default) or "application/json"
//                       (protobuf's JSON mapping); anything else for raw payloads
//   ce_dataschema       "urn:choreo:schema:<ce_type>:v<version>" (the payload's schema version)
//   ce_correlationid    the saga id; also the record key, so a saga's events share a partition
//   ce_causationid      the ce_id of the event whose handler published this one (absent on a
//                       saga's first event)
//   traceparent         W3C Trace Context "00-<trace id>-<span id>-<flags>": one trace id per saga,
//                       a new span id per event
//   tracestate          W3C tracestate, propagated unchanged (absent when empty)
//
// Header values are UTF-8 strings. Records without ce_id, ce_type and ce_specversion are not saga
// events (ReadEnvelope says so).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo::saga {

inline constexpr std::string_view kSpecVersion = "1.0";
inline constexpr std::string_view kProtobufContentType = "application/protobuf";
inline constexpr std::string_view kJsonContentType = "application/json";

namespace headers {
inline constexpr std::string_view kId = "ce_id";
inline constexpr std::string_view kSource = "ce_source";
inline constexpr std::string_view kType = "ce_type";
inline constexpr std::string_view kSpecVersion = "ce_specversion";
inline constexpr std::string_view kTime = "ce_time";
inline constexpr std::string_view kDataContentType = "ce_datacontenttype";
inline constexpr std::string_view kDataSchema = "ce_dataschema";
inline constexpr std::string_view kCorrelationId = "ce_correlationid";
inline constexpr std::string_view kCausationId = "ce_causationid";
inline constexpr std::string_view kTraceParent = "traceparent";
inline constexpr std::string_view kTraceState = "tracestate";
}  // namespace headers

// W3C Trace Context (https://www.w3.org/TR/trace-context/), version 00.
struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero
  uint8_t flags = 1;     // bit 0: sampled
  std::string state;     // tracestate, opaque

  // A new trace with a random trace id and span id (a saga's first event).
  static TraceContext NewTrace();
  // The same trace and state with a new random span id (every later event of the saga).
  TraceContext NewSpan() const;
  // "00-<trace_id>-<span_id>-<flags>".
  std::string TraceParent() const;
  // Parses a traceparent header; std::nullopt if malformed (bad length, non-hex, all-zero ids,
  // version ff).
  static std::optional<TraceContext> Parse(std::string_view traceparent,
                                           std::string_view tracestate = {});
};

struct Envelope {
  std::string id;
  std::string source;
  std::string type;
  std::string spec_version = std::string(kSpecVersion);
  int64_t time_ms = 0;  // ms since the Unix epoch
  std::string content_type = std::string(kProtobufContentType);
  std::string data_schema;  // empty when absent
  std::string saga_id;
  std::string causation_id;  // empty on a saga's first event
  TraceContext trace;        // trace_id empty when the event carried no (valid) traceparent

  // The version in data_schema ("...:v3" -> 3); 1 when data_schema is absent or has none.
  int SchemaVersion() const;
};

// "urn:choreo:schema:<type>:v<version>".
std::string DataSchemaFor(std::string_view type, int version);

// The envelope as record headers, in the table's order; empty optional fields are left out.
std::vector<Header> EnvelopeHeaders(const Envelope& envelope);

// Reads the envelope from record headers. Errors: kInvalidArgument when ce_id, ce_type or
// ce_specversion is missing (not a saga event), the spec version's major is not 1, or ce_time is
// not RFC 3339. A malformed traceparent is ignored (trace_id left empty), as W3C requires.
Result<Envelope> ReadEnvelope(const std::vector<Header>& headers);

// The value of header `key` (the last one if repeated), or std::nullopt.
std::optional<std::string_view> FindHeader(const std::vector<Header>& headers,
                                           std::string_view key);

// A random UUID version 4 in canonical lowercase form (36 characters).
std::string NewEventId();

// RFC 3339 in UTC with milliseconds: "2026-12-04T10:15:30.123Z".
std::string FormatRfc3339(int64_t time_ms);
// Accepts RFC 3339 with any fraction digits and a Z or +hh:mm offset. Errors: kInvalidArgument.
Result<int64_t> ParseRfc3339(std::string_view text);

}  // namespace choreo::saga

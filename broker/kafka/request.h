// Kafka frames and message headers.
//
// A frame is an int32 big-endian size, then that many bytes: a request header and body, or a
// response header and body. Request header v1: api_key int16, api_version int16, correlation_id
// int32, client_id nullable string (int16 length). v2 (flexible request versions) adds tagged
// fields after the client id, which stays a non-compact string. Response header v0: correlation_id;
// v1 (flexible response versions) adds tagged fields, except for ApiVersions, whose response header
// is always v0 so that a client that sent a version the broker does not know can read the answer.
//
// KIP-511: an ApiVersions request of a version above the codec's is not an error here. Its body is
// not parsed (its layout is unknown); DecodeRequest marks it `unsupported_version`, and the broker
// answers with a v0-shaped ApiVersionsResponse (UNSUPPORTED_VERSION and the broker's own ranges),
// which EncodeResponse writes when asked for version 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "broker/kafka/codec.h"
#include "broker/kafka/schema.h"
#include "broker/kafka/value.h"

namespace choreo::kafka {

inline constexpr size_t kFrameSizeBytes = 4;

// Reads the size prefix at the start of `prefix` (which must hold at least 4 bytes). Errors
// (InvalidArgument) for a negative size, and (ResourceExhausted) for one over `max_frame_bytes`:
// the caller answers or closes without ever allocating that size.
absl::StatusOr<uint32_t> ParseFrameSize(std::string_view prefix, uint32_t max_frame_bytes);

// Appends a 4-byte size for `body_size` bytes.
void AppendFrameSize(uint32_t body_size, std::string* out);

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;  // null is allowed on the wire
};

// The request header version of `api_key` at `api_version`: 2 for flexible versions (for
// ApiVersions, every version from 3 up, known or not), 1 otherwise and for unknown APIs.
int16_t RequestHeaderVersion(int16_t api_key, int16_t api_version);
// The response header version: 1 for flexible versions, 0 otherwise and always for ApiVersions.
int16_t ResponseHeaderVersion(int16_t api_key, int16_t api_version);

// Parses a request header from the start of `frame` (a frame body) and sets `*body_offset` to where
// the request body starts.
absl::StatusOr<RequestHeader> ParseRequestHeader(std::string_view frame, size_t* body_offset);
void EncodeRequestHeader(const RequestHeader& header, std::string* out);

struct DecodedRequest {
  RequestHeader header;
  const ApiDef* api = nullptr;  // the API's definitions
  Struct body;
  // An ApiVersions request above the codec's versions (KIP-511): `body` is an empty v0 request.
  bool unsupported_version = false;
};

// Decodes a whole request frame body (header, then body). Errors: InvalidArgument (malformed),
// ResourceExhausted (over `limits`), Unimplemented (an API the codec does not know, or a version
// outside its range other than the ApiVersions case above; `header` is still filled in if the
// header parsed, so that the caller can log it).
absl::StatusOr<DecodedRequest> DecodeRequest(std::string_view frame,
                                             const DecodeLimits& limits = {},
                                             RequestHeader* header = nullptr);

// Encodes a request frame body (header + body, no size prefix) of `header.api_key` at
// `header.api_version`. For clients and tests.
absl::Status EncodeRequest(const RequestHeader& header, const Struct& body, std::string* out);

// Encodes a response frame body (header + body, no size prefix) for the request `api_key`
// `api_version`. Call with version 0 for the KIP-511 ApiVersions fallback.
absl::Status EncodeResponse(int16_t api_key, int16_t api_version, int32_t correlation_id,
                            const Struct& body, std::string* out);

// Decodes a response frame body for `api_key` at `api_version` (clients and tests); sets
// `*correlation_id`.
absl::StatusOr<Struct> DecodeResponse(int16_t api_key, int16_t api_version, std::string_view frame,
                                      int32_t* correlation_id, const DecodeLimits& limits = {});

}  // namespace choreo::kafka

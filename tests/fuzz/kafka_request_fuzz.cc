// Fuzz target: the Kafka request decoder (broker/kafka/request.h, codec.h) on a request frame body
// as a Kafka client could send it (after the 4-byte size prefix): header v1/v2, then the body of
// any API and version in the definition tables.
//
// Input: the frame body. Checked beyond "no crash, no unbounded allocation": a request that
// decodes re-encodes, and the re-encoding decodes to the same tree and re-encodes to the same
// bytes (a fixed point; the first encoding may differ from the input only where the protocol
// allows several spellings: bools other than 0/1, tagged fields, which are dropped); an
// ApiVersions request above the codec's versions is the KIP-511 case, never an error; a failure
// says why.
#include <cstdint>
#include <string>
#include <string_view>

#include "broker/kafka/request.h"
#include "tests/fuzz/fuzz_check.h"

namespace kafka = choreo::kafka;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const kafka::DecodeLimits limits{.max_array_elements = 4096};
  absl::StatusOr<kafka::DecodedRequest> req = kafka::DecodeRequest(frame, limits);
  if (!req.ok()) {
    FUZZ_CHECK(!req.status().message().empty());
    return 0;
  }
  if (req->unsupported_version) {
    FUZZ_CHECK(req->header.api_key == kafka::api_key::kApiVersions);
    FUZZ_CHECK(req->header.api_version > req->api->versions.max);
    return 0;
  }
  FUZZ_CHECK(req->api != nullptr && req->api->versions.Contains(req->header.api_version));

  std::string first;
  FUZZ_CHECK(kafka::EncodeRequest(req->header, req->body, &first).ok());
  absl::StatusOr<kafka::DecodedRequest> again = kafka::DecodeRequest(first, limits);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->header.correlation_id == req->header.correlation_id);
  FUZZ_CHECK(again->header.client_id == req->header.client_id);
  FUZZ_CHECK(again->body == req->body);
  std::string second;
  FUZZ_CHECK(kafka::EncodeRequest(again->header, again->body, &second).ok());
  FUZZ_CHECK(second == first);
  return 0;
}

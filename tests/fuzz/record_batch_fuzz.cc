// Fuzz target: the record-batch codec (proto/batch.h, proto/record_wire.h) on a serialized
// RecordBatch as a producer could send it.
//
// Input: byte 0 even: the rest is the batch as sent. Byte 0 odd: the rest is a payload (a
// RecordList as the producer serialized it) that the target wraps into a batch with the right
// CRC32C and sizes, compressed per byte 0 (none, LZ4, zstd) and declaring byte 1 records; without
// it, almost every mutation of a payload would only fail the checksum.
//
// Checked beyond "no crash": a batch the broker accepts (ValidateBatch == NONE, the produce path)
// is one every consumer can read (OpenBatch + ForEachRecord + ForEachHeader, the client's fetch
// path) with the record count the broker stored; otherwise one producer could store a batch that
// stops every consumer of the partition at its offset. Where protobuf's own parser (DecodeBatch)
// and the in-place decoder both succeed, they agree on every record.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/proto/batch.h"
#include "choreo/proto/record_wire.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

struct PlainRecord {
  std::string key;
  std::string value;
  int64_t timestamp_ms = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  bool operator==(const PlainRecord&) const = default;
};

// The records of `payload` by the in-place decoder; false if it rejects them.
bool InPlaceRecords(std::string_view payload, std::vector<PlainRecord>* out) {
  bool headers_ok = true;
  const bool ok = choreo::proto::ForEachRecord(payload, [&](const choreo::proto::RecordView& r) {
    PlainRecord& plain = out->emplace_back();
    plain.key = r.key;
    plain.value = r.value;
    plain.timestamp_ms = r.timestamp_ms;
    headers_ok &= choreo::proto::ForEachHeader(
        r.headers_encoded,
        [&](const choreo::proto::HeaderView& h) { plain.headers.emplace_back(h.key, h.value); });
  });
  return ok && headers_ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  std::string wrapped;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) != 0) {
    const auto codec = static_cast<choreo::proto::Compression>((data[0] >> 1) % 3);
    std::string payload(reinterpret_cast<const char*>(data) + 2, size - 2);
    if (!choreo::proto::EncodeBatchFromPayload(std::move(payload), data[1], 0, 0, codec, {},
                                               &wrapped)) {
      return 0;
    }
    bytes = wrapped;
  }
  google::protobuf::LogSilencer silence_protobuf;  // invalid UTF-8 in Header.key is expected here

  choreo::proto::BatchSummary summary;
  std::string validate_error;
  const choreo::proto::ErrorCode validated =
      choreo::proto::ValidateBatch(bytes, &summary, &validate_error);
  FUZZ_CHECK(validated == choreo::proto::NONE || !validate_error.empty());

  choreo::proto::BatchView view;
  std::string scratch;
  std::string_view payload;
  std::string open_error;
  const choreo::proto::ErrorCode opened =
      choreo::proto::OpenBatch(bytes, &view, &scratch, &payload, &open_error);
  std::vector<PlainRecord> in_place;
  const bool in_place_ok = opened == choreo::proto::NONE && InPlaceRecords(payload, &in_place);

  if (validated == choreo::proto::NONE) {
    FUZZ_CHECK(summary.record_count > 0);
    FUZZ_CHECK(opened == choreo::proto::NONE);
    FUZZ_CHECK(in_place_ok);
    FUZZ_CHECK(in_place.size() == summary.record_count);
  }

  choreo::proto::RecordBatch header;
  choreo::proto::RecordList records;
  std::string decode_error;
  const choreo::proto::ErrorCode decoded =
      choreo::proto::DecodeBatch(bytes, &header, &records, &decode_error);
  if (decoded == choreo::proto::NONE && in_place_ok) {
    FUZZ_CHECK(in_place.size() == static_cast<size_t>(records.records_size()));
    for (int i = 0; i < records.records_size(); ++i) {
      const choreo::proto::Record& r = records.records(i);
      PlainRecord plain{r.key(), r.value(), r.timestamp_ms(), {}};
      for (const choreo::proto::Header& h : r.headers())
        plain.headers.emplace_back(h.key(), h.value());
      FUZZ_CHECK(plain == in_place[static_cast<size_t>(i)]);
    }
  }
  return 0;
}

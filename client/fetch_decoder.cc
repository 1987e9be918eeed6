#include "client/fetch_decoder.h"

#include <string>
#include <string_view>

#include "choreo/proto/record_wire.h"
#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

// Records the batches of `p` declare, to size the output once (a malformed batch counts 0).
size_t DeclaredRecords(const proto::FetchPartitionResponse& p) {
  size_t count = 0;
  for (const proto::FetchedBatch& batch : p.batches()) {
    proto::BatchView header;
    if (proto::ParseBatchView(batch.batch(), &header)) count += header.record_count;
  }
  return count;
}

// Appends the records of one batch payload to `out`, built straight from views into the payload:
// the only allocations are the strings that do not fit the small-string buffer. Returns the number
// of records, or -1 if the payload is malformed.
// `log_append_time_ms` > 0 (a batch the broker stamped) replaces every record's timestamp.
int64_t AppendRecords(std::string_view payload, const std::string& topic, uint32_t partition,
                      int64_t base_offset, int64_t log_append_time_ms,
                      std::vector<ConsumedRecord>& out) {
  int64_t count = 0;
  bool headers_ok = true;
  const bool ok = proto::ForEachRecord(payload, [&](const proto::RecordView& view) {
    ConsumedRecord& consumed = out.emplace_back();
    consumed.topic = topic;
    consumed.partition = partition;
    consumed.offset = base_offset + count++;
    Record& record = consumed.record;
    record.key.assign(view.key);
    record.value.assign(view.value);
    record.timestamp_ms = log_append_time_ms > 0 ? log_append_time_ms : view.timestamp_ms;
    if (!view.headers_encoded.empty()) {
      headers_ok &= proto::ForEachHeader(view.headers_encoded, [&](const proto::HeaderView& h) {
        record.headers.push_back(Header{std::string(h.key), std::string(h.value)});
      });
    }
  });
  return ok && headers_ok ? count : -1;
}

}  // namespace

DecodedPartition DecodeFetchPartition(const proto::FetchPartitionResponse& p) {
  DecodedPartition out{{p.topic(), p.partition()},
                       {},
                       FromProtoError(p.error()),
                       p.log_start_offset(),
                       p.high_watermark()};
  if (!out.error.ok()) return out;
  out.records.reserve(DeclaredRecords(p));
  std::string scratch;  // decompressed payloads; reused across the batches
  for (const proto::FetchedBatch& batch : p.batches()) {
    proto::BatchView header;
    std::string_view payload;
    std::string error;
    const size_t before = out.records.size();
    if (proto::OpenBatch(batch.batch(), &header, &scratch, &payload, &error) == proto::NONE) {
      const int64_t count = AppendRecords(payload, p.topic(), p.partition(), batch.base_offset(),
                                          header.log_append_time_ms, out.records);
      if (count < 0) {
        error = "record batch payload does not parse";
      } else if (count != header.record_count) {
        error = "record batch record count mismatch";
      }
    }
    if (!error.empty()) {
      out.records.resize(before);  // none of a bad batch's records
      out.error = Status(ErrorCode::kCorruptMessage,
                         p.topic() + "/" + std::to_string(p.partition()) + " batch at offset " +
                             std::to_string(batch.base_offset()) + ": " + error);
      break;
    }
  }
  return out;
}

}  // namespace choreo::client_internal

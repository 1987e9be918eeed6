#include "client/fetch_decoder.h"

#include <string>

#include "choreo/proto/batch.h"
#include "client/record_codec.h"
#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

std::string Describe(const TopicPartition& tp) {
  return tp.topic + "/" + std::to_string(tp.partition);
}

Status PartitionError(const proto::FetchPartitionResponse& p, const TopicPartition& tp,
                      int64_t position) {
  const Status status = FromProtoError(p.error());
  std::string message = Describe(tp) + " at offset " + std::to_string(position);
  if (status.code() == ErrorCode::kOffsetOutOfRange) {
    message += " (log start " + std::to_string(p.log_start_offset()) + ", high watermark " +
               std::to_string(p.high_watermark()) + ")";
  }
  if (!status.message().empty()) message += ": " + status.message();
  return Status(status.code(), std::move(message));
}

}  // namespace

Result<std::vector<ConsumedRecord>> DecodeFetch(const proto::FetchResponse& fetch,
                                                std::map<TopicPartition, int64_t>* positions) {
  std::vector<ConsumedRecord> out;
  Status first_error;
  for (const proto::FetchPartitionResponse& p : fetch.partitions()) {
    const TopicPartition tp{p.topic(), p.partition()};
    auto it = positions->find(tp);
    if (it == positions->end()) continue;  // no longer assigned
    int64_t& position = it->second;
    if (p.error().code() != proto::NONE) {
      if (first_error.ok()) first_error = PartitionError(p, tp, position);
      continue;
    }
    for (const proto::FetchedBatch& batch : p.batches()) {
      proto::RecordBatch header;
      proto::RecordList records;
      std::string error;
      if (proto::DecodeBatch(batch.batch(), &header, &records, &error) != proto::NONE) {
        if (first_error.ok()) {
          first_error = Status(ErrorCode::kCorruptMessage, Describe(tp) + " batch at offset " +
                                                               std::to_string(batch.base_offset()) +
                                                               ": " + error);
        }
        break;
      }
      for (int i = 0; i < records.records_size(); ++i) {
        const int64_t offset = batch.base_offset() + i;
        if (offset < position) continue;
        out.push_back(
            ConsumedRecord{tp.topic, tp.partition, offset, FromProto(records.records(i))});
        position = offset + 1;
      }
    }
  }
  if (out.empty() && !first_error.ok()) return first_error;
  return out;
}

}  // namespace choreo::client_internal

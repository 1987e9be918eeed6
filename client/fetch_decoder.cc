#include "client/fetch_decoder.h"

#include <string>

#include "choreo/proto/batch.h"
#include "client/record_codec.h"
#include "client/wire_status.h"

namespace choreo::client_internal {

DecodedPartition DecodeFetchPartition(const proto::FetchPartitionResponse& p) {
  DecodedPartition out{{p.topic(), p.partition()},
                       {},
                       FromProtoError(p.error()),
                       p.log_start_offset(),
                       p.high_watermark()};
  if (!out.error.ok()) return out;
  for (const proto::FetchedBatch& batch : p.batches()) {
    proto::RecordBatch header;
    proto::RecordList records;
    std::string error;
    if (proto::DecodeBatch(batch.batch(), &header, &records, &error) != proto::NONE) {
      out.error = Status(ErrorCode::kCorruptMessage,
                         p.topic() + "/" + std::to_string(p.partition()) + " batch at offset " +
                             std::to_string(batch.base_offset()) + ": " + error);
      break;
    }
    for (int i = 0; i < records.records_size(); ++i) {
      out.records.push_back(ConsumedRecord{p.topic(), p.partition(), batch.base_offset() + i,
                                           FromProto(records.records(i))});
    }
  }
  return out;
}

}  // namespace choreo::client_internal

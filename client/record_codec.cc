#include "client/record_codec.h"

#include <chrono>

#include "choreo/proto/batch.h"

namespace choreo::client_internal {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ToProto(const Record& record, int64_t now_ms, proto::Record* out) {
  out->set_key(record.key);
  out->set_value(record.value);
  out->set_timestamp_ms(record.timestamp_ms == 0 ? now_ms : record.timestamp_ms);
  for (const Header& header : record.headers) {
    proto::Header* h = out->add_headers();
    h->set_key(header.key);
    h->set_value(header.value);
  }
}

Record FromProto(const proto::Record& record) {
  Record out;
  out.key = record.key();
  out.value = record.value();
  out.timestamp_ms = record.timestamp_ms();
  out.headers.reserve(record.headers_size());
  for (const proto::Header& header : record.headers()) {
    out.headers.push_back(Header{header.key(), header.value()});
  }
  return out;
}

Result<std::string> EncodeRecords(const std::vector<Record>& records) {
  if (records.empty()) return Status(ErrorCode::kInvalidArgument, "a batch needs a record");
  const int64_t now_ms = NowMs();
  proto::RecordList list;
  for (const Record& record : records)
    ToProto(record, now_ms, list.add_records());
  std::string batch;
  if (!proto::EncodeBatch(list, proto::COMPRESSION_NONE, proto::BatchProducerFields{}, &batch)) {
    return Status(ErrorCode::kInvalidArgument, "cannot encode the record batch");
  }
  return batch;
}

}  // namespace choreo::client_internal

#include "client/record_codec.h"

#include <chrono>
#include <utility>

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

void ToProto(Record&& record, int64_t now_ms, proto::Record* out) {
  out->set_key(std::move(record.key));
  out->set_value(std::move(record.value));
  out->set_timestamp_ms(record.timestamp_ms == 0 ? now_ms : record.timestamp_ms);
  for (Header& header : record.headers) {
    proto::Header* h = out->add_headers();
    h->set_key(std::move(header.key));
    h->set_value(std::move(header.value));
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

}  // namespace choreo::client_internal

// Micro-benchmarks of the per-batch work on the produce and fetch paths: CRC32C, batch encode
// (client), batch validation (broker, on every produce), batch decode (consumer), framing.
#include <benchmark/benchmark.h>

#include <string>

#include "choreo/common/crc32c.h"
#include "choreo/proto/batch.h"
#include "choreo/proto/frame.h"
#include "choreo/proto/record_wire.h"

namespace choreo {
namespace {

proto::RecordList MakeRecords(int count, int value_bytes) {
  proto::RecordList list;
  for (int i = 0; i < count; ++i) {
    proto::Record* r = list.add_records();
    r->set_key("order-" + std::to_string(i % 1000));
    r->set_value(std::string(value_bytes, 'v'));
    r->set_timestamp_ms(1'700'000'000'000 + i);
  }
  return list;
}

void BM_Crc32c(benchmark::State& state) {
  std::string data(state.range(0), 'x');
  for (auto _ : state)
    benchmark::DoNotOptimize(Crc32c(data));
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_Crc32c)->Arg(4096)->Arg(1 << 20);

void BM_Crc32cPortable(benchmark::State& state) {
  std::string data(state.range(0), 'x');
  for (auto _ : state)
    benchmark::DoNotOptimize(Crc32cExtendPortable(0, data.data(), data.size()));
  state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_Crc32cPortable)->Arg(1 << 20);

// Args: records per batch, value bytes.
void BM_EncodeBatch(benchmark::State& state) {
  proto::RecordList records = MakeRecords(state.range(0), state.range(1));
  std::string out;
  for (auto _ : state) {
    proto::EncodeBatch(records, proto::COMPRESSION_NONE, {}, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * out.size());
}
BENCHMARK(BM_EncodeBatch)->Args({1000, 100})->Args({100, 1024});

void BM_ValidateBatch(benchmark::State& state) {
  std::string bytes;
  proto::EncodeBatch(MakeRecords(state.range(0), state.range(1)), proto::COMPRESSION_NONE, {},
                     &bytes);
  proto::BatchSummary summary;
  std::string error;
  for (auto _ : state) {
    benchmark::DoNotOptimize(proto::ValidateBatch(bytes, &summary, &error));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * bytes.size());
}
BENCHMARK(BM_ValidateBatch)->Args({1000, 100})->Args({100, 1024});

void BM_DecodeBatch(benchmark::State& state) {
  std::string bytes;
  proto::EncodeBatch(MakeRecords(state.range(0), state.range(1)), proto::COMPRESSION_NONE, {},
                     &bytes);
  proto::RecordBatch header;
  proto::RecordList records;
  std::string error;
  for (auto _ : state) {
    benchmark::DoNotOptimize(proto::DecodeBatch(bytes, &header, &records, &error));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * bytes.size());
}
BENCHMARK(BM_DecodeBatch)->Args({1000, 100})->Args({100, 1024});

// The consumer's path (client/fetch_decoder.cc): check and open the batch in place, then visit
// every record as views, with no protobuf objects.
void BM_OpenBatchForEachRecord(benchmark::State& state) {
  std::string bytes;
  proto::EncodeBatch(MakeRecords(state.range(0), state.range(1)), proto::COMPRESSION_NONE, {},
                     &bytes);
  proto::BatchView batch;
  std::string scratch;
  std::string error;
  for (auto _ : state) {
    std::string_view payload;
    if (proto::OpenBatch(bytes, &batch, &scratch, &payload, &error) != proto::NONE) {
      state.SkipWithError(error.c_str());
      return;
    }
    size_t value_bytes = 0;
    proto::ForEachRecord(payload,
                         [&](const proto::RecordView& r) { value_bytes += r.value.size(); });
    benchmark::DoNotOptimize(value_bytes);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * bytes.size());
}
BENCHMARK(BM_OpenBatchForEachRecord)->Args({1000, 100})->Args({100, 1024});

void BM_FrameRoundTrip(benchmark::State& state) {
  proto::Request request;
  request.set_correlation_id(1);
  proto::ProduceRequest* produce = request.mutable_produce();
  produce->set_topic("orders");
  produce->set_batch(std::string(state.range(0), 'b'));
  std::string wire;
  proto::FrameDecoder decoder(64 << 20);
  proto::Request parsed;
  for (auto _ : state) {
    wire.clear();
    proto::AppendFrame(request, &wire);
    decoder.Feed(wire);
    std::string_view frame;
    decoder.Next(&frame);
    parsed.ParseFromArray(frame.data(), static_cast<int>(frame.size()));
    benchmark::DoNotOptimize(parsed.correlation_id());
  }
  state.SetBytesProcessed(state.iterations() * wire.size());
}
BENCHMARK(BM_FrameRoundTrip)->Arg(100 << 10);

}  // namespace
}  // namespace choreo

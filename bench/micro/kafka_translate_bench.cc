// The storage decision of the Kafka listener (broker/kafka/README.md, "Storage decision"): what
// translating Kafka batches at the edge costs per record, next to what storing them natively would
// cost (validation only on produce, a copy on fetch). 100 records of 100-byte values with a
// 10-byte key and two headers, the shape of an event stream.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "broker/kafka/handlers/record_translate.h"
#include "broker/kafka/record_batch.h"
#include "choreo/proto/batch.h"

namespace choreo {
namespace {

constexpr int kRecords = 100;

std::string KafkaBatch(kafka::Compression compression) {
  std::vector<kafka::RecordInput> records;
  for (int i = 0; i < kRecords; ++i) {
    records.push_back({.key = "order-" + std::to_string(1000 + i),
                       .value = std::string(100, static_cast<char>('a' + i % 26)),
                       .timestamp_ms = 1'700'000'000'000 + i,
                       .headers = {{"ce_type", "OrderCreated"}, {"ce_id", std::to_string(i)}}});
  }
  return *kafka::BuildBatch({.compression = compression}, records);
}

kafka::Compression Codec(const benchmark::State& state) {
  return static_cast<kafka::Compression>(state.range(0));
}

// Native storage's produce: validation only (CRC, decompression, record framing).
void BM_KafkaValidateOnly(benchmark::State& state) {
  const std::string batch = KafkaBatch(Codec(state));
  kafka::BatchHeader header;
  for (auto _ : state)
    benchmark::DoNotOptimize(kafka::ValidateProducedBatch(batch, {}, &header));
  state.SetItemsProcessed(state.iterations() * kRecords);
}

// Translation's produce: validation plus a choreo batch (protobuf records, lz4 for compressed).
void BM_KafkaToChoreo(benchmark::State& state) {
  const std::string batch = KafkaBatch(Codec(state));
  for (auto _ : state)
    benchmark::DoNotOptimize(kafka::KafkaToChoreoBatch(batch, {}));
  state.SetItemsProcessed(state.iterations() * kRecords);
}

// The native produce's own check of a choreo batch, paid by every produce either way.
void BM_ChoreoValidate(benchmark::State& state) {
  const std::string batch = kafka::KafkaToChoreoBatch(KafkaBatch(Codec(state)), {})->choreo_batch;
  proto::BatchSummary summary;
  std::string error;
  for (auto _ : state)
    benchmark::DoNotOptimize(proto::ValidateBatch(batch, &summary, &error));
  state.SetItemsProcessed(state.iterations() * kRecords);
}

// Translation's fetch: a stored choreo batch to a Kafka batch (re-compressed with its codec).
// Native storage's fetch would copy the stored bytes.
void BM_ChoreoToKafka(benchmark::State& state) {
  const std::string batch = kafka::KafkaToChoreoBatch(KafkaBatch(Codec(state)), {})->choreo_batch;
  std::string out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(kafka::AppendChoreoBatchAsKafka(batch, 0, &out));
  }
  state.SetItemsProcessed(state.iterations() * kRecords);
}

// Arg: kafka::Compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd).
BENCHMARK(BM_KafkaValidateOnly)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Arg(4);
BENCHMARK(BM_KafkaToChoreo)->Arg(0)->Arg(1)->Arg(2)->Arg(3)->Arg(4);
BENCHMARK(BM_ChoreoValidate)->Arg(0)->Arg(3);
BENCHMARK(BM_ChoreoToKafka)->Arg(0)->Arg(3)->Arg(4);

}  // namespace
}  // namespace choreo

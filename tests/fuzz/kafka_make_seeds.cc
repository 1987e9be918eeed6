// fuzz_make_kafka_seeds DIR: writes the seed corpora of the Kafka fuzz targets into
// DIR/kafka_request/ and DIR/kafka_record_batch/, built by the codec's own encoders:
//
//   build/ci/tests/fuzz/fuzz_make_kafka_seeds tests/fuzz/corpus
//
// kafka_request: one request of every API at its lowest and highest version, with one element in
// every array. kafka_record_batch: a produced batch in each codec (byte 0 even: a records blob),
// two batches in one blob, and a raw records section to be wrapped (byte 0 odd).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "broker/kafka/record_batch.h"
#include "broker/kafka/request.h"

namespace kafka = choreo::kafka;

namespace {

std::filesystem::path root;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  const std::filesystem::path dir = root / target;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << bytes;
}

void Fill(const kafka::FieldList& fields, kafka::Struct* s) {
  for (const kafka::FieldDef& f : fields) {
    if (f.is_struct_array()) {
      Fill(f.fields, &s->AddStruct(f.name));
    } else if (f.type == kafka::FieldType::kArray) {
      if (f.element == kafka::FieldType::kString) {
        s->AddString(f.name, "orders");
      } else {
        s->AddInt(f.name, 1);
      }
    } else if (f.type == kafka::FieldType::kString) {
      s->SetString(f.name, std::string(f.name.substr(0, 6)));
    } else if (f.type == kafka::FieldType::kBytes || f.type == kafka::FieldType::kRecords) {
      s->SetString(f.name, "bytes");
    } else {
      s->SetInt(f.name, 3);
    }
  }
}

std::vector<kafka::RecordInput> Records() {
  std::vector<kafka::RecordInput> records(2);
  records[0].key = "order-17";
  records[0].value = R"({"order_id":"order-17","amount_cents":4200})";
  records[0].timestamp_ms = 1764806400000;
  records[0].headers = {
      {"ce_type", "OrderCreated"}, {"ce_id", "e-1"}, {"traceparent", std::nullopt}};
  records[1].value = R"({"order_id":"order-18"})";
  records[1].timestamp_ms = 1764806400005;
  return records;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  root = argv[1];
  for (const kafka::ApiDef& api : kafka::AllApis()) {
    for (int16_t v : {api.versions.min, api.versions.max}) {
      kafka::Struct body = kafka::NewMessage(api.request);
      Fill(api.request.fields, &body);
      std::string frame;
      if (!kafka::EncodeRequest({api.key, v, 7, "seed"}, body, &frame).ok()) return 1;
      Write("kafka_request", std::string(api.name) + "_v" + std::to_string(v), frame);
    }
  }
  Write("kafka_request", "ApiVersions_v4_kip511",
        std::string("\x00\x12\x00\x04\x00\x00\x00\x01\xff\xff\x00\x00", 12));

  const kafka::Compression codecs[] = {kafka::Compression::kNone, kafka::Compression::kGzip,
                                       kafka::Compression::kSnappy, kafka::Compression::kLz4,
                                       kafka::Compression::kZstd};
  std::string blob;
  for (kafka::Compression codec : codecs) {
    kafka::BatchBuildOptions options;
    options.compression = codec;
    options.producer_id = 1000;
    options.producer_epoch = 0;
    options.base_sequence = 5;
    absl::StatusOr<std::string> batch = kafka::BuildBatch(options, Records());
    if (!batch.ok()) return 1;
    Write("kafka_record_batch", std::string("batch_") + kafka::CompressionName(codec),
          std::string(1, '\0') + *batch);
    blob += *batch;
  }
  Write("kafka_record_batch", "blob_of_five", std::string(1, '\0') + blob);
  // Wrapped: the records section of the uncompressed batch, declared as 2 records, in each codec.
  absl::StatusOr<std::string> plain = kafka::BuildBatch({}, Records());
  if (!plain.ok()) return 1;
  const std::string section = plain->substr(kafka::kBatchHeaderBytes);
  for (int codec = 0; codec < 5; ++codec) {
    Write("kafka_record_batch", "wrapped_codec" + std::to_string(codec),
          std::string(1, static_cast<char>(codec << 1 | 1)) + std::string(1, '\x02') + section);
  }
  return 0;
}

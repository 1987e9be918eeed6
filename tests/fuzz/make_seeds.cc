// fuzz_make_seeds DIR: writes the seed corpus of every fuzz target into DIR/<target>/, each input
// built by the real encoders (frames as the client sends them, batches as producers encode them,
// stored values as the store writes them), so every committed seed can be explained and
// regenerated after a format change:
//
//   build/ci/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus
//
// The input layout of each target is described at the top of its NAME_fuzz.cc.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "choreo/common/big_endian.h"
#include "choreo/proto/batch.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/proto/frame.h"
#include "storage/event_index_format.h"
#include "storage/meta_format.h"
#include "storage/offsets_format.h"
#include "storage/producer_format.h"
#include "storage/scheduled_format.h"
#include "storage/schema_format.h"
#include "storage/value_format.h"

namespace proto = choreo::proto;
namespace cs = choreo::storage;

namespace {

std::filesystem::path root;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  const std::filesystem::path dir = root / target;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary | std::ios::trunc) << bytes;
}

// A small order-event batch: two records, one with CloudEvents-style headers as the saga layer
// writes them.
std::string Batch(proto::Compression compression, int64_t producer_id = -1, int32_t sequence = 0) {
  proto::RecordList records;
  proto::Record* first = records.add_records();
  first->set_key("order-17");
  first->set_value(R"({"order_id":"order-17","amount_cents":4200})");
  first->set_timestamp_ms(1764806400000);
  for (const auto& [key, value] :
       {std::pair{"ce_id", "e-1"}, std::pair{"ce_type", "OrderCreated"},
        std::pair{"ce_source", "order-service"}, std::pair{"ce_correlationid", "saga-17"}}) {
    proto::Header* header = first->add_headers();
    header->set_key(key);
    header->set_value(value);
  }
  proto::Record* second = records.add_records();
  second->set_key("order-18");
  second->set_value(R"({"order_id":"order-18","amount_cents":100})");
  second->set_timestamp_ms(1764806400005);
  std::string out;
  proto::EncodeBatch(records, compression,
                     {.producer_id = producer_id, .producer_epoch = 0, .base_sequence = sequence},
                     &out);
  return out;
}

std::string Frame(const proto::Request& request) {
  std::string out;
  proto::AppendFrame(request, &out);
  return out;
}

std::string Frames(const std::vector<proto::Request>& requests) {
  std::string out;
  for (const proto::Request& r : requests)
    proto::AppendFrame(r, &out);
  return out;
}

proto::Request Handshake(uint32_t major) {
  proto::Request r;
  r.set_correlation_id(1);
  r.mutable_handshake()->set_protocol_major(major);
  r.mutable_handshake()->set_protocol_minor(3);
  r.mutable_handshake()->set_client_id("seed");
  return r;
}

// The requests a producer, a consumer in a group and an operator send, one connection each.
std::vector<std::pair<std::string, std::vector<proto::Request>>> Conversations() {
  std::vector<std::pair<std::string, std::vector<proto::Request>>> out;
  uint64_t id = 2;
  auto next = [&id] {
    proto::Request r;
    r.set_correlation_id(id++);
    return r;
  };

  std::vector<proto::Request> produce;
  {
    proto::Request r = next();
    auto* topic = r.mutable_create_topics()->add_topics();
    topic->set_name("orders");
    topic->mutable_config()->set_partitions(2);
    produce.push_back(r);
  }
  {
    proto::Request r = next();
    r.mutable_init_producer()->set_producer_id(-1);
    produce.push_back(r);
  }
  for (auto compression :
       {proto::COMPRESSION_NONE, proto::COMPRESSION_LZ4, proto::COMPRESSION_ZSTD}) {
    proto::Request r = next();
    r.mutable_produce()->set_topic("orders");
    r.mutable_produce()->set_partition(1);
    r.mutable_produce()->set_batch(Batch(compression));
    produce.push_back(r);
  }
  {
    proto::Request r = next();
    r.mutable_metadata()->add_topics("orders");
    produce.push_back(r);
  }
  out.emplace_back("produce", produce);

  std::vector<proto::Request> consume;
  {
    proto::Request r = next();
    auto* hb = r.mutable_group_heartbeat();
    hb->set_group_id("billing");
    hb->add_subscribed_topics("orders");
    hb->set_session_timeout_ms(10000);
    hb->set_client_id("seed");
    consume.push_back(r);
  }
  {
    proto::Request r = next();
    auto* fetch = r.mutable_fetch();
    auto* p = fetch->add_partitions();
    p->set_topic("orders");
    p->set_partition(1);
    p->set_offset(0);
    p->set_max_bytes(1 << 20);
    fetch->set_max_wait_ms(100);
    consume.push_back(r);
  }
  {
    proto::Request r = next();
    auto* commit = r.mutable_offset_commit();
    commit->set_group_id("billing");
    auto* p = commit->add_partitions();
    p->set_topic("orders");
    p->set_partition(1);
    p->set_offset(2);
    p->set_metadata("seed");
    consume.push_back(r);
  }
  {
    proto::Request r = next();
    r.mutable_offset_fetch()->set_group_id("billing");
    consume.push_back(r);
  }
  {
    proto::Request r = next();
    auto* list = r.mutable_list_offsets()->add_partitions();
    list->set_topic("orders");
    list->set_partition(0);
    list->set_spec(proto::ListOffsetsRequest::TIMESTAMP);
    list->set_timestamp_ms(1764806400000);
    consume.push_back(r);
  }
  out.emplace_back("consume", consume);

  std::vector<proto::Request> operate;
  {
    proto::Request r = next();
    r.mutable_list_groups();
    operate.push_back(r);
  }
  {
    proto::Request r = next();
    r.mutable_describe_groups()->add_group_ids("billing");
    operate.push_back(r);
  }
  {
    proto::Request r = next();
    auto* d = r.mutable_define_saga()->mutable_definition();
    d->set_name("order");
    d->add_start_types("OrderCreated");
    d->add_terminal_types("OrderCompleted");
    d->set_deadline_ms(60000);
    operate.push_back(r);
  }
  {
    proto::Request r = next();
    auto* find = r.mutable_find_events();
    find->set_by(proto::BY_SAGA);
    find->set_value("saga-17");
    operate.push_back(r);
  }
  {
    proto::Request r = next();
    auto* schedule = r.mutable_schedule_event();
    schedule->set_id("timeout-17");
    schedule->set_due_time_ms(1764806400000);
    schedule->set_topic("orders");
    schedule->set_batch(Batch(proto::COMPRESSION_NONE));
    operate.push_back(r);
  }
  {
    proto::Request r = next();
    r.mutable_cancel_scheduled_event()->set_id("timeout-17");
    operate.push_back(r);
  }
  {
    proto::Request r = next();
    r.mutable_delete_topics()->add_names("orders");
    operate.push_back(r);
  }
  out.emplace_back("operate", operate);
  return out;
}

void FrameSeeds() {
  // Byte 0: max_frame_bytes = 1 << (b % 25) for b >= 8; byte 1: how reads are cut.
  std::string all;
  for (const auto& [name, requests] : Conversations())
    all += Frames(requests);
  const std::string prefix{static_cast<char>(20), static_cast<char>(7)};
  Write("frame_decoder", "conversation", prefix + Frame(Handshake(1)) + all);
  Write("frame_decoder", "partial_frame", prefix + Frame(Handshake(1)).substr(0, 9));
  // A length over the limit (1 << 10) after one good frame.
  std::string oversized = Frame(Handshake(1));
  oversized += std::string("\x00\x10\x00\x00", 4) + "body";
  Write("frame_decoder", "oversized", std::string{static_cast<char>(10), 3} + oversized);
}

void BatchSeeds() {
  // Byte 0 even: a whole batch as sent.
  const std::string raw(1, '\0');
  Write("record_batch", "none", raw + Batch(proto::COMPRESSION_NONE));
  Write("record_batch", "lz4", raw + Batch(proto::COMPRESSION_LZ4));
  Write("record_batch", "zstd", raw + Batch(proto::COMPRESSION_ZSTD));
  Write("record_batch", "idempotent", raw + Batch(proto::COMPRESSION_NONE, 7, 40));
  // Byte 0 odd: a payload the target wraps (byte 0 >> 1: codec; byte 1: record count).
  proto::RecordBatch batch;
  batch.ParseFromString(Batch(proto::COMPRESSION_NONE));
  for (uint8_t codec : {0, 1, 2}) {
    Write("record_batch", "payload_codec" + std::to_string(codec),
          std::string{static_cast<char>(1 | (codec << 1)), 2} + batch.records());
  }
}

void DecompressSeeds() {
  proto::RecordList records;
  records.add_records()->set_value(R"({"order_id":"order-17","amount_cents":4200})");
  const std::string payload = records.SerializeAsString();
  for (auto [name, codec] :
       {std::pair{"lz4", proto::COMPRESSION_LZ4}, std::pair{"zstd", proto::COMPRESSION_ZSTD}}) {
    std::string compressed;
    proto::CompressPayload(codec, payload, &compressed);
    std::string input(5, '\0');
    input[0] = static_cast<char>(codec);
    choreo::PutBigEndian32(input.data() + 1, static_cast<uint32_t>(payload.size()));
    Write("decompress", name, input + compressed);
  }
}

void StorageSeeds() {
  auto write = [](uint8_t which, const std::string& name, const std::string& bytes) {
    Write("storage_value", name, std::string(1, static_cast<char>(which)) + bytes);
  };
  // Decoders of a key and a value take byte 1 as the key's length.
  auto keyed = [](const std::string& key, const std::string& value) {
    return std::string(1, static_cast<char>(key.size())) + key + value;
  };
  const std::string batch = Batch(proto::COMPRESSION_NONE);
  const cs::BatchHeaderBytes header = cs::EncodeBatchHeader(
      {.record_count = 2, .max_timestamp_ms = 1764806400005, .producer_id = 7}, batch);
  write(0, "batch_value", std::string(header.data(), header.size()) + batch);
  cs::ProducerPartitionState state;
  state.epoch = 1;
  state.last_sequence = 41;
  state.window = {{.base_sequence = 40, .record_count = 2, .base_offset = 100}};
  write(1, "producer_state", cs::EncodeProducerState(state));
  write(2, "producer_key",
        cs::EncodeProducerStateKey({.topic_id = cs::TopicId{3}, .partition = 1, .producer_id = 7}));
  write(3, "group_offset",
        cs::EncodeGroupOffsetValue(
            {.offset = 102, .commit_time_ms = 1764806400000, .metadata = "seed"}));
  write(4, "group_offset_key", cs::EncodeGroupOffsetKey("billing", cs::TopicId{3}, 1));
  write(5, "due_value",
        cs::EncodeDueValue({.topic_id = cs::TopicId{3},
                            .partition = 1,
                            .record_count = 2,
                            .max_timestamp_ms = 1764806400005,
                            .topic = "orders",
                            .batch = batch}));
  write(6, "due_key", cs::EncodeDueKey(1764806400000, "timeout-17"));
  write(7, "id_value_pending", cs::EncodeIdValue({.due_ms = 1764806400000}));
  write(7, "id_value_ended",
        cs::EncodeIdValue({.due_ms = 1764806400000,
                           .state = cs::IdValue::State::kCancelled,
                           .ended_ms = 1764806401000}));
  choreo::storage::IndexedEventFields fields;
  fields.type = "OrderCreated";
  fields.source = "order-service";
  fields.event_id = "e-1";
  fields.saga_id = "saga-17";
  fields.key = "order-17";
  write(8, "entry_value", cs::EncodeEntryValue(fields));
  write(8, "entry_reference", cs::EncodeEntryReference("saga-17"));
  write(9, "entry_key",
        cs::EncodeEntryKey(
            choreo::storage::EventIndexKind::kSaga, "saga-17",
            {.time_ms = 1764806400000, .topic_id = cs::TopicId{3}, .partition = 1, .offset = 100}));
  write(10, "open_saga_key", cs::OpenSagaKey("order", "saga-17"));
  write(10, "open_saga_value", cs::EncodeOpenSagaValue(1764806400000));
  choreo::storage::SagaDefinition definition;
  definition.name = "order";
  definition.start_types = {"OrderCreated"};
  definition.terminal_types = {"OrderCompleted", "OrderCancelled"};
  definition.deadline_ms = 60000;
  write(11, "saga_definition", keyed("order", cs::EncodeSagaDefinition(definition)));
  choreo::storage::TopicInfo topic;
  topic.id = cs::TopicId{3};
  topic.name = "orders";
  topic.config.partitions = 2;
  write(12, "topic_record", keyed("orders", cs::EncodeTopicRecord(topic)));
  write(13, "next_topic_id", cs::EncodeNextTopicId(cs::TopicId{4}));
  write(14, "log_start", cs::EncodeLogStart({.offset = 100, .start_bytes = 4096}));
  write(15, "end_bytes", cs::EncodeEndBytes(8192));
  // The epoch value's type is the decoder's (whatever fields it has, at their defaults).
  using EpochValue = std::remove_cvref_t<decltype(*cs::DecodeProducerEpoch(std::string_view()))>;
  write(16, "producer_epoch", cs::EncodeProducerEpoch(EpochValue{}));
  choreo::storage::StoredSchema schema;
  schema.subject = "shop.v1.OrderCreated";
  schema.version = 2;
  schema.registered_ms = 1764806400000;
  schema.schema = "descriptor bytes";
  write(17, "schema",
        keyed(cs::SchemaMetaKey(schema.subject, schema.version), cs::EncodeSchemaValue(schema)));
}

void BrokerSeeds() {
  // Byte 0 odd: the target sends a valid handshake first.
  for (const auto& [name, requests] : Conversations())
    Write("broker_request", name, std::string(1, '\x01') + Frames(requests));
  // Even: the stream is sent as is (its own handshake, or none).
  Write("broker_request", "handshake_only", std::string(1, '\x00') + Frame(Handshake(1)));
  Write("broker_request", "wrong_major", std::string(1, '\x00') + Frame(Handshake(9)));
  proto::Request metadata;
  metadata.set_correlation_id(2);
  metadata.mutable_metadata();
  Write("broker_request", "no_handshake", std::string(1, '\x00') + Frame(metadata));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  root = argv[1];
  FrameSeeds();
  BatchSeeds();
  DecompressSeeds();
  StorageSeeds();
  BrokerSeeds();
  return 0;
}

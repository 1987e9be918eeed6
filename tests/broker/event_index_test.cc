// The event index through the protocol (1.2): the broker indexes enveloped records of produced
// batches (compressed or not), leaves other records and topics with the index off alone, answers
// FindEvents, and manages saga definitions and stuck sagas with clear errors; /metrics counts open
// and stuck sagas.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "choreo/proto/batch.h"
#include "tests/broker/broker_fixture.h"
#include "tests/broker/raw_connection.h"

namespace choreo::broker::testing {
namespace {

struct Envelope {
  std::string id;
  std::string type;
  std::string saga;
  std::string causation = "";
  std::string time = "2026-12-04T10:00:00.000Z";
};

proto::Record EnvelopedRecord(const Envelope& e) {
  proto::Record r;
  r.set_key(e.saga);
  r.set_value("payload");
  r.set_timestamp_ms(5000);
  auto header = [&](const std::string& key, const std::string& value) {
    if (value.empty()) return;
    proto::Header* h = r.add_headers();
    h->set_key(key);
    h->set_value(value);
  };
  header("ce_specversion", "1.0");
  header("ce_id", e.id);
  header("ce_type", e.type);
  header("ce_source", "test-service");
  header("ce_time", e.time);
  header("ce_correlationid", e.saga);
  header("ce_causationid", e.causation);
  return r;
}

proto::Record MakeRecordWithoutEnvelope() {
  proto::Record r;
  r.set_key("plain-key");
  r.set_value("plain");
  proto::Header* h = r.add_headers();
  h->set_key("ce_id");  // an id alone is not an envelope (no ce_type, ce_specversion)
  h->set_value("lonely");
  return r;
}

std::string Batch(const std::vector<proto::Record>& records,
                  proto::Compression compression = proto::COMPRESSION_NONE) {
  proto::RecordList list;
  for (const proto::Record& r : records)
    *list.add_records() = r;
  std::string batch;
  EXPECT_TRUE(proto::EncodeBatch(list, compression, {}, &batch));
  return batch;
}

class EventIndexProtocolTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    BrokerOptions options = DefaultOptions();
    options.http_listen = "127.0.0.1:0";
    StartBroker(options);
    client_ = Connect();
  }
  void TearDown() override {
    client_.reset();
    BrokerFixture::TearDown();
  }

  void Produce(const std::string& topic, uint32_t partition, std::string batch) {
    std::optional<proto::Response> r = client_->Call(ProduceRequest(topic, partition, batch));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->error().code(), proto::NONE) << r->error().message();
  }

  proto::Response Find(proto::EventIndexKind by, const std::string& value,
                       const std::string& topic = "") {
    proto::Request request;
    proto::FindEventsRequest* find = request.mutable_find_events();
    find->set_by(by);
    find->set_value(value);
    find->set_topic(topic);
    std::optional<proto::Response> r = client_->Call(std::move(request));
    EXPECT_TRUE(r);
    return r.value_or(proto::Response());
  }

  std::vector<std::string> Ids(proto::EventIndexKind by, const std::string& value) {
    proto::Response r = Find(by, value);
    EXPECT_EQ(r.error().code(), proto::NONE) << r.error().message();
    std::vector<std::string> ids;
    for (const proto::IndexedEvent& e : r.find_events().events())
      ids.push_back(e.event_id());
    return ids;
  }

  proto::Response Define(const std::string& name, std::vector<std::string> terminal,
                         int64_t deadline_ms, bool remove = false) {
    proto::Request request;
    proto::DefineSagaRequest* define = request.mutable_define_saga();
    define->mutable_definition()->set_name(name);
    for (const std::string& t : terminal)
      define->mutable_definition()->add_terminal_types(t);
    define->mutable_definition()->set_deadline_ms(deadline_ms);
    define->set_remove(remove);
    std::optional<proto::Response> r = client_->Call(std::move(request));
    EXPECT_TRUE(r);
    return r.value_or(proto::Response());
  }

  std::unique_ptr<TestClient> client_;
};

TEST_F(EventIndexProtocolTest, IndexesEnvelopedRecordsOfPlainAndCompressedBatches) {
  CreateTopic(*client_, "orders", 2);
  Produce("orders", 0,
          Batch({EnvelopedRecord({.id = "e1", .type = "OrderCreated", .saga = "s1"}),
                 MakeRecordWithoutEnvelope(),
                 EnvelopedRecord({.id = "e2",
                                  .type = "OrderPaid",
                                  .saga = "s1",
                                  .causation = "e1",
                                  .time = "2026-12-04T10:00:01.500Z"})}));
  Produce("orders", 1,
          Batch({EnvelopedRecord(
                    {.id = "e3", .type = "OrderCreated", .saga = "s2", .time = "not a time"})},
                proto::COMPRESSION_LZ4));

  proto::Response saga = Find(proto::BY_SAGA, "s1");
  ASSERT_EQ(saga.error().code(), proto::NONE) << saga.error().message();
  ASSERT_EQ(saga.find_events().events_size(), 2);
  const proto::IndexedEvent& paid = saga.find_events().events(1);
  EXPECT_EQ(paid.event_id(), "e2");
  EXPECT_EQ(paid.topic(), "orders");
  EXPECT_EQ(paid.partition(), 0u);
  EXPECT_EQ(paid.offset(), 2);  // the record without an envelope is offset 1
  EXPECT_EQ(paid.type(), "OrderPaid");
  EXPECT_EQ(paid.source(), "test-service");
  EXPECT_EQ(paid.causation_id(), "e1");
  EXPECT_EQ(paid.key(), "s1");
  EXPECT_EQ(paid.time_ms(), 1796378401500);  // 2026-12-04T10:00:01.500Z

  // A malformed ce_time falls back to the record's timestamp.
  proto::Response compressed = Find(proto::BY_EVENT_ID, "e3");
  ASSERT_EQ(compressed.find_events().events_size(), 1);
  EXPECT_EQ(compressed.find_events().events(0).time_ms(), 5000);
  EXPECT_EQ(compressed.find_events().events(0).partition(), 1u);

  EXPECT_EQ(Ids(proto::BY_TYPE, "OrderCreated"), (std::vector<std::string>{"e3", "e1"}));
  EXPECT_EQ(Ids(proto::BY_KEY, "s2"), (std::vector<std::string>{"e3"}));
  EXPECT_TRUE(Ids(proto::BY_KEY, "plain-key").empty());  // not enveloped: not indexed

  EXPECT_EQ(Find(proto::BY_SAGA, "s1", "no-such-topic").error().code(), proto::UNKNOWN_TOPIC);
  EXPECT_EQ(Find(proto::EVENT_INDEX_KIND_UNSPECIFIED, "s1").error().code(), proto::INVALID_REQUEST);
  EXPECT_EQ(Find(proto::BY_SAGA, "").error().code(), proto::INVALID_REQUEST);
}

TEST_F(EventIndexProtocolTest, TopicConfigTurnsTheIndexOff) {
  proto::Request create = CreateTopicsRequest({"quiet"}, 1);
  create.mutable_create_topics()->mutable_topics(0)->mutable_config()->set_event_index(
      proto::EVENT_INDEX_OFF);
  std::optional<proto::Response> created = client_->Call(std::move(create));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->error().code(), proto::NONE);
  Produce("quiet", 0, Batch({EnvelopedRecord({.id = "q1", .type = "T", .saga = "q"})}));
  EXPECT_TRUE(Ids(proto::BY_SAGA, "q").empty());

  std::optional<proto::Response> metadata = client_->Call(MetadataRequest({"quiet"}));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->metadata().topics(0).config().event_index(), proto::EVENT_INDEX_OFF);

  proto::Request alter;
  alter.mutable_alter_topic()->set_name("quiet");
  alter.mutable_alter_topic()->mutable_config()->set_event_index(proto::EVENT_INDEX_ON);
  std::optional<proto::Response> altered = client_->Call(std::move(alter));
  ASSERT_TRUE(altered);
  ASSERT_EQ(altered->error().code(), proto::NONE) << altered->error().message();
  EXPECT_EQ(altered->alter_topic().topic().config().event_index(), proto::EVENT_INDEX_ON);
  Produce("quiet", 0, Batch({EnvelopedRecord({.id = "q2", .type = "T", .saga = "q"})}));
  EXPECT_EQ(Ids(proto::BY_SAGA, "q"), (std::vector<std::string>{"q2"}));
}

TEST_F(EventIndexProtocolTest, SagaDefinitionsStuckSagasAndMetrics) {
  CreateTopic(*client_, "orders", 1);
  EXPECT_EQ(Define("bad name", {"Done"}, 1000).error().code(), proto::INVALID_REQUEST);
  EXPECT_EQ(Define("order", {}, 1000).error().code(), proto::INVALID_REQUEST);
  EXPECT_EQ(Define("order", {"Done"}, 0).error().code(), proto::INVALID_REQUEST);
  EXPECT_EQ(Define("nothing", {"Done"}, 1000, /*remove=*/true).error().code(),
            proto::INVALID_REQUEST);
  ASSERT_EQ(Define("order", {"Done"}, 1).error().code(), proto::NONE);

  proto::Request list;
  list.mutable_list_saga_definitions();
  std::optional<proto::Response> listed = client_->Call(std::move(list));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->list_saga_definitions().definitions_size(), 1);
  EXPECT_EQ(listed->list_saga_definitions().definitions(0).deadline_ms(), 1);

  // Event times in the past: these sagas are long past their 1 ms deadline.
  Produce("orders", 0,
          Batch({EnvelopedRecord({.id = "a1", .type = "Created", .saga = "a"}),
                 EnvelopedRecord({.id = "a2", .type = "Paid", .saga = "a", .causation = "a1"}),
                 EnvelopedRecord({.id = "b1", .type = "Created", .saga = "b"}),
                 EnvelopedRecord({.id = "b2", .type = "Done", .saga = "b", .causation = "b1"})}));
  proto::Request stuck;
  stuck.mutable_stuck_sagas();
  std::optional<proto::Response> answer = client_->Call(std::move(stuck));
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->error().code(), proto::NONE) << answer->error().message();
  ASSERT_EQ(answer->stuck_sagas().sagas_size(), 1);
  const auto& a = answer->stuck_sagas().sagas(0);
  EXPECT_EQ(a.saga_id(), "a");
  EXPECT_EQ(a.definition(), "order");
  EXPECT_EQ(a.last_event().event_id(), "a2");
  EXPECT_GT(a.waiting_ms(), 0);
  ASSERT_EQ(answer->stuck_sagas().counts_size(), 1);
  EXPECT_EQ(answer->stuck_sagas().counts(0).open(), 1u);
  EXPECT_EQ(answer->stuck_sagas().counts(0).stuck(), 1u);

  proto::Request unknown;
  unknown.mutable_stuck_sagas()->set_definition("nope");
  answer = client_->Call(std::move(unknown));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->error().code(), proto::INVALID_REQUEST);

  HttpReply metrics = HttpGet(broker_->http_port(), "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("choreo_sagas_open{saga=\"order\"} 1"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("choreo_sagas_stuck{saga=\"order\"} 1"), std::string::npos);
}

}  // namespace
}  // namespace choreo::broker::testing

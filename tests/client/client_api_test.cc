// Admin and Consumer against a scripted FakeBroker: what they put on the wire and how they
// interpret answers. The Producer has its own tests (producer_*_test.cc).
#include <gtest/gtest.h>

#include <mutex>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "choreo/proto/batch.h"
#include "tests/client/fake_broker.h"

namespace choreo {
namespace {

using std::chrono::milliseconds;
using testing::FakeBroker;
using testing::FakeSession;

constexpr milliseconds kLong{10000};

ClientOptions OptionsFor(const FakeBroker& broker) {
  ClientOptions options;
  options.broker = broker.address();
  return options;
}

void SetError(proto::Error* error, proto::ErrorCode code, const std::string& message) {
  error->set_code(code);
  error->set_message(message);
}

// A broker with topic "t" of two partitions: partition 0 holds offsets 8..12 in one batch (log
// start 10 is inside it), partition 1 is empty at offset 99.
class ConsumerTest : public ::testing::Test {
 protected:
  ConsumerTest()
      : broker_([this](const proto::Request& request, FakeSession& session) {
          session.Reply(Answer(request));
        }) {}

  proto::Response Answer(const proto::Request& request) {
    proto::Response response = FakeBroker::ResponseTo(request);
    if (request.has_metadata()) {
      for (const std::string& name : request.metadata().topics()) {
        proto::TopicMetadata* topic = response.mutable_metadata()->add_topics();
        topic->set_name(name);
        if (name != "t") {
          SetError(topic->mutable_error(), proto::UNKNOWN_TOPIC, "no such topic");
          continue;
        }
        topic->mutable_config()->set_partitions(2);
        for (uint32_t p = 0; p < 2; ++p)
          topic->add_partitions()->set_partition(p);
      }
    } else if (request.has_list_offsets()) {
      for (const auto& query : request.list_offsets().partitions()) {
        auto* answer = response.mutable_list_offsets()->add_partitions();
        answer->set_topic(query.topic());
        answer->set_partition(query.partition());
        answer->set_offset(query.partition() == 0 ? 10 : 99);
      }
    } else if (request.has_fetch()) {
      std::lock_guard<std::mutex> lock(mu_);
      last_fetch_ = request.fetch();
      for (const auto& wanted : request.fetch().partitions()) {
        auto* p = response.mutable_fetch()->add_partitions();
        p->set_topic(wanted.topic());
        p->set_partition(wanted.partition());
        if (wanted.partition() == 0 && wanted.offset() < 8) {
          SetError(p->mutable_error(), proto::OFFSET_OUT_OF_RANGE, "");
        } else if (wanted.partition() == 0 && wanted.offset() <= 12) {
          proto::RecordList list;
          for (int i = 8; i <= 12; ++i)
            list.add_records()->set_value("v" + std::to_string(i));
          proto::FetchedBatch* batch = p->add_batches();
          batch->set_base_offset(8);
          proto::EncodeBatch(list, proto::COMPRESSION_NONE, {}, batch->mutable_batch());
        }
      }
    }
    return response;
  }

  std::unique_ptr<Consumer> MakeConsumer() {
    ConsumerOptions options{.client = OptionsFor(broker_)};
    options.max_wait = milliseconds(20);
    Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
    EXPECT_TRUE(consumer.ok()) << consumer.status().ToString();
    return consumer.ok() ? std::move(consumer).value() : nullptr;
  }

  std::mutex mu_;
  proto::FetchRequest last_fetch_;  // guarded by mu_
  FakeBroker broker_;
};

TEST_F(ConsumerTest, ResolvesStartOffsetsAndSkipsRecordsBelowPosition) {
  std::unique_ptr<Consumer> consumer = MakeConsumer();
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer
                  ->Assign({{{"t", 0}, std::nullopt, StartFrom::kEarliest},
                            {{"t", 1}, std::nullopt, StartFrom::kLatest}})
                  .ok());
  EXPECT_EQ(*consumer->Position({"t", 0}), 10);
  EXPECT_EQ(*consumer->Position({"t", 1}), 99);

  Result<std::vector<ConsumedRecord>> records = consumer->Poll(kLong);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  ASSERT_EQ(records->size(), 3u);  // 8 and 9 are below the position
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ((*records)[i].offset, 10 + i);
    EXPECT_EQ((*records)[i].record.value, "v" + std::to_string(10 + i));
    EXPECT_EQ((*records)[i].topic, "t");
  }
  EXPECT_EQ(*consumer->Position({"t", 0}), 13);
  {
    std::lock_guard<std::mutex> lock(mu_);
    EXPECT_EQ(last_fetch_.partitions_size(), 2);
    EXPECT_LE(last_fetch_.max_wait_ms(), 20u);
  }

  // Nothing more arrives: Poll returns empty once its timeout has passed.
  Result<std::vector<ConsumedRecord>> none = consumer->Poll(milliseconds(30));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(ConsumerTest, SeekAndOffsetOutOfRange) {
  std::unique_ptr<Consumer> consumer = MakeConsumer();
  ASSERT_NE(consumer, nullptr);
  ASSERT_TRUE(consumer->Assign({{{"t", 0}, int64_t{11}, StartFrom::kEarliest}}).ok());
  EXPECT_EQ(*consumer->Position({"t", 0}), 11);
  ASSERT_TRUE(consumer->Seek({"t", 0}, 2).ok());
  Result<std::vector<ConsumedRecord>> records = consumer->Poll(kLong);
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kOffsetOutOfRange);
  EXPECT_EQ(consumer->Seek({"t", 1}, 0).code(), ErrorCode::kInvalidArgument);  // not assigned
}

TEST_F(ConsumerTest, AssignValidatesTopicsAndPartitions) {
  std::unique_ptr<Consumer> consumer = MakeConsumer();
  ASSERT_NE(consumer, nullptr);
  EXPECT_EQ(consumer->Assign({{{"missing", 0}, std::nullopt, StartFrom::kEarliest}}).code(),
            ErrorCode::kUnknownTopic);
  EXPECT_EQ(consumer->Assign({{{"t", 2}, std::nullopt, StartFrom::kEarliest}}).code(),
            ErrorCode::kInvalidPartition);
  EXPECT_EQ(consumer->Poll(milliseconds(0)).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(consumer->Close().ok());
  EXPECT_EQ(consumer->Poll(milliseconds(0)).status().code(), ErrorCode::kClosed);
}

TEST(AdminTest, MapsPerTopicErrorsAndDescriptions) {
  FakeBroker broker([](const proto::Request& request, FakeSession& session) {
    proto::Response response = FakeBroker::ResponseTo(request);
    if (request.has_create_topics()) {
      proto::TopicResult* result = response.mutable_create_topics()->add_results();
      result->set_name(request.create_topics().topics(0).name());
      if (request.create_topics().topics(0).config().partitions() != 3) {
        SetError(result->mutable_error(), proto::TOPIC_ALREADY_EXISTS, "exists");
      }
    } else if (request.has_metadata()) {
      proto::TopicMetadata* topic = response.mutable_metadata()->add_topics();
      topic->set_name("orders");
      topic->set_topic_id(7);
      topic->mutable_config()->set_partitions(1);
      topic->mutable_config()->set_retention_ms(-1);
      proto::PartitionMetadata* p = topic->add_partitions();
      p->set_log_start_offset(5);
      p->set_high_watermark(9);
    }
    session.Reply(response);
  });
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(OptionsFor(broker));
  ASSERT_TRUE(admin.ok());
  EXPECT_TRUE((*admin)->CreateTopic("a", {.partitions = 3}).ok());
  EXPECT_EQ((*admin)->CreateTopic("a", {.partitions = 1}).code(), ErrorCode::kTopicAlreadyExists);

  Result<TopicDescription> orders = (*admin)->DescribeTopic("orders");
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  EXPECT_EQ(orders->topic_id, 7u);
  EXPECT_EQ(orders->settings.retention_ms, -1);
  ASSERT_EQ(orders->partitions.size(), 1u);
  EXPECT_EQ(orders->partitions[0].log_start_offset, 5);
  EXPECT_EQ(orders->partitions[0].high_watermark, 9);
  // The broker did not describe "other": reported as unknown rather than as an empty description.
  EXPECT_EQ((*admin)->DescribeTopic("other").status().code(), ErrorCode::kUnknownTopic);
  Result<std::vector<TopicDescription>> all = (*admin)->ListTopics();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].name, "orders");
}

}  // namespace
}  // namespace choreo

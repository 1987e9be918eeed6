// Dead letters, parking and their resolution through the dead-letter topic (what `choreo dlq`
// does), against an in-process broker.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "choreo/saga/dead_letters.h"
#include "test_events.pb.h"
#include "tests/saga/saga_test_util.h"

namespace choreo::saga {
namespace {

using sagatest::v1::Step;
using testing::WaitFor;

class DeadLetterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    broker_ = testing::StartBroker();
    publisher_ = testing::NewPublisher(*broker_);
    service_ = SagaService::Create(testing::TestServiceOptions(*broker_, "steps")).value();
    service_->On<Step>([this](HandlerContext& ctx, const Step& step) {
      if (broken_.load() && ctx.saga_id() == "bad" && step.n() == 1) {
        return Status(ErrorCode::kUnknown, "step 1 of bad is broken");
      }
      std::lock_guard lock(mu_);
      seen_[ctx.saga_id()].push_back(step.n());
      return OkStatus();
    });
    ASSERT_TRUE(service_->Start().ok());
  }
  void TearDown() override { service_->Stop(); }

  void PublishSteps(const std::string& saga, int from, int to) {
    for (int n = from; n < to; ++n) {
      Step step;
      step.set_saga(saga);
      step.set_n(n);
      ASSERT_TRUE(publisher_->Publish(saga, step).ok());
    }
  }
  std::vector<int> Seen(const std::string& saga) {
    std::lock_guard lock(mu_);
    return seen_[saga];
  }
  std::vector<ParkedSaga> Parked() {
    auto parked = ReadParkedSagas(broker_->client_options(), "steps.dlq");
    EXPECT_TRUE(parked.ok()) << parked.status().ToString();
    return parked.ok() ? *parked : std::vector<ParkedSaga>{};
  }
  // Dead-letters step 1 of saga "bad" and parks steps 2 and 3 behind it.
  void BreakSagaBad() {
    PublishSteps("bad", 0, 4);
    PublishSteps("good", 0, 4);
    ASSERT_TRUE(WaitFor([&] { return Seen("good").size() == 4; }));
    ASSERT_TRUE(WaitFor([&] {
      auto parked = Parked();
      return parked.size() == 1 && parked[0].records.size() == 3;
    }));
    EXPECT_EQ(Seen("bad"), std::vector<int>{0});
  }

  std::unique_ptr<choreo::testing::TestBroker> broker_;
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<SagaService> service_;
  std::atomic<bool> broken_{true};
  std::mutex mu_;
  std::map<std::string, std::vector<int>> seen_;
};

TEST_F(DeadLetterTest, LastFailureIsDeadLetteredWithItsStoryAndTheSagaParks) {
  BreakSagaBad();
  const std::vector<ParkedSaga> parked = Parked();
  const ParkedSaga& saga = parked[0];
  EXPECT_EQ(saga.saga_id, "bad");
  ASSERT_EQ(saga.records.size(), 3u);
  const DeadLetter& dead = saga.records[0];
  EXPECT_EQ(dead.kind, DeadLetterKind::kDead);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_EQ(dead.handler, "steps/sagatest.v1.Step");
  EXPECT_NE(dead.error.find("step 1 of bad is broken"), std::string::npos) << dead.error;
  EXPECT_EQ(dead.topic, "sagatest.v1.Step");
  EXPECT_GE(dead.offset, 0);
  ASSERT_TRUE(dead.envelope.has_value());
  EXPECT_EQ(dead.envelope->saga_id, "bad");
  Step step;
  ASSERT_TRUE(step.ParseFromString(dead.record.value));
  EXPECT_EQ(step.n(), 1);
  EXPECT_EQ(saga.records[1].kind, DeadLetterKind::kParked);
  EXPECT_EQ(saga.records[2].kind, DeadLetterKind::kParked);
  EXPECT_LT(saga.records[1].offset, saga.records[2].offset);

  const ServiceStats stats = service_->Stats();
  EXPECT_EQ(stats.by_type.at("sagatest.v1.Step").dead_lettered, 1u);
  EXPECT_EQ(stats.by_type.at("sagatest.v1.Step").parked, 2u);
  EXPECT_EQ(stats.parked_sagas, 1u);
}

TEST_F(DeadLetterTest, ReplayHandlesTheDeadLetterAndParkedEventsInOrder) {
  BreakSagaBad();
  broken_ = false;
  ASSERT_TRUE(RequestDeadLetterAction(broker_->client_options(), "steps.dlq", "bad",
                                      DeadLetterKind::kReplay)
                  .ok());
  ASSERT_TRUE(WaitFor([&] { return Seen("bad").size() == 4; }));
  EXPECT_EQ(Seen("bad"), (std::vector<int>{0, 1, 2, 3}));
  ASSERT_TRUE(WaitFor([&] { return Parked().empty(); }));
  PublishSteps("bad", 4, 5);  // no longer parked
  ASSERT_TRUE(WaitFor([&] { return Seen("bad").size() == 5; }));
  EXPECT_EQ(Seen("bad").back(), 4);
  EXPECT_EQ(service_->Stats().by_type.at("").replayed, 3u);
}

TEST_F(DeadLetterTest, DiscardDropsThemAndLaterEventsAreHandledAgain) {
  BreakSagaBad();
  ASSERT_TRUE(RequestDeadLetterAction(broker_->client_options(), "steps.dlq", "bad",
                                      DeadLetterKind::kDiscard)
                  .ok());
  ASSERT_TRUE(WaitFor([&] { return Parked().empty(); }));
  PublishSteps("bad", 4, 5);
  ASSERT_TRUE(WaitFor([&] { return Seen("bad").size() == 2; }));
  EXPECT_EQ(Seen("bad"), (std::vector<int>{0, 4}));
}

TEST_F(DeadLetterTest, ControlRequestsAreValidated) {
  EXPECT_EQ(
      RequestDeadLetterAction(broker_->client_options(), "steps.dlq", "x", DeadLetterKind::kParked)
          .code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      RequestDeadLetterAction(broker_->client_options(), "steps.dlq", "", DeadLetterKind::kReplay)
          .code(),
      ErrorCode::kInvalidArgument);
}

TEST(DeadLetterPublishTest, PublishingToAMissingTopicFailsTheHandlerNotTheService) {
  choreo::testing::TestBrokerOptions broker_options;
  broker_options.auto_create_topics = false;
  broker_options.group_heartbeat_interval = std::chrono::milliseconds(100);
  auto broker = choreo::testing::TestBroker::Start(broker_options).value();
  ASSERT_TRUE(broker->CreateTopic("sagatest.v1.Step", 2).ok());
  ASSERT_TRUE(broker->CreateTopic("steps.dlq", 2).ok());
  ASSERT_TRUE(broker->CreateTopic("sagatest.v1.StepSeen", 2).ok());
  ServiceOptions options = testing::TestServiceOptions(*broker, "steps");
  options.create_topic_partitions = 0;
  auto service = SagaService::Create(options).value();
  service->On<Step>([](HandlerContext& ctx, const Step& step) {
    sagatest::v1::StepSeen seen;
    seen.set_n(step.n());
    // Step 0 goes to a topic nobody created; the others to one that exists.
    return ctx.Publish(seen, {.topic = step.n() == 0 ? "no-such-topic" : ""});
  });
  ASSERT_TRUE(service->Start().ok());
  auto publisher = testing::NewPublisher(*broker);
  for (int n = 0; n < 2; ++n) {
    Step step;
    step.set_n(n);
    ASSERT_TRUE(publisher->Publish("s-" + std::to_string(n), step).ok());
  }
  ASSERT_TRUE(WaitFor([&] {
    const EventTypeStats stats = service->Stats().by_type["sagatest.v1.Step"];
    return stats.dead_lettered == 1 && stats.handled == 1;
  }));
  auto parked = ReadParkedSagas(broker->client_options(), "steps.dlq");
  ASSERT_TRUE(parked.ok());
  ASSERT_EQ(parked->size(), 1u);
  EXPECT_NE(parked->at(0).records.at(0).error.find("no-such-topic"), std::string::npos)
      << parked->at(0).records.at(0).error;
  service->Stop();
}

}  // namespace
}  // namespace choreo::saga

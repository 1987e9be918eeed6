// StepSender against an in-process broker, with a real group member as the sink's identity:
// many steps in few requests, in order, and new producer epochs when sequences grow large.
#include "client/saga/step_sender.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "choreo/client/consumer.h"
#include "tests/saga/saga_test_util.h"

namespace choreo::saga::internal {
namespace {

// A sink that finishes everything it is given, commits nothing, and counts acknowledgements.
class CountingSink : public StepSink {
 public:
  CountingSink(std::string member_id, int32_t epoch)
      : member_id_(std::move(member_id)), epoch_(epoch) {}
  std::vector<InputCommit> Finish(std::vector<StepResult>&, std::string* member_id,
                                  int32_t* member_epoch) override {
    Member(member_id, member_epoch);
    return {};
  }
  void Member(std::string* member_id, int32_t* member_epoch) override {
    *member_id = member_id_;
    *member_epoch = epoch_;
  }
  void Acknowledged(const std::vector<StepResult>& results) override { acked += results.size(); }
  void Resync(const std::vector<StepResult>&, const Status& why) override {
    std::lock_guard lock(mu);
    errors.push_back(why.ToString());
  }
  void Fatal(const Status& why) override {
    std::lock_guard lock(mu);
    errors.push_back("fatal: " + why.ToString());
  }

  std::atomic<size_t> acked{0};
  std::mutex mu;
  std::vector<std::string> errors;

 private:
  const std::string member_id_;
  const int32_t epoch_;
};

TEST(StepSenderTest, StartsNewEpochsBeforeSequencesGrowLargeAndLosesNothing) {
  auto broker = saga::testing::StartBroker();
  ASSERT_TRUE(broker->CreateTopic("in", 1).ok());
  ASSERT_TRUE(broker->CreateTopic("out", 1).ok());
  // A group member, so that the broker accepts its steps.
  ConsumerOptions consumer_options{.client = broker->client_options(), .group_id = "g"};
  auto consumer = Consumer::Create(consumer_options).value();
  ASSERT_TRUE(consumer->Subscribe({"in"}).ok());
  ASSERT_TRUE(saga::testing::WaitFor([&] {
    (void)consumer->Poll(std::chrono::milliseconds(50));
    return !consumer->Assignment().empty();
  }));

  CountingSink sink(consumer->MemberId(), consumer->MemberEpoch());
  TopicEnsurer topics(broker->client_options(), 0);
  StepSender sender({.client = broker->client_options(),
                     .group_id = "g",
                     .max_request_bytes = 4ull << 20,
                     .renew_epoch_after_sequence = 5},
                    sink, topics);
  ASSERT_TRUE(sender.Start().ok());
  constexpr int kSteps = 60;
  for (int i = 0; i < kSteps; ++i) {
    StepResult step;
    step.input = {"in", 0};
    step.offset = i;
    step.outputs.push_back(StepOutput::FromRecord(
        "out", Record{.key = "k", .value = std::to_string(i), .headers = {}, .timestamp_ms = 1}));
    sender.Add(std::move(step));
    if (i % 10 == 9) {
      // Let requests go out in between, so sequences pass the bound several times.
      ASSERT_TRUE(saga::testing::WaitFor([&] { return sink.acked.load() == size_t(i + 1); }));
    }
  }
  ASSERT_TRUE(saga::testing::WaitFor([&] { return sink.acked.load() == size_t{kSteps}; }));
  sender.Stop(std::chrono::seconds(5));
  {
    std::lock_guard lock(sink.mu);
    EXPECT_TRUE(sink.errors.empty()) << sink.errors.front();
  }
  EXPECT_GE(sender.epochs_renewed(), 2u);
  auto records = broker->ReadAll("out").value();
  ASSERT_EQ(records.size(), size_t{kSteps});
  for (int i = 0; i < kSteps; ++i)
    EXPECT_EQ(records[i].record.value, std::to_string(i));
  (void)consumer->Close();
}

}  // namespace
}  // namespace choreo::saga::internal

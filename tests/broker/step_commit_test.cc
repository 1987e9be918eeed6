// StepCommit over the wire: a group member's output batches and input offsets in one write, the
// fencing of zombies, the request checks, and the idempotent producer's sequence rules. Every
// rejected step is checked to have written nothing (no batch, no offset).
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "choreo/proto/batch.h"
#include "tests/broker/broker_fixture.h"

namespace choreo::broker::testing {
namespace {

struct Out {
  std::string topic = "out";
  uint32_t partition = 0;
  std::string batch;
};

struct In {
  uint32_t partition = 0;
  int64_t offset = 0;
};

class StepCommitTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    client_ = Connect();
    CreateTopic(*client_, "in", 2);
    CreateTopic(*client_, "out", 2);
    member_ = Join(/*session_ms=*/10000);
    proto::Request init;
    init.mutable_init_producer()->set_producer_id(-1);
    std::optional<proto::Response> granted = client_->Call(std::move(init));
    ASSERT_TRUE(granted);
    ASSERT_EQ(granted->error().code(), proto::NONE) << granted->error().message();
    producer_ = granted->init_producer();
  }
  void TearDown() override {
    client_.reset();
    BrokerFixture::TearDown();
  }

  // Joins group "svc" subscribed to "in"; a lone member gets both partitions at once.
  proto::ConsumerGroupHeartbeatResponse Join(uint32_t session_ms) {
    proto::Request request;
    auto* heartbeat = request.mutable_group_heartbeat();
    heartbeat->set_group_id("svc");
    heartbeat->set_member_epoch(0);
    heartbeat->add_subscribed_topics("in");
    heartbeat->set_session_timeout_ms(session_ms);
    std::optional<proto::Response> response = client_->Call(std::move(request));
    EXPECT_TRUE(response);
    EXPECT_EQ(response->error().code(), proto::NONE) << response->error().message();
    return response->group_heartbeat();
  }

  // An idempotent batch of `count` records at `sequence`.
  std::string Batch(int32_t sequence, int count) const {
    proto::RecordList records;
    for (int i = 0; i < count; ++i)
      records.add_records()->set_value("e" + std::to_string(sequence + i));
    std::string batch;
    EXPECT_TRUE(proto::EncodeBatch(records, proto::COMPRESSION_NONE,
                                   {.producer_id = producer_.producer_id(),
                                    .producer_epoch = producer_.producer_epoch(),
                                    .base_sequence = sequence},
                                   &batch));
    return batch;
  }

  proto::Response Step(const std::vector<Out>& batches, const std::vector<In>& offsets,
                       const std::string& member_id, int32_t epoch) {
    proto::Request request;
    proto::StepCommitRequest* step = request.mutable_step_commit();
    step->set_group_id("svc");
    step->set_member_id(member_id);
    step->set_member_epoch(epoch);
    for (const Out& out : batches) {
      auto* batch = step->add_batches();
      batch->set_topic(out.topic);
      batch->set_partition(out.partition);
      batch->set_batch(out.batch);
    }
    for (const In& in : offsets) {
      auto* p = step->add_offsets();
      p->set_topic("in");
      p->set_partition(in.partition);
      p->set_offset(in.offset);
    }
    std::optional<proto::Response> response = client_->Call(std::move(request));
    EXPECT_TRUE(response);
    return response.value_or(proto::Response());
  }
  proto::Response Step(const std::vector<Out>& batches, const std::vector<In>& offsets) {
    return Step(batches, offsets, member_.member_id(), member_.member_epoch());
  }

  int64_t HighWatermark(uint32_t partition) {
    std::optional<proto::Response> response =
        client_->Call(ListOffsetsRequest("out", partition, proto::ListOffsetsRequest::LATEST));
    EXPECT_TRUE(response);
    return response->list_offsets().partitions(0).offset();
  }

  int64_t Committed(uint32_t partition) {
    proto::Request request;
    request.mutable_offset_fetch()->set_group_id("svc");
    auto* partitions = request.mutable_offset_fetch()->add_partitions();
    partitions->set_topic("in");
    partitions->add_partitions(partition);
    std::optional<proto::Response> response = client_->Call(std::move(request));
    EXPECT_TRUE(response);
    return response->offset_fetch().partitions(0).offset();
  }

  // Nothing was ever appended to "out" nor committed for "in".
  void ExpectNothingWritten() {
    EXPECT_EQ(HighWatermark(0), 0);
    EXPECT_EQ(HighWatermark(1), 0);
    EXPECT_EQ(Committed(0), -1);
    EXPECT_EQ(Committed(1), -1);
  }

  std::unique_ptr<TestClient> client_;
  proto::ConsumerGroupHeartbeatResponse member_;
  proto::InitProducerResponse producer_;
};

TEST_F(StepCommitTest, MemberStepIsAppliedAndItsRetryIsADuplicate) {
  const std::vector<Out> batches = {{.partition = 0, .batch = Batch(0, 2)},
                                    {.partition = 1, .batch = Batch(0, 3)}};
  proto::Response applied = Step(batches, {{0, 5}, {1, 3}});
  ASSERT_EQ(applied.error().code(), proto::NONE) << applied.error().message();
  ASSERT_EQ(applied.step_commit().batches_size(), 2);
  for (int i = 0; i < 2; ++i) {
    const proto::StepCommitResponse::Batch& batch = applied.step_commit().batches(i);
    EXPECT_EQ(batch.topic(), "out");
    EXPECT_EQ(batch.partition(), static_cast<uint32_t>(i));
    EXPECT_EQ(batch.base_offset(), 0);
    EXPECT_FALSE(batch.duplicate());
  }
  EXPECT_EQ(HighWatermark(0), 2);
  EXPECT_EQ(HighWatermark(1), 3);
  EXPECT_EQ(Committed(0), 5);
  EXPECT_EQ(Committed(1), 3);
  std::optional<proto::Response> fetched = client_->Call(FetchRequest("out", 1, 0));
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->fetch().partitions(0).batches_size(), 1);
  EXPECT_EQ(BatchValues(fetched->fetch().partitions(0).batches(0).batch()),
            (std::vector<std::string>{"e0", "e1", "e2"}));

  // The retry (say, after a lost answer) is answered with the original offsets; it appends
  // nothing and does not commit its offsets again.
  proto::Response retry = Step(batches, {{0, 9}, {1, 9}});
  ASSERT_EQ(retry.error().code(), proto::NONE) << retry.error().message();
  ASSERT_EQ(retry.step_commit().batches_size(), 2);
  EXPECT_EQ(retry.step_commit().batches(0).base_offset(), 0);
  EXPECT_TRUE(retry.step_commit().batches(0).duplicate());
  EXPECT_EQ(retry.step_commit().batches(1).base_offset(), 0);
  EXPECT_TRUE(retry.step_commit().batches(1).duplicate());
  EXPECT_EQ(HighWatermark(0), 2);
  EXPECT_EQ(HighWatermark(1), 3);
  EXPECT_EQ(Committed(0), 5);

  // The next step continues the sequences.
  proto::Response next = Step({{.partition = 0, .batch = Batch(2, 1)}}, {{0, 6}});
  ASSERT_EQ(next.error().code(), proto::NONE) << next.error().message();
  EXPECT_EQ(next.step_commit().batches(0).base_offset(), 2);
  EXPECT_EQ(Committed(0), 6);
}

TEST_F(StepCommitTest, StaleEpochIsFencedAndWritesNothing) {
  proto::Response stale = Step({{.partition = 0, .batch = Batch(0, 1)}}, {{0, 1}},
                               member_.member_id(), member_.member_epoch() + 5);
  EXPECT_EQ(stale.error().code(), proto::ILLEGAL_GENERATION) << stale.error().message();
  EXPECT_FALSE(stale.has_step_commit());
  ExpectNothingWritten();
}

TEST_F(StepCommitTest, MemberThatLeftIsUnknownAndWritesNothing) {
  proto::Request leave;
  leave.mutable_group_heartbeat()->set_group_id("svc");
  leave.mutable_group_heartbeat()->set_member_id(member_.member_id());
  leave.mutable_group_heartbeat()->set_member_epoch(-1);
  std::optional<proto::Response> left = client_->Call(std::move(leave));
  ASSERT_TRUE(left);
  ASSERT_EQ(left->error().code(), proto::NONE) << left->error().message();

  proto::Response zombie = Step({{.partition = 0, .batch = Batch(0, 1)}}, {{0, 1}});
  EXPECT_EQ(zombie.error().code(), proto::UNKNOWN_MEMBER_ID) << zombie.error().message();
  ExpectNothingWritten();
}

TEST_F(StepCommitTest, ExpiredMemberIsUnknownAndWritesNothing) {
  // A second member with a short session that stops heartbeating.
  const proto::ConsumerGroupHeartbeatResponse expiring = Join(/*session_ms=*/200);
  // Wait (with a deadline) until the coordinator has removed it; nothing is sent as it in the
  // meantime, so the outcome does not depend on timing.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool removed = false;
  while (!removed && std::chrono::steady_clock::now() < deadline) {
    // The live member keeps its session.
    proto::Request beat;
    beat.mutable_group_heartbeat()->set_group_id("svc");
    beat.mutable_group_heartbeat()->set_member_id(member_.member_id());
    beat.mutable_group_heartbeat()->set_member_epoch(member_.member_epoch());
    std::optional<proto::Response> answer = client_->Call(std::move(beat));
    ASSERT_TRUE(answer);
    if (answer->error().code() == proto::NONE) member_ = answer->group_heartbeat();
    proto::Request describe;
    describe.mutable_describe_groups()->add_group_ids("svc");
    std::optional<proto::Response> described = client_->Call(std::move(describe));
    ASSERT_TRUE(described);
    removed = true;
    for (const auto& group : described->describe_groups().groups())
      for (const auto& m : group.members())
        removed = removed && m.member_id() != expiring.member_id();
    if (!removed) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling
  }
  ASSERT_TRUE(removed) << "the expiring member was never removed";

  proto::Response zombie = Step({{.partition = 0, .batch = Batch(0, 1)}}, {{0, 1}},
                                expiring.member_id(), expiring.member_epoch());
  EXPECT_EQ(zombie.error().code(), proto::UNKNOWN_MEMBER_ID) << zombie.error().message();
  ExpectNothingWritten();
}

TEST_F(StepCommitTest, OffsetsOfAPartitionNotOwnedAreRejected) {
  // The member subscribes to "in" only; "out" partition 0 is not its to commit.
  proto::Request request;
  proto::StepCommitRequest* step = request.mutable_step_commit();
  step->set_group_id("svc");
  step->set_member_id(member_.member_id());
  step->set_member_epoch(member_.member_epoch());
  auto* batch = step->add_batches();
  batch->set_topic("out");
  batch->set_partition(1);
  batch->set_batch(Batch(0, 1));
  for (const char* topic : {"in", "out"}) {
    auto* p = step->add_offsets();
    p->set_topic(topic);
    p->set_partition(0);
    p->set_offset(4);
  }
  std::optional<proto::Response> response = client_->Call(std::move(request));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error().code(), proto::ILLEGAL_GENERATION) << response->error().message();
  ExpectNothingWritten();
}

TEST_F(StepCommitTest, InvalidBatchesRejectTheWholeStep) {
  struct Case {
    std::vector<Out> batches;
    proto::ErrorCode code;
  };
  const std::vector<Case> cases = {
      // Not idempotent.
      {{{.partition = 0, .batch = Batch(0, 1)}, {.partition = 1, .batch = MakeBatch(1)}},
       proto::INVALID_REQUEST},
      // Two batches for one partition, even in sequence.
      {{{.partition = 0, .batch = Batch(0, 1)}, {.partition = 0, .batch = Batch(1, 1)}},
       proto::INVALID_REQUEST},
      {{{.partition = 0, .batch = Batch(0, 1)}, {.topic = "nope", .batch = Batch(0, 1)}},
       proto::UNKNOWN_TOPIC},
      {{{.partition = 0, .batch = Batch(0, 1)}, {.partition = 2, .batch = Batch(0, 1)}},
       proto::INVALID_PARTITION},
      {{{.partition = 0, .batch = Batch(0, 1)}, {.partition = 1, .batch = "garbage"}},
       proto::CORRUPT_MESSAGE},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    proto::Response response = Step(cases[i].batches, {{0, 1}});
    EXPECT_EQ(response.error().code(), cases[i].code) << i << ": " << response.error().message();
  }
  EXPECT_EQ(Step({}, {}).error().code(), proto::INVALID_REQUEST);
  EXPECT_EQ(Step({{.partition = 0, .batch = Batch(0, 1)}}, {{0, 1}}, "", 0).error().code(),
            proto::INVALID_REQUEST);
  ExpectNothingWritten();
}

TEST_F(StepCommitTest, SequenceGapIsOutOfOrderAndWritesNothing) {
  proto::Response gap = Step(
      {{.partition = 0, .batch = Batch(0, 1)}, {.partition = 1, .batch = Batch(3, 1)}}, {{0, 1}});
  EXPECT_EQ(gap.error().code(), proto::OUT_OF_ORDER_SEQUENCE) << gap.error().message();
  ExpectNothingWritten();

  // Nothing of it is remembered: the corrected step is appended from the start.
  proto::Response fixed = Step(
      {{.partition = 0, .batch = Batch(0, 1)}, {.partition = 1, .batch = Batch(0, 1)}}, {{0, 1}});
  ASSERT_EQ(fixed.error().code(), proto::NONE) << fixed.error().message();
  EXPECT_FALSE(fixed.step_commit().batches(0).duplicate());
  EXPECT_EQ(HighWatermark(0), 1);
  EXPECT_EQ(HighWatermark(1), 1);
  EXPECT_EQ(Committed(0), 1);
}

// Minor 1 brought StepCommit; a broker of any later minor still serves it.
TEST_F(StepCommitTest, HandshakeAnnouncesAMinorVersionWithStepCommit) {
  std::unique_ptr<TestClient> client = Connect(/*handshake=*/false);
  proto::Request request;
  request.mutable_handshake()->set_protocol_major(1);
  request.mutable_handshake()->set_protocol_minor(0);  // an older client is still welcome
  std::optional<proto::Response> response = client->Call(std::move(request));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->error().code(), proto::NONE);
  EXPECT_EQ(response->handshake().protocol_major(), 1u);
  EXPECT_GE(response->handshake().protocol_minor(), 1u);
}

}  // namespace
}  // namespace choreo::broker::testing

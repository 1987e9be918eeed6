// The sequence rule in isolation, and the pinned bytes of the producer formats (the `producers`
// column family and the producer keys of `meta`). A format change needs a new version byte, not
// an edit of the expected bytes.
#include <gtest/gtest.h>

#include <string>

#include "storage/meta_format.h"
#include "storage/producer_format.h"
#include "storage/producer_state.h"

namespace choreo::storage {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes)
    out.push_back(static_cast<char>(b));
  return out;
}

TEST(SequenceRuleTest, FirstBatchMustStartAtZero) {
  EXPECT_EQ(CheckSequence(nullptr, 0, 0, 5).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(CheckSequence(nullptr, 0, 1, 5).verdict, SequenceVerdict::kOutOfOrder);
}

TEST(SequenceRuleTest, WindowKeepsTheLastFiveBatches) {
  ProducerPartitionState state;
  for (int32_t i = 0; i < 7; ++i) {
    ASSERT_EQ(CheckSequence(&state, 0, i * 2, 2).verdict, SequenceVerdict::kAppend) << i;
    RecordAppend(state, 0, i * 2, 2, 100 + i * 2);
  }
  EXPECT_EQ(state.last_sequence, 13);
  ASSERT_EQ(state.window.size(), kProducerWindowSize);
  EXPECT_EQ(state.window.front().base_sequence, 4);
  SequenceCheck dup = CheckSequence(&state, 0, 6, 2);
  EXPECT_EQ(dup.verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(dup.duplicate_base_offset, 106);
  EXPECT_EQ(CheckSequence(&state, 0, 2, 2).verdict, SequenceVerdict::kStaleSequence);
  EXPECT_EQ(CheckSequence(&state, 0, 15, 1).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(CheckSequence(&state, 0, 14, 1).verdict, SequenceVerdict::kAppend);
}

TEST(SequenceRuleTest, NewEpochRestartsAtZeroAndDropsTheWindow) {
  ProducerPartitionState state;
  RecordAppend(state, 0, 0, 3, 0);
  EXPECT_EQ(CheckSequence(&state, 1, 3, 1).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(CheckSequence(&state, 1, 0, 3).verdict, SequenceVerdict::kAppend);
  RecordAppend(state, 1, 0, 1, 3);
  EXPECT_EQ(state.epoch, 1);
  ASSERT_EQ(state.window.size(), 1u);
  EXPECT_EQ(state.window[0].base_offset, 3);
}

TEST(SequenceRuleTest, RejectsNegativeAndOverflowingSequences) {
  EXPECT_EQ(CheckSequence(nullptr, 0, -1, 1).verdict, SequenceVerdict::kInvalid);
  ProducerPartitionState state;
  RecordAppend(state, 0, 0, 1, 0);
  state.last_sequence = 2147483646;
  EXPECT_EQ(CheckSequence(&state, 0, 2147483647, 1).verdict, SequenceVerdict::kAppend);
  EXPECT_EQ(CheckSequence(&state, 0, 2147483647, 2).verdict, SequenceVerdict::kInvalid);
}

TEST(ProducerFormatTest, KeyBytesArePinned) {
  std::string key = EncodeProducerStateKey(
      {.topic_id = 0x01020304, .partition = 0x05060708, .producer_id = 0x1112131415161718});
  EXPECT_EQ(key, Bytes({0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x11, 0x12, 0x13,
                        0x14, 0x15, 0x16, 0x17, 0x18}));
  std::optional<ProducerStateKey> decoded = DecodeProducerStateKey(key);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->topic_id, 0x01020304u);
  EXPECT_EQ(decoded->partition, 0x05060708u);
  EXPECT_EQ(decoded->producer_id, 0x1112131415161718);
  std::string v2 = key;
  v2[0] = 2;
  EXPECT_FALSE(DecodeProducerStateKey(v2).has_value());
  EXPECT_FALSE(DecodeProducerStateKey(key.substr(0, 16)).has_value());

  KeyRange topic = ProducerTopicKeyRange(7);
  EXPECT_LE(topic.begin, EncodeProducerStateKey({.topic_id = 7}));
  EXPECT_LT(EncodeProducerStateKey({.topic_id = 7, .partition = 0xFFFFFFFF, .producer_id = 9}),
            topic.end);
  EXPECT_LE(topic.end, EncodeProducerStateKey({.topic_id = 8}));
}

TEST(ProducerFormatTest, ValueBytesArePinnedAndRoundTrip) {
  ProducerPartitionState state{
      .epoch = 2,
      .last_sequence = 0x0105,
      .window = {{.base_sequence = 0x0100, .record_count = 6, .base_offset = 0x0A0B}}};
  std::string value = EncodeProducerState(state);
  EXPECT_EQ(value, Bytes({0x01, 0, 0,    0,    2, 0, 0,    0x01, 0x05, 1,  // version epoch last n
                          0,    0, 0x01, 0x00, 0, 0, 0,    6,              // base_sequence count
                          0,    0, 0,    0,    0, 0, 0x0A, 0x0B}));        // base_offset
  absl::StatusOr<ProducerPartitionState> decoded = DecodeProducerState(value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, state);
  EXPECT_TRUE(DecodeProducerState(value + "later").ok());
  EXPECT_EQ(DecodeProducerState(value.substr(0, value.size() - 1)).status().code(),
            absl::StatusCode::kDataLoss);
  std::string too_many = value;
  too_many[9] = 6;
  EXPECT_EQ(DecodeProducerState(too_many).status().code(), absl::StatusCode::kDataLoss);
}

TEST(ProducerFormatTest, MetaKeysArePinned) {
  EXPECT_EQ(NextProducerIdMetaKey(), "P");
  EXPECT_EQ(EncodeNextProducerId(0x0102), Bytes({0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x02}));
  EXPECT_EQ(DecodeNextProducerId(EncodeNextProducerId(77)).value(), 77);
  EXPECT_EQ(ProducerEpochMetaKey(0x0102), Bytes({'E', 0, 0, 0, 0, 0, 0, 0x01, 0x02}));
  EXPECT_EQ(ProducerIdFromEpochKey(ProducerEpochMetaKey(42)), 42);
  EXPECT_FALSE(ProducerIdFromEpochKey(NextProducerIdMetaKey()).has_value());
  EXPECT_LE(ProducerEpochMetaRangeBegin(), ProducerEpochMetaKey(0));
  EXPECT_LT(ProducerEpochMetaKey(0x7FFFFFFFFFFFFFFF), ProducerEpochMetaRangeEnd());
  EXPECT_EQ(EncodeProducerEpoch(3), Bytes({0x01, 0, 0, 0, 3}));
  EXPECT_EQ(DecodeProducerEpoch(EncodeProducerEpoch(9)).value(), 9);
}

}  // namespace
}  // namespace choreo::storage

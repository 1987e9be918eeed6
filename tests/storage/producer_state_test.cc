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

TEST(SequenceRuleTest, RejectsNegativeSequencesAndOversizedBatches) {
  EXPECT_EQ(CheckSequence(nullptr, 0, -1, 1).verdict, SequenceVerdict::kInvalid);
  EXPECT_EQ(CheckSequence(nullptr, 0, 0, 0).verdict, SequenceVerdict::kInvalid);
  EXPECT_EQ(CheckSequence(nullptr, 0, 0, kMaxSequencesPerBatch + 1).verdict,
            SequenceVerdict::kInvalid);
  EXPECT_EQ(CheckSequence(nullptr, 0, 0, kMaxSequencesPerBatch).verdict, SequenceVerdict::kAppend);
}

constexpr int32_t kMax = 2147483647;

// A producer whose last appended record had sequence `last`, with that batch in the window.
ProducerPartitionState StateEndingAt(int32_t last, uint32_t records, Offset base_offset) {
  ProducerPartitionState state;
  RecordAppend(state, 0, last - static_cast<int32_t>(records) + 1, records, base_offset);
  return state;
}

TEST(SequenceWrapTest, AfterIntMaxComesZero) {
  ProducerPartitionState state = StateEndingAt(kMax, 1, 10);
  EXPECT_EQ(CheckSequence(&state, 0, 0, 3).verdict, SequenceVerdict::kAppend);
  RecordAppend(state, 0, 0, 3, 11);
  EXPECT_EQ(state.last_sequence, 2);
  EXPECT_EQ(CheckSequence(&state, 0, 3, 1).verdict, SequenceVerdict::kAppend);
}

TEST(SequenceWrapTest, ABatchMayStraddleTheWrap) {
  ProducerPartitionState state = StateEndingAt(kMax - 2, 1, 10);
  // kMax-1, kMax, 0, 1
  ASSERT_EQ(CheckSequence(&state, 0, kMax - 1, 4).verdict, SequenceVerdict::kAppend);
  RecordAppend(state, 0, kMax - 1, 4, 11);
  EXPECT_EQ(state.last_sequence, 1);
  EXPECT_EQ(CheckSequence(&state, 0, 2, 5).verdict, SequenceVerdict::kAppend);
  // Its retry is a duplicate answered with its offsets, not a gap or a stale batch.
  SequenceCheck retry = CheckSequence(&state, 0, kMax - 1, 4);
  EXPECT_EQ(retry.verdict, SequenceVerdict::kDuplicate);
  EXPECT_EQ(retry.duplicate_base_offset, 11);
}

TEST(SequenceWrapTest, DuplicatesAndGapsAcrossTheWrap) {
  ProducerPartitionState state = StateEndingAt(kMax - 4, 5, 100);  // kMax-8 .. kMax-4
  RecordAppend(state, 0, kMax - 3, 4, 105);                        // kMax-3 .. kMax
  RecordAppend(state, 0, 0, 2, 109);                               // 0 .. 1
  EXPECT_EQ(state.last_sequence, 1);
  // Retries of batches on both sides of the wrap.
  EXPECT_EQ(CheckSequence(&state, 0, kMax - 8, 5).duplicate_base_offset, 100);
  EXPECT_EQ(CheckSequence(&state, 0, kMax - 3, 4).duplicate_base_offset, 105);
  EXPECT_EQ(CheckSequence(&state, 0, 0, 2).duplicate_base_offset, 109);
  // Behind the next sequence (before the wrap, numerically larger) but not a window batch: stale.
  EXPECT_EQ(CheckSequence(&state, 0, kMax - 1, 2).verdict, SequenceVerdict::kStaleSequence);
  EXPECT_EQ(CheckSequence(&state, 0, kMax - 20, 1).verdict, SequenceVerdict::kStaleSequence);
  // Ahead of it: a gap.
  EXPECT_EQ(CheckSequence(&state, 0, 3, 1).verdict, SequenceVerdict::kOutOfOrder);
  // Before the wrap, a batch past the next sequence, ending beyond the wrap, is a gap too.
  ProducerPartitionState before = StateEndingAt(kMax - 10, 1, 0);
  EXPECT_EQ(CheckSequence(&before, 0, kMax - 5, 10).verdict, SequenceVerdict::kOutOfOrder);
  EXPECT_EQ(CheckSequence(&before, 0, kMax - 9, 10).verdict, SequenceVerdict::kAppend);
}

TEST(ProducerFormatTest, KeyBytesArePinned) {
  std::string key = EncodeProducerStateKey({.topic_id = TopicId{0x01020304},
                                            .partition = 0x05060708,
                                            .producer_id = 0x1112131415161718});
  EXPECT_EQ(key, Bytes({0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x11, 0x12, 0x13,
                        0x14, 0x15, 0x16, 0x17, 0x18}));
  std::optional<ProducerStateKey> decoded = DecodeProducerStateKey(key);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->topic_id, TopicId{0x01020304});
  EXPECT_EQ(decoded->partition, 0x05060708u);
  EXPECT_EQ(decoded->producer_id, 0x1112131415161718);
  std::string v2 = key;
  v2[0] = 2;
  EXPECT_FALSE(DecodeProducerStateKey(v2).has_value());
  EXPECT_FALSE(DecodeProducerStateKey(key.substr(0, 16)).has_value());

  KeyRange topic = ProducerTopicKeyRange(TopicId{7});
  EXPECT_LE(topic.begin, EncodeProducerStateKey({.topic_id = TopicId{7}}));
  EXPECT_LT(
      EncodeProducerStateKey({.topic_id = TopicId{7}, .partition = 0xFFFFFFFF, .producer_id = 9}),
      topic.end);
  EXPECT_LE(topic.end, EncodeProducerStateKey({.topic_id = TopicId{8}}));
}

TEST(ProducerFormatTest, ValueBytesArePinnedAndRoundTrip) {
  ProducerPartitionState state{
      .epoch = 2,
      .last_sequence = 0x0105,
      .window = {{.base_sequence = 0x0100, .record_count = 6, .base_offset = 0x0A0B}},
      .last_append_ms = 0x0C0D};
  std::string value = EncodeProducerState(state);
  EXPECT_EQ(value, Bytes({0x01, 0, 0,    0,    2, 0, 0,    0x01, 0x05, 1,  // version epoch last n
                          0,    0, 0x01, 0x00, 0, 0, 0,    6,              // base_sequence count
                          0,    0, 0,    0,    0, 0, 0x0A, 0x0B,           // base_offset
                          0,    0, 0,    0,    0, 0, 0x0C, 0x0D}));        // last_append_ms
  absl::StatusOr<ProducerPartitionState> decoded = DecodeProducerState(value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, state);
  EXPECT_TRUE(DecodeProducerState(value + "later").ok());
  std::string too_many = value;
  too_many[9] = 6;
  EXPECT_EQ(DecodeProducerState(too_many).status().code(), absl::StatusCode::kDataLoss);
}

TEST(ProducerFormatTest, ValuesWrittenBeforeTheAppendTimeStillDecode) {
  // The version 1 value as written before last_append_ms was appended to it.
  std::string old = Bytes({0x01, 0, 0, 0, 2, 0, 0, 0x01, 0x05, 1, 0, 0,    0x01,
                           0x00, 0, 0, 0, 6, 0, 0, 0,    0,    0, 0, 0x0A, 0x0B});
  absl::StatusOr<ProducerPartitionState> decoded = DecodeProducerState(old);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->last_sequence, 0x0105);
  EXPECT_EQ(decoded->last_append_ms, -1);
  EXPECT_EQ(DecodeProducerState(old.substr(0, old.size() - 1)).status().code(),
            absl::StatusCode::kDataLoss);
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
  EXPECT_EQ(EncodeProducerEpoch({.epoch = 3, .active_ms = 0x0405}),
            Bytes({0x01, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0x04, 0x05}));
  absl::StatusOr<ProducerEpochValue> decoded =
      DecodeProducerEpoch(EncodeProducerEpoch({.epoch = 9, .active_ms = 77}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->epoch, 9);
  EXPECT_EQ(decoded->active_ms, 77);
  // As written before active_ms existed: the time is unknown.
  decoded = DecodeProducerEpoch(Bytes({0x01, 0, 0, 0, 3}));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->epoch, 3);
  EXPECT_EQ(decoded->active_ms, -1);
}

}  // namespace
}  // namespace choreo::storage

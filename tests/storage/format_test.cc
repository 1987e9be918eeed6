// Pins the on-disk formats: record keys, batch values and metadata. A change here is a format
// change and needs a new version byte, not an edit of the expected bytes.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <type_traits>

#include "choreo/common/crc32c.h"
#include "storage/keys.h"
#include "storage/meta_format.h"
#include "storage/value_format.h"

namespace choreo::storage {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes)
    out.push_back(static_cast<char>(b));
  return out;
}

// A (topic, partition) pair passed the wrong way round must not compile.
static_assert(!std::is_convertible_v<uint32_t, TopicId>);
static_assert(!std::is_convertible_v<TopicId, uint32_t>);
static_assert(!std::is_invocable_v<CommitListener, PartitionId, TopicId, Offset>);
static_assert(std::is_invocable_v<CommitListener, TopicId, PartitionId, Offset>);

TEST(TopicIdTest, IsANumberOnlyOnRequest) {
  EXPECT_EQ(ToInt(TopicId{7}), 7u);
  EXPECT_EQ(NextTopicId(TopicId{7}), TopicId{8});
  EXPECT_EQ(ToInt(kMaxTopicId), std::numeric_limits<uint32_t>::max());
  EXPECT_LT(TopicId{1}, TopicId{2});
}

TEST(RecordKeyTest, BytesArePinned) {
  RecordKey key = EncodeRecordKey(TopicId{0x01020304}, 0x0A0B0C0D, 0x1122334455667788);
  EXPECT_EQ(std::string(AsStringView(key)),
            Bytes({0x01, 0x01, 0x02, 0x03, 0x04, 0x0A, 0x0B, 0x0C, 0x0D, 0x11, 0x22, 0x33, 0x44,
                   0x55, 0x66, 0x77, 0x88}));
  EXPECT_EQ(kRecordKeySize, 17u);
}

TEST(RecordKeyTest, RoundTrips) {
  RecordKey key = EncodeRecordKey(TopicId{7}, 3, 123456789);
  std::optional<DecodedRecordKey> decoded = DecodeRecordKey(AsStringView(key));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->topic_id, TopicId{7});
  EXPECT_EQ(decoded->partition, 3u);
  EXPECT_EQ(decoded->base_offset, 123456789);
}

TEST(RecordKeyTest, RejectsWrongSizeVersionAndOffset) {
  std::string key(AsStringView(EncodeRecordKey(TopicId{1}, 2, 3)));
  EXPECT_FALSE(DecodeRecordKey(key.substr(0, 16)).has_value());
  std::string wrong_version = key;
  wrong_version[0] = 2;
  EXPECT_FALSE(DecodeRecordKey(wrong_version).has_value());
  std::string huge_offset = key;
  huge_offset[9] = static_cast<char>(0x80);
  EXPECT_FALSE(DecodeRecordKey(huge_offset).has_value());
}

TEST(RecordKeyTest, ByteOrderIsTopicPartitionOffsetOrder) {
  auto key = [](TopicId t, PartitionId p, Offset o) {
    return std::string(AsStringView(EncodeRecordKey(t, p, o)));
  };
  EXPECT_LT(key(TopicId{1}, 0, 255), key(TopicId{1}, 0, 256));
  EXPECT_LT(key(TopicId{1}, 0, std::numeric_limits<Offset>::max()), key(TopicId{1}, 1, 0));
  EXPECT_LT(key(TopicId{1}, 70000, 5), key(TopicId{2}, 0, 0));
  EXPECT_LT(key(TopicId{256}, 0, 0), key(TopicId{257}, 0, 0));
}

TEST(RecordKeyTest, RangesCoverExactlyTheirKeys) {
  KeyRange partition = PartitionKeyRange(TopicId{5}, 2);
  std::string first(AsStringView(EncodeRecordKey(TopicId{5}, 2, 0)));
  std::string last(
      AsStringView(EncodeRecordKey(TopicId{5}, 2, std::numeric_limits<Offset>::max())));
  std::string next(AsStringView(EncodeRecordKey(TopicId{5}, 3, 0)));
  EXPECT_LE(partition.begin, first);
  EXPECT_LT(last, partition.end);
  EXPECT_LE(partition.end, next);

  KeyRange topic = TopicKeyRange(TopicId{5});
  EXPECT_LE(topic.begin, std::string(AsStringView(EncodeRecordKey(TopicId{5}, 0, 0))));
  EXPECT_LT(std::string(AsStringView(EncodeRecordKey(TopicId{5}, 0xFFFFFFFF, 9))), topic.end);
  EXPECT_LE(topic.end, std::string(AsStringView(EncodeRecordKey(TopicId{6}, 0, 0))));

  KeyRange last_topic = TopicKeyRange(TopicId{0xFFFFFFFF});
  EXPECT_LT(std::string(AsStringView(EncodeRecordKey(TopicId{0xFFFFFFFF}, 0xFFFFFFFF, 1))),
            last_topic.end);
  KeyRange last_partition = PartitionKeyRange(TopicId{4}, 0xFFFFFFFF);
  EXPECT_LE(last_partition.end, std::string(AsStringView(EncodeRecordKey(TopicId{5}, 0, 0))));
}

TEST(BatchValueTest, HeaderBytesArePinned) {
  BatchFields fields{.record_count = 3,
                     .max_timestamp_ms = 0x0102030405060708,
                     .producer_id = -1,
                     .producer_epoch = 2,
                     .base_sequence = 9};
  std::string batch = "abc";
  BatchHeaderBytes header = EncodeBatchHeader(fields, batch);
  std::string expected_prefix = Bytes({0x01,                                            // version
                                       0x00, 0x00, 0x00, 0x03,                          // records
                                       0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // max ts
                                       0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // producer
                                       0x00, 0x00, 0x00, 0x02,                          // epoch
                                       0x00, 0x00, 0x00, 0x09,                          // sequence
                                       0x00, 0x00, 0x00, 0x03});                        // length
  ASSERT_EQ(kBatchHeaderSize, 37u);
  EXPECT_EQ(std::string(header.data(), 33), expected_prefix);
  uint32_t crc = Crc32cExtend(Crc32c(expected_prefix), batch.data(), batch.size());
  EXPECT_EQ(std::string(header.data() + 33, 4),
            Bytes({static_cast<int>(crc >> 24), static_cast<int>((crc >> 16) & 0xff),
                   static_cast<int>((crc >> 8) & 0xff), static_cast<int>(crc & 0xff)}));
}

std::string StoredValue(const BatchFields& fields, const std::string& batch) {
  BatchHeaderBytes header = EncodeBatchHeader(fields, batch);
  return std::string(header.data(), header.size()) + batch;
}

TEST(BatchValueTest, RoundTrips) {
  BatchFields fields{.record_count = 10,
                     .max_timestamp_ms = 42,
                     .producer_id = 77,
                     .producer_epoch = 1,
                     .base_sequence = 100};
  std::string value = StoredValue(fields, "payload bytes");
  absl::StatusOr<BatchView> view = DecodeBatchValue(value);
  ASSERT_TRUE(view.ok()) << view.status();
  EXPECT_EQ(view->batch, "payload bytes");
  EXPECT_EQ(view->header.record_count, 10u);
  EXPECT_EQ(view->header.max_timestamp_ms, 42);
  EXPECT_EQ(view->header.producer_id, 77);
  EXPECT_EQ(view->header.producer_epoch, 1);
  EXPECT_EQ(view->header.base_sequence, 100);
}

TEST(BatchValueTest, DetectsEveryFlippedByte) {
  std::string value = StoredValue({.record_count = 2, .max_timestamp_ms = 5}, "some batch");
  for (size_t i = 0; i < value.size(); ++i) {
    std::string corrupt = value;
    corrupt[i] ^= 0x10;
    absl::StatusOr<BatchView> view = DecodeBatchValue(corrupt);
    EXPECT_EQ(view.status().code(), absl::StatusCode::kDataLoss) << "byte " << i;
  }
}

TEST(BatchValueTest, DetectsTruncation) {
  std::string value = StoredValue({.record_count = 2}, "some batch");
  for (size_t size : {size_t{0}, size_t{10}, kBatchHeaderSize, value.size() - 1}) {
    EXPECT_EQ(DecodeBatchValue(value.substr(0, size)).status().code(), absl::StatusCode::kDataLoss)
        << size;
    EXPECT_EQ(DecodeBatchHeaderOnly(value.substr(0, size)).status().code(),
              absl::StatusCode::kDataLoss)
        << size;
  }
}

TEST(MetaFormatTest, KeysArePinned) {
  EXPECT_EQ(TopicMetaKey("orders"), "Torders");
  EXPECT_EQ(NextTopicIdMetaKey(), "N");
  EXPECT_EQ(LogStartMetaKey(TopicId{0x01020304}, 0x05060708),
            Bytes({'L', 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
  EXPECT_EQ(PartitionFromLogStartKey(TopicId{0x01020304}, LogStartMetaKey(TopicId{0x01020304}, 9)),
            9u);
  EXPECT_FALSE(PartitionFromLogStartKey(TopicId{1}, LogStartMetaKey(TopicId{2}, 9)).has_value());
  EXPECT_LT(LogStartMetaRangeBegin(TopicId{3}), LogStartMetaKey(TopicId{3}, 0));
  EXPECT_LT(LogStartMetaKey(TopicId{3}, 0xFFFFFFFF), LogStartMetaRangeEnd(TopicId{3}));
  EXPECT_LE(LogStartMetaRangeEnd(TopicId{3}), LogStartMetaKey(TopicId{4}, 0));
  EXPECT_EQ(EndBytesMetaKey(TopicId{0x01020304}, 0x05060708),
            Bytes({'B', 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
  EXPECT_EQ(PartitionFromEndBytesKey(TopicId{0x01020304}, EndBytesMetaKey(TopicId{0x01020304}, 9)),
            9u);
  EXPECT_FALSE(PartitionFromEndBytesKey(TopicId{1}, EndBytesMetaKey(TopicId{2}, 9)).has_value());
  EXPECT_FALSE(PartitionFromEndBytesKey(TopicId{3}, LogStartMetaKey(TopicId{3}, 9)).has_value());
  EXPECT_LT(EndBytesMetaRangeBegin(TopicId{3}), EndBytesMetaKey(TopicId{3}, 0));
  EXPECT_LT(EndBytesMetaKey(TopicId{3}, 0xFFFFFFFF), EndBytesMetaRangeEnd(TopicId{3}));
  EXPECT_LE(EndBytesMetaRangeEnd(TopicId{3}), EndBytesMetaKey(TopicId{4}, 0));
  EXPECT_EQ(EndBytesMetaRangeEnd(TopicId{0xFFFFFFFF}), "C");
}

TEST(MetaFormatTest, TopicRecordIsPinnedAndRoundTrips) {
  TopicInfo info{.id = TopicId{0x0A},
                 .name = "orders",
                 .config = {.partitions = 3,
                            .retention_ms = -1,
                            .retention_bytes = 0x100,
                            .max_message_bytes = 0x200}};
  std::string value = EncodeTopicRecord(info);
  EXPECT_EQ(value, Bytes({0x01, 0,    0,    0,    0x0A, 0,    0, 0, 3, 0xFF, 0xFF,
                          0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0,    0,
                          0,    0x01, 0x00, 0,    0,    0,    0, 0, 0, 0x02, 0x00}));
  absl::StatusOr<TopicInfo> decoded = DecodeTopicRecord("orders", value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->id, info.id);
  EXPECT_EQ(decoded->name, "orders");
  EXPECT_EQ(decoded->config.partitions, 3u);
  EXPECT_EQ(decoded->config.retention_ms, -1);
  EXPECT_EQ(decoded->config.retention_bytes, 0x100);
  EXPECT_EQ(decoded->config.max_message_bytes, 0x200u);
  // Fields appended later within version 1 are ignored by this decoder.
  EXPECT_TRUE(DecodeTopicRecord("orders", value + "extra").ok());
  EXPECT_EQ(DecodeTopicRecord("orders", value.substr(0, 20)).status().code(),
            absl::StatusCode::kDataLoss);
  std::string v2 = value;
  v2[0] = 2;
  EXPECT_EQ(DecodeTopicRecord("orders", v2).status().code(), absl::StatusCode::kDataLoss);
}

TEST(MetaFormatTest, CountersRoundTrip) {
  EXPECT_EQ(EncodeNextTopicId(TopicId{0x01020304}), Bytes({0x01, 0x01, 0x02, 0x03, 0x04}));
  EXPECT_EQ(DecodeNextTopicId(EncodeNextTopicId(TopicId{77})).value(), TopicId{77});
}

TEST(MetaFormatTest, LogStartIsPinnedWithAndWithoutItsBytePosition) {
  // As written before byte positions were stored: the position is unknown.
  EXPECT_EQ(EncodeLogStart({.offset = 0x0102}), Bytes({0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x02}));
  absl::StatusOr<LogStart> old = DecodeLogStart(Bytes({0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x02}));
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->offset, 0x0102);
  EXPECT_FALSE(old->start_bytes.has_value());

  std::string value = EncodeLogStart({.offset = 0x0102, .start_bytes = 0x030405});
  EXPECT_EQ(value, Bytes({0x01, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0, 0x03, 0x04, 0x05}));
  absl::StatusOr<LogStart> decoded = DecodeLogStart(value);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->offset, 0x0102);
  EXPECT_EQ(decoded->start_bytes, 0x030405);
  // Later fields are ignored; a cut field is as if absent; a negative position is corrupt.
  EXPECT_EQ(DecodeLogStart(value + "extra")->start_bytes, 0x030405);
  EXPECT_FALSE(DecodeLogStart(value.substr(0, 12))->start_bytes.has_value());
  std::string negative = value;
  negative[9] = static_cast<char>(0x80);
  EXPECT_EQ(DecodeLogStart(negative).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeLogStart(value.substr(0, 8)).status().code(), absl::StatusCode::kDataLoss);
}

TEST(MetaFormatTest, EndBytesArePinned) {
  EXPECT_EQ(EncodeEndBytes(0x01020304050607),
            Bytes({0x01, 0, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07}));
  EXPECT_EQ(DecodeEndBytes(EncodeEndBytes(123456)).value(), 123456);
  EXPECT_EQ(DecodeEndBytes(EncodeEndBytes(0)).value(), 0);
  EXPECT_EQ(DecodeEndBytes(EncodeEndBytes(9) + "extra").value(), 9);
  EXPECT_EQ(DecodeEndBytes(EncodeEndBytes(-1)).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeEndBytes(Bytes({0x01, 0, 0})).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeEndBytes(Bytes({0x02, 0, 0, 0, 0, 0, 0, 0, 1})).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace choreo::storage

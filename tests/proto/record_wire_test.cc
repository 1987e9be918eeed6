#include "choreo/proto/record_wire.h"

#include <gtest/gtest.h>

#include <vector>

namespace choreo::proto {
namespace {

struct TestHeader {
  std::string key;
  std::string value;
};

struct TestRecord {
  std::string key;
  std::string value;
  std::vector<TestHeader> headers;
  int64_t timestamp_ms;
};

std::vector<TestRecord> Samples() {
  return {
      {"order-1",
       R"({"id":1})",
       {{"event-type", "OrderCreated"}, {"traceparent", "00-ab"}},
       1700000000123},
      {"", "no key, no headers", {}, 5},
      {"k", "", {{"empty-value", ""}}, 0},
      {"neg", "negative timestamp", {}, -42},
      {std::string(300, 'k'), std::string(70000, 'v'), {}, 1},
  };
}

RecordList AsProto(const std::vector<TestRecord>& records) {
  RecordList list;
  for (const TestRecord& t : records) {
    Record* r = list.add_records();
    r->set_key(t.key);
    r->set_value(t.value);
    r->set_timestamp_ms(t.timestamp_ms);
    for (const TestHeader& h : t.headers) {
      Header* ph = r->add_headers();
      ph->set_key(h.key);
      ph->set_value(h.value);
    }
  }
  return list;
}

std::string AsWire(const std::vector<TestRecord>& records) {
  std::string payload;
  for (const TestRecord& t : records)
    AppendRecord(t.key, t.value, t.headers, t.timestamp_ms, &payload);
  return payload;
}

TEST(RecordWireTest, AppendRecordMatchesProtobufByteForByte) {
  EXPECT_EQ(AsWire(Samples()), AsProto(Samples()).SerializeAsString());
}

TEST(RecordWireTest, EncodedRecordSizeMatchesWithoutHeaders) {
  std::string payload;
  const std::vector<TestHeader> none;
  AppendRecord("key", std::string(200, 'x'), none, 1700000000000, &payload);
  EXPECT_EQ(payload.size(), EncodedRecordSize("key", std::string(200, 'x'), 1700000000000));
}

TEST(RecordWireTest, EncodedRecordSizeMatchesWithHeaders) {
  for (const TestRecord& t : Samples()) {
    std::string payload;
    AppendRecord(t.key, t.value, t.headers, t.timestamp_ms, &payload);
    EXPECT_EQ(payload.size(), EncodedRecordSize(t.key, t.value, t.headers, t.timestamp_ms));
  }
}

TEST(RecordWireTest, ForEachRecordDecodesWhatProtobufEncoded) {
  const std::vector<TestRecord> samples = Samples();
  std::vector<TestRecord> decoded;
  ASSERT_TRUE(ForEachRecord(AsProto(samples).SerializeAsString(), [&](const RecordView& r) {
    TestRecord t{std::string(r.key), std::string(r.value), {}, r.timestamp_ms};
    EXPECT_TRUE(ForEachHeader(r.headers_encoded, [&](const HeaderView& h) {
      t.headers.push_back({std::string(h.key), std::string(h.value)});
    }));
    decoded.push_back(std::move(t));
  }));
  ASSERT_EQ(decoded.size(), samples.size());
  for (size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(decoded[i].key, samples[i].key);
    EXPECT_EQ(decoded[i].value, samples[i].value);
    EXPECT_EQ(decoded[i].timestamp_ms, samples[i].timestamp_ms);
    ASSERT_EQ(decoded[i].headers.size(), samples[i].headers.size());
    for (size_t h = 0; h < samples[i].headers.size(); ++h) {
      EXPECT_EQ(decoded[i].headers[h].key, samples[i].headers[h].key);
      EXPECT_EQ(decoded[i].headers[h].value, samples[i].headers[h].value);
    }
  }
}

TEST(RecordWireTest, MalformedPayloadsAreRejected) {
  const std::string good = AsWire(Samples());
  auto count = [](std::string_view bytes) {
    int n = 0;
    return ForEachRecord(bytes, [&](const RecordView&) { ++n; }) ? n : -1;
  };
  EXPECT_EQ(count(good), 5);
  EXPECT_EQ(count(good.substr(0, good.size() - 1)), -1) << "truncated";
  EXPECT_EQ(count(std::string("\x0A\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01", 12)), -1);
  EXPECT_EQ(count(std::string("\x00", 1)), -1) << "field number 0";
  EXPECT_EQ(count(""), 0);
}

class BatchFromPayloadTest : public ::testing::TestWithParam<Compression> {};

TEST_P(BatchFromPayloadTest, MatchesEncodeBatchAndValidates) {
  const std::vector<TestRecord> samples = Samples();
  const BatchProducerFields producer{.producer_id = 7, .producer_epoch = 2, .base_sequence = 100};
  std::string expected;
  ASSERT_TRUE(EncodeBatch(AsProto(samples), GetParam(), producer, &expected));
  std::string actual;
  ASSERT_TRUE(EncodeBatchFromPayload(AsWire(samples), static_cast<uint32_t>(samples.size()),
                                     1700000000123, 1700000000123, GetParam(), producer, &actual));
  EXPECT_EQ(actual, expected);
  BatchSummary summary;
  std::string error;
  ASSERT_EQ(ValidateBatch(actual, &summary, &error), NONE) << error;
  EXPECT_EQ(summary.record_count, samples.size());
  EXPECT_EQ(summary.producer_id, 7);
}

TEST_P(BatchFromPayloadTest, NonIdempotentProducerFieldsRoundTrip) {
  std::string payload;
  const std::vector<TestHeader> none;
  AppendRecord("k", "v", none, 1, &payload);
  std::string batch;
  ASSERT_TRUE(EncodeBatchFromPayload(std::move(payload), 1, 1, 1, GetParam(), {}, &batch));
  BatchSummary summary;
  std::string error;
  ASSERT_EQ(ValidateBatch(batch, &summary, &error), NONE) << error;
  EXPECT_EQ(summary.producer_id, -1);
}

TEST_P(BatchFromPayloadTest, OpenBatchReadsWhatEncodeBatchWrote) {
  const std::vector<TestRecord> samples = Samples();
  const BatchProducerFields producer{.producer_id = 7, .producer_epoch = 2, .base_sequence = 100};
  std::string encoded;
  ASSERT_TRUE(EncodeBatch(AsProto(samples), GetParam(), producer, &encoded));
  // A later base_sequence appended as a trailing field wins, as it does for protobuf.
  encoded += std::string("\x30\x85\x01", 3);  // base_sequence = 133
  RecordBatch expected;
  RecordList expected_records;
  std::string error;
  ASSERT_EQ(DecodeBatch(encoded, &expected, &expected_records, &error), NONE) << error;

  BatchView header;
  std::string scratch;
  std::string_view payload;
  ASSERT_EQ(OpenBatch(encoded, &header, &scratch, &payload, &error), NONE) << error;
  EXPECT_EQ(header.record_count, expected.record_count());
  EXPECT_EQ(header.first_timestamp_ms, expected.first_timestamp_ms());
  EXPECT_EQ(header.max_timestamp_ms, expected.max_timestamp_ms());
  EXPECT_EQ(header.producer_id, 7);
  EXPECT_EQ(header.producer_epoch, 2);
  EXPECT_EQ(header.base_sequence, 133);
  EXPECT_EQ(header.compression, GetParam());
  EXPECT_EQ(header.uncompressed_bytes, expected.uncompressed_bytes());
  EXPECT_EQ(payload, expected_records.SerializeAsString());

  std::string corrupt = encoded;
  corrupt[corrupt.size() - 10] ^= 0x5a;  // inside the payload (large, last but two fields)
  EXPECT_EQ(OpenBatch(corrupt, &header, &scratch, &payload, &error), CORRUPT_MESSAGE);
  EXPECT_EQ(OpenBatch(encoded.substr(0, encoded.size() - 8), &header, &scratch, &payload, &error),
            CORRUPT_MESSAGE)
      << "truncated inside the payload";
}

INSTANTIATE_TEST_SUITE_P(Codecs, BatchFromPayloadTest,
                         ::testing::Values(COMPRESSION_NONE, COMPRESSION_LZ4, COMPRESSION_ZSTD));

}  // namespace
}  // namespace choreo::proto

#include "choreo/saga/envelope.h"

#include <gtest/gtest.h>

#include <set>

#include "choreo/saga/events.h"
#include "client/saga/event_codec.h"
#include "test_events.pb.h"

namespace choreo::saga {
namespace {

TEST(EnvelopeTest, HeadersRoundTripEveryField) {
  Envelope e;
  e.id = NewEventId();
  e.source = "payment-service";
  e.type = "sagatest.v1.PaymentTaken";
  e.time_ms = 1764844530123;
  e.content_type = std::string(kJsonContentType);
  e.data_schema = DataSchemaFor(e.type, 3);
  e.saga_id = "order-17";
  e.causation_id = NewEventId();
  e.trace = TraceContext::NewTrace();
  e.trace.state = "vendor=abc";

  const std::vector<Header> headers = EnvelopeHeaders(e);
  EXPECT_EQ(FindHeader(headers, "ce_specversion"), "1.0");
  EXPECT_EQ(FindHeader(headers, "ce_time"), "2025-12-04T10:35:30.123Z");
  EXPECT_EQ(FindHeader(headers, "ce_dataschema"), "urn:choreo:schema:sagatest.v1.PaymentTaken:v3");
  EXPECT_EQ(FindHeader(headers, "traceparent"),
            "00-" + e.trace.trace_id + "-" + e.trace.span_id + "-01");

  Result<Envelope> read = ReadEnvelope(headers);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->id, e.id);
  EXPECT_EQ(read->source, e.source);
  EXPECT_EQ(read->type, e.type);
  EXPECT_EQ(read->time_ms, e.time_ms);
  EXPECT_EQ(read->content_type, e.content_type);
  EXPECT_EQ(read->SchemaVersion(), 3);
  EXPECT_EQ(read->saga_id, e.saga_id);
  EXPECT_EQ(read->causation_id, e.causation_id);
  EXPECT_EQ(read->trace.trace_id, e.trace.trace_id);
  EXPECT_EQ(read->trace.span_id, e.trace.span_id);
  EXPECT_EQ(read->trace.state, "vendor=abc");
}

TEST(EnvelopeTest, OptionalFieldsAreLeftOut) {
  Envelope e;
  e.id = "1";
  e.type = "t";
  e.saga_id = "s";
  const std::vector<Header> headers = EnvelopeHeaders(e);
  EXPECT_FALSE(FindHeader(headers, "ce_causationid").has_value());
  EXPECT_FALSE(FindHeader(headers, "traceparent").has_value());
  EXPECT_FALSE(FindHeader(headers, "ce_dataschema").has_value());
  Result<Envelope> read = ReadEnvelope(headers);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->SchemaVersion(), 1);
  EXPECT_TRUE(read->trace.trace_id.empty());
}

TEST(EnvelopeTest, RecordsWithoutTheRequiredAttributesAreNotEvents) {
  EXPECT_EQ(ReadEnvelope({}).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ReadEnvelope({{"ce_id", "1"}, {"ce_type", "t"}}).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      ReadEnvelope({{"ce_id", "1"}, {"ce_type", "t"}, {"ce_specversion", "2.0"}}).status().code(),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      ReadEnvelope(
          {{"ce_id", "1"}, {"ce_type", "t"}, {"ce_specversion", "1.0"}, {"ce_time", "yesterday"}})
          .status()
          .code(),
      ErrorCode::kInvalidArgument);
}

TEST(EnvelopeTest, MalformedTraceparentIsIgnored) {
  for (const char* bad : {"", "00-abc", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                          "00-00000000000000000000000000000000-b7ad6b7169203331-01",
                          "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
                          "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01"}) {
    EXPECT_FALSE(TraceContext::Parse(bad).has_value()) << bad;
  }
  std::optional<TraceContext> ok =
      TraceContext::Parse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->flags, 1);
  Result<Envelope> read = ReadEnvelope(
      {{"ce_id", "1"}, {"ce_type", "t"}, {"ce_specversion", "1.0"}, {"traceparent", "garbage"}});
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->trace.trace_id.empty());
}

TEST(EnvelopeTest, NewSpanKeepsTheTraceAndChangesTheSpan) {
  const TraceContext root = TraceContext::NewTrace();
  const TraceContext child = root.NewSpan();
  EXPECT_EQ(child.trace_id, root.trace_id);
  EXPECT_NE(child.span_id, root.span_id);
  EXPECT_EQ(child.span_id.size(), 16u);
  EXPECT_EQ(root.trace_id.size(), 32u);
}

TEST(EnvelopeTest, EventIdsAreVersion4UuidsAndDistinct) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewEventId();
    ASSERT_EQ(id.size(), 36u);
    EXPECT_EQ(id[14], '4');
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(EnvelopeTest, Rfc3339ParsesOffsetsAndFractions) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(*ParseRfc3339("1970-01-01T01:00:00.123456+01:00"), 123);
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339(1764844530123)), 1764844530123);
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(951782400000), "2000-02-29T00:00:00.000Z");  // a leap day
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
  // Every day of four centuries round-trips (leap years, century rules).
  for (int64_t ms = -2208988800000; ms < 10413792000000; ms += 86400000 + 3723004) {
    ASSERT_EQ(*ParseRfc3339(FormatRfc3339(ms)), ms) << FormatRfc3339(ms);
  }
  EXPECT_FALSE(ParseRfc3339("2026-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2026-12-01T00:00:00").ok());
}

TEST(EventCodecTest, BinaryAndJsonPayloadsDecodeByContentType) {
  sagatest::v1::OrderPlaced order;
  order.set_order_id("o-1");
  order.set_amount_cents(1250);
  EventOptions options{.source = "orders"};
  for (Encoding encoding : {Encoding::kBinary, Encoding::kJson}) {
    Result<internal::EncodedPayload> encoded = internal::EncodeMessage(order, encoding, options);
    ASSERT_TRUE(encoded.ok());
    EXPECT_EQ(encoded->type, "sagatest.v1.OrderPlaced");
    EXPECT_EQ(encoded->content_type,
              encoding == Encoding::kJson ? kJsonContentType : kProtobufContentType);
    sagatest::v1::OrderPlaced decoded;
    ASSERT_TRUE(internal::DecodeMessage(encoded->content_type, encoded->payload, &decoded).ok());
    EXPECT_EQ(decoded.order_id(), "o-1");
    EXPECT_EQ(decoded.amount_cents(), 1250);
  }
  sagatest::v1::OrderPlaced decoded;
  // A newer publisher's extra JSON field does not break an older reader.
  EXPECT_TRUE(internal::DecodeMessage(kJsonContentType, R"({"order_id":"o-2","added_later":true})",
                                      &decoded)
                  .ok());
  EXPECT_EQ(decoded.order_id(), "o-2");
  EXPECT_EQ(internal::DecodeMessage("text/csv", "a,b", &decoded).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(internal::DecodeMessage(kProtobufContentType, "\xff\xff\xff", &decoded).code(),
            ErrorCode::kInvalidArgument);
}

TEST(EventCodecTest, SchemaVersionsAndTopicsFollowTheOptions) {
  EventOptions options{.source = "orders",
                       .topic_for_type = [](std::string_view) { return std::string("orders"); },
                       .schema_versions = {{"sagatest.v1.OrderPlaced", 2}}};
  sagatest::v1::OrderPlaced order;
  Result<internal::EncodedPayload> encoded =
      internal::EncodeMessage(order, Encoding::kBinary, options);
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ(encoded->schema_version, 2);
  EXPECT_EQ(internal::TopicFor(options, encoded->type, {}), "orders");
  EXPECT_EQ(internal::TopicFor(options, encoded->type, {.topic = "x"}), "x");
  EXPECT_EQ(internal::TopicFor(EventOptions{}, encoded->type, {}), "sagatest.v1.OrderPlaced");
}

}  // namespace
}  // namespace choreo::saga

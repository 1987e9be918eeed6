// The web console's JSON API (/api/ on the HTTP endpoint) against an in-process broker: what the
// record browser shows of headers, envelopes and payloads, the saga timeline's causation links,
// dead-letter replay requests in the documented record format, offset resets, the schema
// registry's subjects, versions and fields, the read-only default, and the bounds on requests. The
// pages themselves are tested in a browser (tests/console/).
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <tuple>
#include <vector>

#include "broker/http/http_request.h"
#include "choreo/common/json_writer.h"
#include "choreo/proto/batch.h"
#include "tests/broker/broker_fixture.h"
#include "tests/broker/json_reader.h"
#include "tests/broker/raw_connection.h"

namespace choreo::broker::testing {
namespace {

struct TestRecord {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers = {};
};

std::string Batch(const std::vector<TestRecord>& records) {
  proto::RecordList list;
  for (const TestRecord& r : records) {
    proto::Record* record = list.add_records();
    record->set_key(r.key);
    record->set_value(r.value);
    record->set_timestamp_ms(1700000000000);
    for (const auto& [k, v] : r.headers) {
      proto::Header* h = record->add_headers();
      h->set_key(k);
      h->set_value(v);
    }
  }
  std::string batch;
  EXPECT_TRUE(proto::EncodeBatch(list, proto::COMPRESSION_NONE, {}, &batch));
  return batch;
}

// The headers of a saga event.
std::vector<std::pair<std::string, std::string>> Envelope(
    const std::string& id, const std::string& type, const std::string& source,
    const std::string& saga, const std::string& cause, const std::string& content_type) {
  std::vector<std::pair<std::string, std::string>> h = {{"ce_specversion", "1.0"},
                                                        {"ce_id", id},
                                                        {"ce_type", type},
                                                        {"ce_source", source},
                                                        {"ce_time", "2026-12-04T10:00:00.000Z"},
                                                        {"ce_correlationid", saga},
                                                        {"ce_datacontenttype", content_type}};
  if (!cause.empty()) h.emplace_back("ce_causationid", cause);
  return h;
}

// A FileDescriptorSet of one proto3 file, shop/order.proto, with enum shop.Status and message
// shop.Order of `fields` (number, name, type: a protobuf TYPE_* suffix such as "STRING", "enum"
// for shop.Status, "tags" for a repeated string).
std::string OrderSchema(const std::vector<std::tuple<int, std::string, std::string>>& fields) {
  using google::protobuf::FieldDescriptorProto;
  google::protobuf::FileDescriptorSet set;
  google::protobuf::FileDescriptorProto* file = set.add_file();
  file->set_name("shop/order.proto");
  file->set_package("shop");
  file->set_syntax("proto3");
  google::protobuf::EnumDescriptorProto* status = file->add_enum_type();
  status->set_name("Status");
  for (const auto& [number, name] : {std::pair(0, "STATUS_UNSPECIFIED"), std::pair(1, "PAID")}) {
    google::protobuf::EnumValueDescriptorProto* value = status->add_value();
    value->set_number(number);
    value->set_name(name);
  }
  google::protobuf::DescriptorProto* order = file->add_message_type();
  order->set_name("Order");
  for (const auto& [number, name, type] : fields) {
    FieldDescriptorProto* field = order->add_field();
    field->set_number(number);
    field->set_name(name);
    field->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
    if (type == "enum") {
      field->set_type(FieldDescriptorProto::TYPE_ENUM);
      field->set_type_name(".shop.Status");
    } else if (type == "tags") {
      field->set_type(FieldDescriptorProto::TYPE_STRING);
      field->set_label(FieldDescriptorProto::LABEL_REPEATED);
    } else {
      FieldDescriptorProto::Type parsed;
      EXPECT_TRUE(FieldDescriptorProto::Type_Parse("TYPE_" + type, &parsed)) << type;
      field->set_type(parsed);
    }
  }
  return set.SerializeAsString();
}

HttpReply Exchange(uint16_t port, const std::string& request) {
  RawConnection connection(port);
  if (!connection.connected()) return {};
  connection.SendAll(request);
  std::string response;
  if (!connection.ReadUntilClose(&response, std::chrono::seconds(10))) return {};
  const size_t head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return {};
  return HttpReply{.status = std::atoi(response.substr(9, 3).c_str()),
                   .body = response.substr(head_end + 4)};
}

HttpReply Post(uint16_t port, const std::string& target, bool console_header = true) {
  return Exchange(port, "POST " + target + " HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n" +
                            (console_header ? "X-Choreo-Console: 1\r\n" : "") + "\r\n");
}

// Parses a response body; fails the test if it is not valid UTF-8 or not a JSON object.
JsonValue Parse(const HttpReply& reply) {
  EXPECT_TRUE(IsValidUtf8(reply.body)) << reply.body;
  absl::StatusOr<JsonValue> parsed = ParseJson(reply.body);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << reply.body;
  if (!parsed.ok()) return JsonValue();
  EXPECT_TRUE(parsed->is_object()) << reply.body;
  return *std::move(parsed);
}

class ConsoleApiTest : public BrokerFixture {
 protected:
  void Restart(bool actions) {
    ASSERT_TRUE(broker_->Shutdown().ok());
    broker_.reset();
    BrokerOptions options = DefaultOptions();
    options.http_listen = "127.0.0.1:0";
    options.http_console_actions = actions;
    StartBroker(options);
    client_ = Connect();
  }
  void SetUp() override {
    BrokerFixture::SetUp();
    Restart(false);
  }

  uint16_t port() const { return broker_->http_port(); }
  HttpReply Api(const std::string& path) { return HttpGet(port(), path); }

  void Produce(const std::string& topic, uint32_t partition, const std::vector<TestRecord>& r) {
    std::optional<proto::Response> response =
        client_->Call(ProduceRequest(topic, partition, Batch(r)));
    ASSERT_TRUE(response.has_value());
    ASSERT_EQ(response->error().code(), proto::NONE) << response->error().message();
  }

  std::unique_ptr<TestClient> client_;
};

TEST_F(ConsoleApiTest, RecordsShowHeadersEnvelopeAndEachPayloadReadably) {
  CreateTopic(*client_, "orders", 1);
  std::string protobuf_value;  // field 1: "ord-1", field 4: 2
  protobuf_value += "\x0a\x05ord-1";
  protobuf_value += "\x20\x02";
  Produce("orders", 0,
          {{"s-1", R"({"order_id":"ord-1"})",
            Envelope("e-1", "shop.OrderCreated", "order-service", "s-1", "", "application/json")},
           {"s-1", protobuf_value,
            Envelope("e-2", "shop.Paid", "payment-service", "s-1", "e-1", "application/protobuf")},
           {"plain", "hello world"},
           {"", std::string("\x00\xff\xfe", 3), {{"bad-utf8", "\xc3\x28"}}}});

  const HttpReply reply = Api("/api/records?topic=orders&partition=0&offset=0");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const JsonValue page = Parse(reply);
  const auto& records = page["records"].items();
  ASSERT_EQ(records.size(), 4);
  const JsonValue& json = records[0];
  EXPECT_EQ(json["value"]["encoding"].string_value(), "json");
  EXPECT_EQ(json["envelope"]["saga_id"].string_value(), "s-1");
  EXPECT_EQ(json["key"]["text"].string_value(), "s-1");
  const JsonValue& pb = records[1]["value"];
  EXPECT_EQ(pb["encoding"].string_value(), "protobuf");
  EXPECT_NE(pb["note"].string_value().find("schema registry"), std::string::npos);
  const auto& fields = pb["fields"].items();
  ASSERT_EQ(fields.size(), 2);
  EXPECT_EQ(fields[0]["value"].string_value(), "ord-1");
  EXPECT_EQ(fields[1]["value"].number_value(), 2);
  EXPECT_EQ(records[1]["envelope"]["causation_id"].string_value(), "e-1");
  const JsonValue& text = records[2];
  EXPECT_EQ(text["value"]["text"].string_value(), "hello world");
  EXPECT_EQ(text["envelope"].kind(), JsonValue::Kind::kNull);
  const JsonValue& binary = records[3];
  EXPECT_EQ(binary["value"]["base64"].string_value(), "AP/+");
  // Invalid UTF-8 in a header still gives valid JSON (U+FFFD in its place).
  EXPECT_EQ(binary["headers"].items()[0]["value"].string_value(), "\xef\xbf\xbd(");

  // Paging: two records from offset 1, and the newest page by default.
  const JsonValue second = Parse(Api("/api/records?topic=orders&offset=1&limit=2"));
  EXPECT_EQ(second["records"].items().size(), 2);
  EXPECT_EQ(second["next_offset"].number_value(), 3);
  const JsonValue newest = Parse(Api("/api/records?topic=orders&limit=1"));
  EXPECT_EQ(newest["from"].number_value(), 3);

  EXPECT_EQ(Api("/api/records?topic=nope").status, 404);
  EXPECT_EQ(Api("/api/records?topic=orders&partition=7").status, 400);
  EXPECT_EQ(Api("/api/records?topic=orders&limit=100000").status, 400);
  EXPECT_EQ(Api("/api/records").status, 400);
}

TEST_F(ConsoleApiTest, OverviewTopicsAndGroupsDescribeTheBroker) {
  CreateTopic(*client_, "orders", 3);
  Produce("orders", 1, {{"k", "v"}, {"k", "w"}});
  const JsonValue overview = Parse(Api("/api/overview"));
  const JsonValue& totals = overview["totals"];
  EXPECT_EQ(totals["topics"].number_value(), 1);
  EXPECT_EQ(totals["partitions"].number_value(), 3);
  EXPECT_EQ(totals["records"].number_value(), 2);
  EXPECT_EQ(totals["produced_records"].number_value(), 2);
  EXPECT_GT(overview["disk"]["data_dir_bytes"].number_value(), 0);
  EXPECT_FALSE(overview["broker"]["actions"].bool_value());

  const JsonValue topic = Parse(Api("/api/topics/orders"));
  ASSERT_EQ(topic["partitions"].items().size(), 3);
  EXPECT_EQ(topic["partitions"].items()[1]["high_watermark"].number_value(), 2);
  EXPECT_EQ(Api("/api/topics/nope").status, 404);
  EXPECT_TRUE(Parse(Api("/api/groups")).Has("groups"));
  EXPECT_EQ(Api("/api/groups/nobody").status, 404);
}

TEST_F(ConsoleApiTest, SchemasListSubjectsAndShowEachVersionsFields) {
  // Nothing registered yet.
  const JsonValue none = Parse(Api("/api/schemas"));
  EXPECT_TRUE(none["subjects"].items().empty());
  EXPECT_TRUE(none["validated_topics"].items().empty());
  EXPECT_EQ(none["rejected_records"].number_value(), 0);

  // shop.Order v1, then v2 with a repeated field and an enum field added.
  for (const std::string& set : {OrderSchema({{1, "id", "STRING"}, {2, "amount_cents", "INT64"}}),
                                 OrderSchema({{1, "id", "STRING"},
                                              {2, "amount_cents", "INT64"},
                                              {3, "tags", "tags"},
                                              {9, "status", "enum"}})}) {
    proto::Request request;
    request.mutable_register_schema()->set_descriptor_set(set);
    std::optional<proto::Response> response = client_->Call(request);
    ASSERT_TRUE(response.has_value());
    ASSERT_EQ(response->error().code(), proto::NONE) << response->error().message();
    ASSERT_EQ(response->register_schema().verdicts_size(), 1);
    ASSERT_TRUE(response->register_schema().verdicts(0).registered());
  }
  // A validated topic, and a record it refuses (its type is not registered).
  proto::Request create = CreateTopicsRequest({"orders"}, 1);
  create.mutable_create_topics()->mutable_topics(0)->mutable_config()->set_schema_validation(
      proto::SCHEMA_VALIDATION_ON);
  ASSERT_EQ(client_->Call(create)->create_topics().results(0).error().code(), proto::NONE);
  CreateTopic(*client_, "free", 1);
  std::optional<proto::Response> refused = client_->Call(
      ProduceRequest("orders", 0, Batch({{"k", "v", {{"ce_type", "shop.Unknown"}}}})));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->error().code(), proto::UNKNOWN_SCHEMA) << refused->error().message();

  const JsonValue list = Parse(Api("/api/schemas"));
  ASSERT_EQ(list["subjects"].items().size(), 1u);
  const JsonValue& subject = list["subjects"].items()[0];
  EXPECT_EQ(subject["subject"].string_value(), "shop.Order");
  EXPECT_EQ(subject["latest_version"].number_value(), 2);
  EXPECT_EQ(subject["version_count"].number_value(), 2);
  EXPECT_GT(subject["registered_ms"].number_value(), 1.7e12);
  ASSERT_EQ(list["validated_topics"].items().size(), 1u);
  EXPECT_EQ(list["validated_topics"].items()[0].string_value(), "orders");
  EXPECT_EQ(list["rejected_records"].number_value(), 1);
  EXPECT_TRUE(Parse(Api("/api/topics/orders"))["config"]["schema_validation"].bool_value());

  // Versions newest first, each with its fields as the compatibility rules name them.
  const JsonValue order = Parse(Api("/api/schemas/shop.Order"));
  EXPECT_EQ(order["subject"].string_value(), "shop.Order");
  EXPECT_EQ(order["latest_version"].number_value(), 2);
  ASSERT_EQ(order["versions"].items().size(), 2u);
  const JsonValue& v2 = order["versions"].items()[0];
  const JsonValue& v1 = order["versions"].items()[1];
  EXPECT_EQ(v2["version"].number_value(), 2);
  EXPECT_EQ(v1["version"].number_value(), 1);
  EXPECT_NE(v2["definition"].string_value().find("message Order"), std::string::npos);
  ASSERT_EQ(v1["messages"].items().size(), 1u);
  EXPECT_EQ(v1["messages"].items()[0]["fields"].items().size(), 2u);
  EXPECT_TRUE(v1["enums"].items().empty());
  ASSERT_EQ(v2["messages"].items().size(), 1u);
  const JsonValue& message = v2["messages"].items()[0];
  EXPECT_EQ(message["name"].string_value(), "shop.Order");
  ASSERT_EQ(message["fields"].items().size(), 4u);
  std::vector<std::string> fields;
  for (const JsonValue& f : message["fields"].items()) {
    fields.push_back(std::to_string(static_cast<int>(f["number"].number_value())) + " " +
                     f["name"].string_value() + " " + f["type"].string_value() + " " +
                     f["label"].string_value());
  }
  EXPECT_EQ(fields, (std::vector<std::string>{
                        "1 id string optional", "2 amount_cents int64 optional",
                        "3 tags string repeated", "9 status enum shop.Status optional"}));
  ASSERT_EQ(v2["enums"].items().size(), 1u);
  EXPECT_EQ(v2["enums"].items()[0]["name"].string_value(), "shop.Status");
  EXPECT_EQ(v2["enums"].items()[0]["values"].items()[1]["name"].string_value(), "PAID");
  // ?versions= bounds how many are shown (newest first).
  const JsonValue newest = Parse(Api("/api/schemas/shop.Order?versions=1"));
  ASSERT_EQ(newest["versions"].items().size(), 1u);
  EXPECT_EQ(newest["versions"].items()[0]["version"].number_value(), 2);
  EXPECT_EQ(Api("/api/schemas/shop.Order?versions=0").status, 400);

  // An unknown subject: a JSON 404 naming it.
  const HttpReply unknown = Api("/api/schemas/shop.Nothing");
  EXPECT_EQ(unknown.status, 404);
  const JsonValue error = Parse(unknown)["error"];
  EXPECT_EQ(error["status"].number_value(), 404);
  EXPECT_EQ(error["code"].string_value(), "UNKNOWN_SCHEMA");
  EXPECT_NE(error["message"].string_value().find("shop.Nothing"), std::string::npos);
}

TEST_F(ConsoleApiTest, TimelineLinksEventsAlongTheirCausation) {
  CreateTopic(*client_, "a", 1);
  CreateTopic(*client_, "b", 1);
  Produce("a", 0, {{"s-7", "", Envelope("e-1", "Started", "svc-a", "s-7", "", "text/plain")}});
  Produce("b", 0, {{"s-7", "", Envelope("e-2", "Middle", "svc-b", "s-7", "e-1", "text/plain")}});
  Produce("a", 0, {{"s-7", "", Envelope("e-3", "Ended", "svc-a", "s-7", "e-2", "text/plain")}});
  const HttpReply reply = Api("/api/sagas/timeline?id=s-7");
  ASSERT_EQ(reply.status, 200) << reply.body;
  const JsonValue timeline = Parse(reply);
  const auto& events = timeline["events"].items();
  ASSERT_EQ(events.size(), 3);
  std::vector<double> parents;
  for (const JsonValue& e : events)
    parents.push_back(e["parent"].number_value());
  EXPECT_EQ(parents, (std::vector<double>{-1, 0, 1}));
  const JsonValue found = Parse(Api("/api/sagas/search?by=event_id&value=e-2"));
  ASSERT_EQ(found["events"].items().size(), 1);
  EXPECT_EQ(found["events"].items()[0]["topic"].string_value(), "b");
  EXPECT_EQ(Api("/api/sagas/search?by=nothing&value=x").status, 400);
  EXPECT_EQ(Api("/api/sagas/timeline").status, 400);
  EXPECT_TRUE(Parse(Api("/api/sagas/stuck")).Has("stuck"));
}

TEST_F(ConsoleApiTest, ActionsAreRefusedUnlessEnabled) {
  CreateTopic(*client_, "svc.dlq", 1);
  HttpReply refused = Post(port(), "/api/dead-letters/svc.dlq/replay?saga=s-1");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(Parse(refused)["error"]["code"].string_value(), "ACTIONS_DISABLED");
  EXPECT_EQ(Post(port(), "/api/groups/g/reset-offsets?topic=svc.dlq&to=earliest").status, 403);
  EXPECT_EQ(Api("/api/dead-letters/svc.dlq/replay?saga=s-1").status, 405);
}

TEST_F(ConsoleApiTest, ReplayAppendsTheDocumentedRequestForAParkedSaga) {
  Restart(/*actions=*/true);
  CreateTopic(*client_, "svc.dlq", 1);
  auto dead = Envelope("e-1", "Started", "svc-a", "s-1", "", "text/plain");
  for (const auto& h : std::vector<std::pair<std::string, std::string>>{
           {"choreo_dlq_kind", "dead"},
           {"choreo_dlq_error", "UNKNOWN: boom"},
           {"choreo_dlq_attempts", "5"},
           {"choreo_dlq_handler", "svc/Started"},
           {"choreo_dlq_topic", "a"},
           {"choreo_dlq_partition", "0"},
           {"choreo_dlq_offset", "0"},
           {"choreo_dlq_time", "2026-12-04T10:00:01.000Z"}}) {
    dead.push_back(h);
  }
  Produce("svc.dlq", 0, {{"s-1", "payload", dead}});

  const JsonValue parked = Parse(Api("/api/dead-letters/svc.dlq"));
  ASSERT_EQ(parked["sagas"].items().size(), 1);
  EXPECT_EQ(parked["sagas"].items()[0]["first_error"].string_value(), "UNKNOWN: boom");

  EXPECT_EQ(Post(port(), "/api/dead-letters/svc.dlq/replay?saga=s-1", false).status, 403);
  const HttpReply not_parked = Post(port(), "/api/dead-letters/svc.dlq/discard?saga=other");
  EXPECT_EQ(not_parked.status, 409);
  const HttpReply replay = Post(port(), "/api/dead-letters/svc.dlq/replay?saga=s-1");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(Parse(replay)["offset"].number_value(), 1);

  // The request record: key = saga id, choreo_dlq_kind = replay, no value
  // (client/include/choreo/saga/dead_letters.h).
  const JsonValue records = Parse(Api("/api/records?topic=svc.dlq&offset=1"));
  ASSERT_EQ(records["records"].items().size(), 1);
  const JsonValue& request = records["records"].items()[0];
  EXPECT_EQ(request["key"]["text"].string_value(), "s-1");
  EXPECT_EQ(request["value"]["size"].number_value(), 0);
  const auto& headers = request["headers"].items();
  ASSERT_EQ(headers.size(), 1);
  EXPECT_EQ(headers[0]["key"].string_value(), "choreo_dlq_kind");
  EXPECT_EQ(headers[0]["value"].string_value(), "replay");
  EXPECT_EQ(Parse(Api("/api/dead-letters/svc.dlq"))["sagas"].items()[0]["requested"].string_value(),
            "replay");
}

TEST_F(ConsoleApiTest, ResetOffsetsCommitsForAGroupWithoutMembers) {
  Restart(/*actions=*/true);
  CreateTopic(*client_, "orders", 2);
  Produce("orders", 1, {{"k", "v"}, {"k", "w"}, {"k", "x"}});
  const HttpReply latest = Post(port(), "/api/groups/billing/reset-offsets?topic=orders&to=latest");
  ASSERT_EQ(latest.status, 200) << latest.body;
  const JsonValue group = Parse(Api("/api/groups/billing"));
  const auto& offsets = group["offsets"].items();
  ASSERT_EQ(offsets.size(), 2);
  EXPECT_EQ(offsets[1]["committed_offset"].number_value(), 3);
  EXPECT_EQ(offsets[1]["lag"].number_value(), 0);
  const HttpReply one =
      Post(port(), "/api/groups/billing/reset-offsets?topic=orders&partition=1&to=offset&value=1");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(Parse(Api("/api/groups/billing"))["offsets"].items()[1]["lag"].number_value(), 2);
  EXPECT_EQ(Post(port(), "/api/groups/billing/reset-offsets?topic=orders&to=sideways").status, 400);
  EXPECT_EQ(Post(port(), "/api/groups/billing/reset-offsets?topic=orders&to=offset").status, 400);
  EXPECT_EQ(Post(port(), "/api/groups/billing/reset-offsets?topic=nope&to=latest").status, 404);
}

TEST_F(ConsoleApiTest, RequestsAreBoundedAndErrorsAreAnswered) {
  EXPECT_EQ(
      Exchange(port(), "POST /api/overview HTTP/1.1\r\nContent-Length: 100000\r\n\r\n").status,
      413);
  EXPECT_EQ(
      Exchange(port(), "POST /api/overview HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").status,
      411);
  std::string many = "/api/overview?";
  for (int i = 0; i < 40; ++i)
    many += "p" + std::to_string(i) + "=1&";
  EXPECT_EQ(Api(many).status, 400);
  EXPECT_EQ(Api("/api/records?topic=%zz").status, 400);
  EXPECT_EQ(Exchange(port(), "DELETE /api/overview HTTP/1.1\r\n\r\n").status, 405);
  const HttpReply unknown = Api("/api/nothing");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_TRUE(Parse(unknown).Has("error"));
  // A form body's parameters count like the query's.
  const HttpReply form =
      Exchange(port(),
               "POST /api/dead-letters/x.dlq/replay HTTP/1.1\r\nContent-Type: "
               "application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nsaga=s1");
  EXPECT_EQ(form.status, 403);  // read-only broker: refused, after the body was read

  // The pages: served from memory with a policy that allows nothing from elsewhere.
  RawConnection connection(port());
  connection.SendAll("GET / HTTP/1.1\r\n\r\n");
  std::string page;
  ASSERT_TRUE(connection.ReadUntilClose(&page, std::chrono::seconds(10)));
  EXPECT_NE(page.find("Content-Security-Policy: default-src 'none'"), std::string::npos);
  EXPECT_NE(page.find("<script type=\"module\" src=\"/console/js/app.js\">"), std::string::npos);
  EXPECT_EQ(Api("/console/js/app.js").status, 200);
  EXPECT_EQ(Api("/console/js/nothing.js").status, 404);
  const HttpReply head = Exchange(port(), "HEAD /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
}

TEST_F(ConsoleApiTest, TheConsoleCanBeTurnedOff) {
  ASSERT_TRUE(broker_->Shutdown().ok());
  broker_.reset();
  BrokerOptions options = DefaultOptions();
  options.http_listen = "127.0.0.1:0";
  options.http_console = false;
  StartBroker(options);
  EXPECT_EQ(Api("/api/overview").status, 404);
  EXPECT_EQ(Api("/").status, 404);
  EXPECT_EQ(Api("/healthz").status, 200);
}

TEST(JsonWriterTest, EscapesAndReplacesInvalidUtf8) {
  JsonWriter json;
  json.BeginObject().Field("a", "x\"\\\n\x01<").Key("b").BeginArray().Int(-1).Uint(2).Bool(true);
  json.Null().Double(0.5).String("\xe2\x82\xac \xff").EndArray().EndObject();
  EXPECT_EQ(json.str(),
            "{\"a\":\"x\\\"\\\\\\n\\u0001\\u003c\",\"b\":[-1,2,true,null,0.5,\"\xe2\x82\xac "
            "\\ufffd\"]}");
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xc0\x80"));      // overlong
}

TEST(HttpRequestTest, ParsesTheHeadAndDecodesParameters) {
  HttpRequest request;
  size_t length = 0;
  EXPECT_FALSE(ParseRequestHead(
      "GET /api/x%2Fy?a=1+2&b=%C3%A9&c HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n", &request,
      &length));
  EXPECT_EQ(request.path, "/api/x/y");
  EXPECT_EQ(request.Param("a").value_or(""), "1 2");
  EXPECT_EQ(request.Param("b").value_or(""), "\xc3\xa9");
  EXPECT_EQ(request.Param("c").value_or("absent"), "");
  EXPECT_EQ(request.Header("host").value_or(""), "h");
  EXPECT_EQ(length, 3u);
  HttpRequest bad;
  EXPECT_EQ(ParseRequestHead("GET nothing HTTP/1.1\r\n\r\n", &bad, &length)->status, 400);
  EXPECT_EQ(ParseRequestHead("GET /a%4 HTTP/1.1\r\n\r\n", &bad, &length)->status, 400);
  EXPECT_EQ(ParseRequestHead("PUT /a HTTP/1.1\r\n\r\n", &bad, &length)->status, 405);
  EXPECT_EQ(ParseRequestHead("GET /a HTTP/1.1\r\nno colon\r\n\r\n", &bad, &length)->status, 400);
}

}  // namespace
}  // namespace choreo::broker::testing

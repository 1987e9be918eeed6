// The schema registry end to end, against an in-process broker: the compatibility rules (a table
// of protobuf changes with their verdicts and messages), durability across a restart, validation
// on produce, the saga layer failing fast at start-up, and the `choreo schema` commands.
#include <gmock/gmock.h>
#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "choreo/client/admin.h"
#include "choreo/client/producer.h"
#include "choreo/saga/schemas.h"
#include "choreo/saga/service.h"
#include "choreo/testing/test_broker.h"
#include "client/cli/cli.h"
#include "test_events.pb.h"
#include "tests/saga/saga_test_util.h"

namespace choreo::saga {
namespace {

using ::testing::HasSubstr;

// A FileDescriptorSet of one .proto text (no imports), as `protoc --descriptor_set_out` makes it.
std::string SetOf(const std::string& proto_text, const std::string& file_name = "test.proto") {
  google::protobuf::io::ArrayInputStream input(proto_text.data(),
                                               static_cast<int>(proto_text.size()));
  google::protobuf::io::Tokenizer tokenizer(&input, nullptr);
  google::protobuf::compiler::Parser parser;
  google::protobuf::FileDescriptorSet set;
  google::protobuf::FileDescriptorProto* file = set.add_file();
  EXPECT_TRUE(parser.Parse(&tokenizer, file)) << proto_text;
  file->set_name(file_name);
  return set.SerializeAsString();
}

std::unique_ptr<Admin> ConnectAdmin(const choreo::testing::TestBroker& broker) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(broker.client_options());
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  if (!admin.ok()) return nullptr;
  return std::move(*admin);
}

struct Change {
  std::string name;
  std::string v1;  // body of `message Event { ... }` (plus anything after it) in version 1
  std::string v2;
  bool compatible;
  std::string message;  // a substring of the problem when incompatible
};

const Change kChanges[] = {
    {"added optional field", "string id = 1;", "string id = 1; int64 amount = 2;", true, ""},
    {"removed field with reserved number", "string id = 1; string note = 2;",
     "string id = 1; reserved 2; reserved \"note\";", true, ""},
    {"removed field without reservation", "string id = 1; string note = 2;", "string id = 1;",
     false, "field 2 'note' was removed without reserving its number"},
    {"reused number of a removed field", "string id = 1; string note = 2;",
     "string id = 1; int32 count = 2;", false, "field 2 'note' changed name to 'count'"},
    {"changed type", "string id = 1; int64 amount = 4;", "string id = 1; string amount = 4;", false,
     "field 4 'amount' changed type from int64 to string"},
    {"int32 to int64 (wire-compatible, refused)", "int32 n = 1;", "int64 n = 1;", false,
     "field 1 'n' changed type from int32 to int64"},
    {"changed number", "string id = 1;", "string id = 2; reserved 1;", false,
     "field 1 'id' changed number from 1 to 2"},
    {"repeated to singular", "repeated string tags = 1;", "string tags = 1;", false,
     "field 1 'tags' changed label from repeated to optional"},
    {"enum value added", "enum S { A = 0; B = 1; } S s = 1;",
     "enum S { A = 0; B = 1; C = 2; } S s = 1;", true, ""},
    {"enum value removed", "enum S { A = 0; B = 1; } S s = 1;", "enum S { A = 0; } S s = 1;", false,
     "field 1 's' > enum compat.c9.Event.S value 'B' (1) was removed"},
    {"enum value renumbered", "enum S { A = 0; B = 1; } S s = 1;",
     "enum S { A = 0; B = 2; } S s = 1;", false, "Event.S value 'B' (1) changed number to 2"},
    {"nested message field changed type", "message M { int64 x = 1; } M m = 1;",
     "message M { string x = 1; } M m = 1;", false,
     "field 1 'm' > field 1 'x' changed type from int64 to string"},
    {"moved into a oneof", "string a = 1; string b = 2;", "oneof o { string a = 1; string b = 2; }",
     false, "field 1 'a' moved from no oneof to oneof o"},
};

std::string Proto(const std::string& package, const std::string& body,
                  const std::string& syntax = "proto3") {
  return "syntax = \"" + syntax + "\"; package " + package + "; message Event { " + body + " }";
}

TEST(SchemaRegistryTest, CompatibilityRulesTable) {
  std::unique_ptr<choreo::testing::TestBroker> broker = testing::StartBroker();
  std::unique_ptr<Admin> admin = ConnectAdmin(*broker);
  int n = 0;
  for (const Change& change : kChanges) {
    SCOPED_TRACE(change.name);
    const std::string package = "compat.c" + std::to_string(n++);
    const std::string type = package + ".Event";
    Result<std::vector<SchemaVerdict>> v1 = admin->RegisterSchema(SetOf(Proto(package, change.v1)));
    ASSERT_TRUE(v1.ok()) << v1.status().ToString();
    ASSERT_EQ(v1->size(), 1u);
    EXPECT_EQ((*v1)[0].subject, type);
    EXPECT_EQ((*v1)[0].version, 1u);
    EXPECT_TRUE((*v1)[0].registered);

    const std::string v2_set = SetOf(Proto(package, change.v2));
    Result<std::vector<SchemaVerdict>> checked = admin->CheckSchema(v2_set);
    ASSERT_TRUE(checked.ok()) << checked.status().ToString();
    ASSERT_EQ(checked->size(), 1u);
    EXPECT_EQ((*checked)[0].compatible(), change.compatible);
    Result<std::vector<SchemaVerdict>> registered = admin->RegisterSchema(v2_set);
    if (change.compatible) {
      ASSERT_TRUE(registered.ok()) << registered.status().ToString();
      EXPECT_EQ((*registered)[0].version, 2u);
      EXPECT_TRUE((*registered)[0].registered);
    } else {
      ASSERT_FALSE((*checked)[0].incompatibilities.empty());
      EXPECT_THAT((*checked)[0].incompatibilities[0],
                  ::testing::AllOf(HasSubstr("against v1: "), HasSubstr(change.message)));
      EXPECT_EQ(registered.status().code(), ErrorCode::kIncompatibleSchema);
      EXPECT_THAT(registered.status().message(), HasSubstr(type + " v2: against v1: "));
      EXPECT_THAT(registered.status().message(), HasSubstr(change.message));
      // Nothing was registered.
      EXPECT_EQ(admin->GetSchema(type)->version, 1u);
    }
  }
}

TEST(SchemaRegistryTest, RequiredFieldsRenamedMessagesAndIdenticalVersions) {
  std::unique_ptr<choreo::testing::TestBroker> broker = testing::StartBroker();
  std::unique_ptr<Admin> admin = ConnectAdmin(*broker);
  // proto2: a new required field, and optional -> required.
  ASSERT_TRUE(admin->RegisterSchema(SetOf(Proto("p2", "optional string id = 1;", "proto2"))).ok());
  Result<std::vector<SchemaVerdict>> required = admin->CheckSchema(
      SetOf(Proto("p2", "optional string id = 1; required int32 n = 2;", "proto2")));
  ASSERT_TRUE(required.ok());
  EXPECT_THAT((*required)[0].incompatibilities.at(0), HasSubstr("new field 2 'n' is required"));
  required = admin->CheckSchema(SetOf(Proto("p2", "required string id = 1;", "proto2")));
  ASSERT_TRUE(required.ok());
  EXPECT_THAT((*required)[0].incompatibilities.at(0),
              HasSubstr("field 1 'id' changed label from optional to required"));

  // A renamed message is a new subject: version 1 of the new name, the old one untouched.
  ASSERT_TRUE(admin
                  ->RegisterSchema(SetOf("syntax = \"proto3\"; package r; message OrderPlaced { "
                                         "string id = 1; }"))
                  .ok());
  Result<std::vector<SchemaVerdict>> renamed = admin->RegisterSchema(
      SetOf("syntax = \"proto3\"; package r; message OrderSubmitted { string id = 1; }"));
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ((*renamed)[0].subject, "r.OrderSubmitted");
  EXPECT_EQ((*renamed)[0].latest_version, 0u);  // a new subject, not v2 of r.OrderPlaced
  EXPECT_EQ((*renamed)[0].version, 1u);
  EXPECT_THAT(DescribeVerdict((*renamed)[0]), HasSubstr("new subject"));
  EXPECT_EQ(admin->GetSchema("r.OrderPlaced")->versions, std::vector<uint32_t>{1});

  // Registering the same schema again adds no version.
  Result<std::vector<SchemaVerdict>> again = admin->RegisterSchema(
      SetOf("syntax = \"proto3\"; package r; message OrderSubmitted { string id = 1; }"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[0].identical_version, 1u);
  EXPECT_FALSE((*again)[0].registered);

  // A number removed in v2 (reserved) cannot come back in v3 once the reservation is dropped:
  // every registered version is checked, not only the latest.
  ASSERT_TRUE(admin->RegisterSchema(SetOf(Proto("h", "string a = 1; string b = 2;"))).ok());
  ASSERT_TRUE(admin->RegisterSchema(SetOf(Proto("h", "string a = 1; reserved 2;"))).ok());
  Result<std::vector<SchemaVerdict>> reused =
      admin->CheckSchema(SetOf(Proto("h", "string a = 1; int64 b = 2;")));
  ASSERT_TRUE(reused.ok());
  ASSERT_FALSE((*reused)[0].compatible());
  EXPECT_THAT((*reused)[0].incompatibilities.at(0),
              HasSubstr("against v2: new field 2 'b' reuses a reserved number"));

  EXPECT_EQ(admin->GetSchema("no.Such").status().code(), ErrorCode::kUnknownSchema);
  EXPECT_EQ(admin->RegisterSchema("not a descriptor set").status().code(),
            ErrorCode::kInvalidRequest);
}

TEST(SchemaRegistryTest, VersionsSurviveARestart) {
  std::unique_ptr<choreo::testing::TestBroker> broker = testing::StartBroker();
  {
    std::unique_ptr<Admin> admin = ConnectAdmin(*broker);
    ASSERT_TRUE(admin->RegisterSchema(SetOf(Proto("d", "string id = 1;"))).ok());
    ASSERT_TRUE(admin->RegisterSchema(SetOf(Proto("d", "string id = 1; int32 n = 2;"))).ok());
  }
  ASSERT_TRUE(broker->Restart().ok());
  std::unique_ptr<Admin> admin = ConnectAdmin(*broker);
  Result<std::vector<SchemaSubject>> subjects = admin->ListSchemas();
  ASSERT_TRUE(subjects.ok()) << subjects.status().ToString();
  ASSERT_EQ(subjects->size(), 1u);
  EXPECT_EQ((*subjects)[0].subject, "d.Event");
  EXPECT_EQ((*subjects)[0].latest_version, 2u);
  Result<SchemaVersion> v1 = admin->GetSchema("d.Event", 1);
  ASSERT_TRUE(v1.ok());
  EXPECT_THAT(v1->definition, HasSubstr("string id = 1;"));
  EXPECT_THAT(v1->definition, ::testing::Not(HasSubstr("int32 n = 2;")));
  // Compatibility is still checked against the restored versions.
  Result<std::vector<SchemaVerdict>> changed =
      admin->CheckSchema(SetOf(Proto("d", "string id = 1; string n = 2;")));
  ASSERT_TRUE(changed.ok());
  EXPECT_FALSE((*changed)[0].compatible());
}

Record Event(const std::string& type, const std::string& data_schema) {
  Record record;
  record.key = "saga-1";
  record.value = "payload";
  if (!type.empty()) {
    record.headers = {{"ce_id", "e-" + type + data_schema},
                      {"ce_type", type},
                      {"ce_specversion", "1.0"},
                      {"ce_source", "test"}};
    if (!data_schema.empty()) record.headers.push_back({"ce_dataschema", data_schema});
  }
  return record;
}

TEST(SchemaRegistryTest, ValidationOnProduceAcceptsOnlyRegisteredTypesAndVersions) {
  std::unique_ptr<choreo::testing::TestBroker> broker = testing::StartBroker();
  std::unique_ptr<Admin> admin = ConnectAdmin(*broker);
  ASSERT_TRUE(admin
                  ->RegisterSchema(DescriptorSetOf(*sagatest::v1::OrderPlaced::descriptor()),
                                   {"sagatest.v1.OrderPlaced"})
                  .ok());
  TopicSettings settings;
  settings.partitions = 1;
  settings.schema_validation = true;
  ASSERT_TRUE(admin->CreateTopic("validated", settings).ok());
  ASSERT_TRUE(admin->DescribeTopic("validated")->settings.schema_validation);
  ASSERT_TRUE(admin->CreateTopic("open", TopicSettings{.partitions = 1}).ok());

  ProducerOptions options;
  options.client = broker->client_options();
  Result<std::unique_ptr<Producer>> producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  auto send = [&](const std::string& topic, Record record) {
    return (*producer)->Send(topic, std::move(record)).get();
  };
  // Conforming: the registered type, version 1 explicitly or by default.
  EXPECT_TRUE(send("validated",
                   Event("sagatest.v1.OrderPlaced", "urn:choreo:schema:sagatest.v1.OrderPlaced:v1"))
                  .ok());
  EXPECT_TRUE(send("validated", Event("sagatest.v1.OrderPlaced", "")).ok());
  // Not conforming: an unregistered type, an unregistered version, no envelope at all.
  Result<RecordMetadata> unknown_type = send("validated", Event("sagatest.v1.Unhandled", ""));
  EXPECT_EQ(unknown_type.status().code(), ErrorCode::kUnknownSchema);
  EXPECT_THAT(unknown_type.status().message(), HasSubstr("topic 'validated'"));
  EXPECT_THAT(unknown_type.status().message(), HasSubstr("sagatest.v1.Unhandled version 1"));
  Result<RecordMetadata> unknown_version =
      send("validated",
           Event("sagatest.v1.OrderPlaced", "urn:choreo:schema:sagatest.v1.OrderPlaced:v2"));
  EXPECT_EQ(unknown_version.status().code(), ErrorCode::kUnknownSchema);
  EXPECT_THAT(unknown_version.status().message(), HasSubstr("version 2, which is not registered"));
  EXPECT_EQ(send("validated", Event("", "")).status().code(), ErrorCode::kUnknownSchema);
  // A topic without validation takes anything.
  EXPECT_TRUE(send("open", Event("sagatest.v1.Unhandled", "")).ok());

  // Turning validation off lets the same record through.
  TopicChanges off;
  off.schema_validation = false;
  ASSERT_TRUE(admin->AlterTopic("validated", off).ok());
  EXPECT_TRUE(send("validated", Event("sagatest.v1.Unhandled", "")).ok());
}

TEST(SchemaRegistryTest, SagaServiceFailsFastOnAnIncompatibleMessageType) {
  std::unique_ptr<choreo::testing::TestBroker> broker = testing::StartBroker();
  std::unique_ptr<Admin> admin = ConnectAdmin(*broker);
  // The registry knows sagatest.v1.OrderPlaced with amount_cents as a string; the service is
  // built with it as int64.
  ASSERT_TRUE(admin
                  ->RegisterSchema(SetOf("syntax = \"proto3\"; package sagatest.v1; message "
                                         "OrderPlaced { string order_id = 1; string amount_cents "
                                         "= 2; string currency = 3; }"))
                  .ok());
  Result<std::unique_ptr<SagaService>> service =
      SagaService::Create(testing::TestServiceOptions(*broker, "billing"));
  ASSERT_TRUE(service.ok());
  (*service)->On<sagatest::v1::OrderPlaced>(
      [](HandlerContext&, const sagatest::v1::OrderPlaced&) { return OkStatus(); });
  Status started = (*service)->Start();
  EXPECT_EQ(started.code(), ErrorCode::kIncompatibleSchema);
  EXPECT_THAT(started.message(), HasSubstr("service 'billing'"));
  EXPECT_THAT(started.message(),
              HasSubstr("sagatest.v1.OrderPlaced is incompatible with the schema registry"));
  EXPECT_THAT(started.message(),
              HasSubstr("field 2 'amount_cents' changed type from string to int64"));
}

TEST(SchemaRegistryTest, SagaServiceStartsWithUnregisteredOrIdenticalTypes) {
  std::unique_ptr<choreo::testing::TestBroker> broker = testing::StartBroker();
  ServiceOptions options = testing::TestServiceOptions(*broker, "shipping");
  options.register_schemas = true;
  Result<std::unique_ptr<SagaService>> service = SagaService::Create(options);
  ASSERT_TRUE(service.ok());
  (*service)->On<sagatest::v1::PaymentTaken>(
      [](HandlerContext&, const sagatest::v1::PaymentTaken&) { return OkStatus(); });
  ASSERT_TRUE((*service)->Start().ok());
  (*service)->Stop();
  // register_schemas registered it.
  std::unique_ptr<Admin> admin = ConnectAdmin(*broker);
  EXPECT_EQ(admin->GetSchema("sagatest.v1.PaymentTaken")->version, 1u);
}

struct CliResult {
  int exit = 0;
  std::string out, err;
};

CliResult RunCli(const choreo::testing::TestBroker& broker, std::vector<std::string> args) {
  args.insert(args.begin(), {"--broker", broker.address()});
  std::istringstream in;
  std::ostringstream out, err;
  CliResult r;
  r.exit = cli::Run(args, in, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

TEST(SchemaRegistryTest, CliRegistersListsShowsAndChecks) {
  std::unique_ptr<choreo::testing::TestBroker> broker = testing::StartBroker();
  const std::filesystem::path dir = broker->data_dir() + "-protos";
  std::filesystem::create_directories(dir / "order" / "v1");
  auto write = [&](const std::string& text) {
    std::ofstream(dir / "order" / "v1" / "order.proto") << text;
  };
  write(
      "syntax = \"proto3\";\npackage order.v1;\nimport \"order/v1/money.proto\";\n"
      "message OrderCreated { string id = 1; int64 amount = 4; Money total = 5; }\n"
      "message OrderCancelled { string id = 1; }\n");
  std::ofstream(dir / "order" / "v1" / "money.proto")
      << "syntax = \"proto3\";\npackage order.v1;\nmessage Money { int64 cents = 1; }\n";
  const std::string file = (dir / "order" / "v1" / "order.proto").string();
  const std::string include = "-I" + dir.string();

  CliResult registered = RunCli(*broker, {"schema", "register", file, include});
  ASSERT_EQ(registered.exit, 0) << registered.err;
  EXPECT_THAT(registered.out, HasSubstr("order.v1.OrderCreated v1: registered, new subject"));
  EXPECT_THAT(registered.out, HasSubstr("order.v1.OrderCancelled v1: registered, new subject"));

  CliResult listed = RunCli(*broker, {"schema", "list"});
  ASSERT_EQ(listed.exit, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("order.v1.OrderCancelled\tv1\t"));
  EXPECT_THAT(listed.out, HasSubstr("order.v1.OrderCreated\tv1\t"));

  CliResult shown = RunCli(*broker, {"schema", "show", "order.v1.OrderCreated"});
  ASSERT_EQ(shown.exit, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr("dataschema: urn:choreo:schema:order.v1.OrderCreated:v1"));
  EXPECT_THAT(shown.out, HasSubstr("int64 amount = 4;"));

  write(
      "syntax = \"proto3\";\npackage order.v1;\nimport \"order/v1/money.proto\";\n"
      "message OrderCreated { string id = 1; string amount = 4; Money total = 5; }\n"
      "message OrderCancelled { string id = 1; string reason = 2; }\n");
  CliResult checked = RunCli(*broker, {"schema", "check", file, include});
  EXPECT_EQ(checked.exit, 1);
  EXPECT_THAT(checked.out,
              HasSubstr("order.v1.OrderCreated v2: INCOMPATIBLE\n  against v1: field 4 'amount' "
                        "changed type from int64 to string"));
  EXPECT_THAT(checked.out, HasSubstr("order.v1.OrderCancelled v2: compatible (new version)"));
  CliResult refused = RunCli(*broker, {"schema", "register", file, include});
  EXPECT_EQ(refused.exit, 1);
  EXPECT_THAT(refused.err, HasSubstr("INCOMPATIBLE_SCHEMA"));
  // --type registers the compatible one alone.
  CliResult one =
      RunCli(*broker, {"schema", "register", file, include, "--type", "order.v1.OrderCancelled"});
  ASSERT_EQ(one.exit, 0) << one.err;
  EXPECT_THAT(one.out, HasSubstr("order.v1.OrderCancelled v2: registered, compatible"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace choreo::saga

// Parsing of `choreo dlq ...`, its help, and the JSON writer behind --format json.
#include <gtest/gtest.h>

#include <sstream>

#include "choreo/common/json_writer.h"
#include "client/cli/cli.h"
#include "client/cli/command_line.h"
#include "tests/client/command_line_test_util.h"

namespace choreo::cli {
namespace {

TEST(DlqCommandLineTest, ListByGroupOrTopic) {
  DlqListArgs by_group =
      std::get<DlqListArgs>(ParseOk({"dlq", "list", "--group", "payment-service"}).command);
  EXPECT_EQ(by_group.topic, "payment-service.dlq");
  EXPECT_EQ(by_group.format, ReportFormat::kText);
  Invocation by_topic =
      ParseOk({"dlq", "list", "--topic=payments.dead", "--format", "json", "--broker", "b:1"});
  EXPECT_EQ(by_topic.broker, "b:1");
  EXPECT_EQ(std::get<DlqListArgs>(by_topic.command).topic, "payments.dead");
  EXPECT_EQ(std::get<DlqListArgs>(by_topic.command).format, ReportFormat::kJson);
  EXPECT_EQ(
      std::get<DlqListArgs>(ParseOk({"dlq", "list", "--group", "g", "--format", "text"}).command)
          .format,
      ReportFormat::kText);
}

TEST(DlqCommandLineTest, ShowReplayDiscardTakeASagaId) {
  DlqShowArgs show = std::get<DlqShowArgs>(
      ParseOk({"dlq", "show", "--group", "svc", "order-17", "--format=json"}).command);
  EXPECT_EQ(show.topic, "svc.dlq");
  EXPECT_EQ(show.saga_id, "order-17");
  EXPECT_EQ(show.format, ReportFormat::kJson);
  DlqActionArgs replay =
      std::get<DlqActionArgs>(ParseOk({"dlq", "replay", "order-17", "--group", "svc"}).command);
  EXPECT_EQ(replay.topic, "svc.dlq");
  EXPECT_EQ(replay.saga_id, "order-17");
  EXPECT_EQ(replay.action, DlqAction::kReplay);
  DlqActionArgs discard =
      std::get<DlqActionArgs>(ParseOk({"dlq", "discard", "--topic", "t", "s-1"}).command);
  EXPECT_EQ(discard.topic, "t");
  EXPECT_EQ(discard.saga_id, "s-1");
  EXPECT_EQ(discard.action, DlqAction::kDiscard);
}

TEST(DlqCommandLineTest, UsageErrors) {
  EXPECT_NE(ParseError({"dlq", "list"}).find("--group G"), std::string::npos);
  EXPECT_NE(ParseError({"dlq", "list", "--group", "g", "--topic", "t"}).find("not both"),
            std::string::npos);
  EXPECT_NE(ParseError({"dlq", "list", "--group", ""}).find("must not be empty"),
            std::string::npos);
  EXPECT_NE(ParseError({"dlq", "list", "--group", "g", "--format", "xml"}).find("'xml'"),
            std::string::npos);
  EXPECT_NE(ParseError({"dlq", "list", "--group", "g", "extra"}).find("unexpected argument"),
            std::string::npos);
  EXPECT_NE(ParseError({"dlq", "show", "--group", "g"}).find("missing saga id"), std::string::npos);
  EXPECT_NE(ParseError({"dlq", "replay", "--group", "g", ""}).find("saga id must not be empty"),
            std::string::npos);
  EXPECT_NE(
      ParseError({"dlq", "replay", "--group", "g", "s", "--format", "json"}).find("unknown flag"),
      std::string::npos);
  EXPECT_NE(ParseError({"dlq", "discard", "s"}).find("--group G"), std::string::npos);
  EXPECT_NE(ParseError({"dlq", "purge", "--group", "g"}).find("unknown dlq command"),
            std::string::npos);
}

TEST(DlqCommandLineTest, Help) {
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"dlq"}).command).topic, "dlq");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"dlq", "--help"}).command).topic, "dlq");
  // Help wins over missing arguments.
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"dlq", "show", "--help"}).command).topic, "dlq show");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"help", "dlq", "replay"}).command).topic, "dlq replay");

  std::istringstream in;
  for (const char* sub : {"list", "show", "replay", "discard"}) {
    std::ostringstream out, err;
    EXPECT_EQ(cli::Run({"dlq", sub, "--help"}, in, out, err), kExitOk);
    EXPECT_EQ(out.str().rfind(std::string("usage: choreo dlq ") + sub, 0), 0u) << out.str();
  }
  std::ostringstream out, err;
  EXPECT_EQ(cli::Run({"--help"}, in, out, err), kExitOk);
  EXPECT_NE(out.str().find("dlq replay (--group G | --topic T) SAGA_ID"), std::string::npos);
}

TEST(DlqCommandLineTest, ConnectionErrorsExitWithOne) {
  std::istringstream in;
  std::ostringstream out, err;
  // Port 1 on localhost: nothing listens there.
  EXPECT_EQ(cli::Run({"dlq", "list", "--group", "g", "--broker", "127.0.0.1:1"}, in, out, err),
            kExitError);
  EXPECT_EQ(err.str().rfind("error: CONNECTION_FAILED", 0), 0u) << err.str();
}

TEST(JsonWriterTest, NestingCommasAndEscapes) {
  JsonWriter json;
  json.BeginObject()
      .Key("a")
      .Int(-3)
      .Key("list")
      .BeginArray()
      .String("x")
      .Null()
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .EndArray()
      .Key("text")
      .String("q\"b\\n\n\t\x01\xc3\xa9")
      .EndObject();
  EXPECT_EQ(json.str(),
            "{\"a\":-3,\"list\":[\"x\",null,{},[]],\"text\":\"q\\\"b\\\\n\\n\\t\\u0001\xc3\xa9\"}");
}

}  // namespace
}  // namespace choreo::cli

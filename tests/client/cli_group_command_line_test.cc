// Parsing of `choreo group ...` and `consume --group`.
#include <gtest/gtest.h>

#include <sstream>

#include "client/cli/cli.h"
#include "client/cli/command_line.h"

namespace choreo::cli {
namespace {

Invocation ParseOk(std::vector<std::string> args) {
  Result<Invocation> invocation = ParseCommandLine(args);
  EXPECT_TRUE(invocation.ok()) << invocation.status().ToString();
  return invocation.ok() ? *invocation : Invocation{};
}

std::string ParseError(std::vector<std::string> args) {
  Result<Invocation> invocation = ParseCommandLine(args);
  EXPECT_FALSE(invocation.ok());
  return invocation.ok() ? "" : invocation.status().message();
}

TEST(GroupCommandLineTest, ListDescribeDelete) {
  EXPECT_TRUE(std::holds_alternative<GroupListArgs>(ParseOk({"group", "list"}).command));
  EXPECT_EQ(std::get<GroupDescribeArgs>(ParseOk({"group", "describe", "svc"}).command).group,
            "svc");
  Invocation deleted = ParseOk({"group", "delete", "svc", "--broker", "b:1"});
  EXPECT_EQ(std::get<GroupDeleteArgs>(deleted.command).group, "svc");
  EXPECT_EQ(deleted.broker, "b:1");
  EXPECT_NE(ParseError({"group", "describe"}).find("missing group id"), std::string::npos);
  EXPECT_NE(ParseError({"group", "frobnicate"}).find("unknown group command"), std::string::npos);
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"group"}).command).topic, "group");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"group", "describe", "--help"}).command).topic,
            "group describe");
}

TEST(GroupCommandLineTest, ResetOffsetsNeedsTopicAndExactlyOneTarget) {
  auto reset = [](std::vector<std::string> extra) {
    std::vector<std::string> args = {"group", "reset-offsets", "svc", "--topic", "orders"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  GroupResetOffsetsArgs earliest =
      std::get<GroupResetOffsetsArgs>(ParseOk(reset({"--to-earliest"})).command);
  EXPECT_EQ(earliest.group, "svc");
  EXPECT_EQ(earliest.topic, "orders");
  EXPECT_EQ(earliest.spec.kind, OffsetResetSpec::Kind::kEarliest);
  EXPECT_FALSE(earliest.partition);
  GroupResetOffsetsArgs offset = std::get<GroupResetOffsetsArgs>(
      ParseOk(reset({"--to-offset", "42", "--partition", "3"})).command);
  EXPECT_EQ(offset.spec.kind, OffsetResetSpec::Kind::kOffset);
  EXPECT_EQ(offset.spec.value, 42);
  EXPECT_EQ(offset.partition, 3u);
  GroupResetOffsetsArgs at =
      std::get<GroupResetOffsetsArgs>(ParseOk(reset({"--to-timestamp=1700000000000"})).command);
  EXPECT_EQ(at.spec.kind, OffsetResetSpec::Kind::kTimestamp);
  EXPECT_EQ(at.spec.value, 1700000000000);
  EXPECT_EQ(std::get<GroupResetOffsetsArgs>(ParseOk(reset({"--to-latest"})).command).spec.kind,
            OffsetResetSpec::Kind::kLatest);

  EXPECT_NE(ParseError(reset({})).find("exactly one"), std::string::npos);
  EXPECT_NE(ParseError(reset({"--to-earliest", "--to-latest"})).find("exactly one"),
            std::string::npos);
  EXPECT_NE(ParseError({"group", "reset-offsets", "svc", "--to-earliest"}).find("--topic"),
            std::string::npos);
  EXPECT_FALSE(ParseCommandLine(reset({"--to-offset", "-1"})).ok());
}

TEST(GroupCommandLineTest, ConsumeWithAGroup) {
  ConsumeArgs args = std::get<ConsumeArgs>(
      ParseOk({"consume", "orders", "--group", "svc", "--session-timeout-ms", "1500"}).command);
  EXPECT_EQ(args.group, "svc");
  EXPECT_EQ(args.session_timeout_ms, 1500);
  EXPECT_FALSE(std::get<ConsumeArgs>(ParseOk({"consume", "orders"}).command).group);
  EXPECT_NE(ParseError({"consume", "orders", "--group", "svc", "--partition", "1"}).find("--group"),
            std::string::npos);
  EXPECT_NE(ParseError({"consume", "orders", "--session-timeout-ms", "100"}).find("--group"),
            std::string::npos);
}

TEST(GroupCommandLineTest, HelpMentionsGroups) {
  std::istringstream in;
  std::ostringstream out, err;
  EXPECT_EQ(cli::Run({"--help"}, in, out, err), kExitOk);
  EXPECT_NE(out.str().find("group reset-offsets"), std::string::npos);
  out.str("");
  EXPECT_EQ(cli::Run({"help", "group", "describe"}, in, out, err), kExitOk);
  EXPECT_NE(out.str().find("LAG"), std::string::npos);
}

}  // namespace
}  // namespace choreo::cli

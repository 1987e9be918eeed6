#include "client/cli/command_line.h"

#include <gtest/gtest.h>

#include <sstream>

#include "client/cli/cli.h"

namespace choreo::cli {
namespace {

Invocation ParseOk(std::vector<std::string> args) {
  Result<Invocation> invocation = ParseCommandLine(args);
  EXPECT_TRUE(invocation.ok()) << invocation.status().ToString();
  return invocation.ok() ? *invocation : Invocation{};
}

Status ParseError(std::vector<std::string> args) {
  Result<Invocation> invocation = ParseCommandLine(args);
  EXPECT_FALSE(invocation.ok());
  return invocation.ok() ? OkStatus() : invocation.status();
}

TEST(CommandLineTest, TopicCreateWithSettings) {
  Invocation inv = ParseOk({"topic", "create", "orders", "--partitions", "6", "--retention-ms",
                            "-1", "--retention-bytes=1048576", "--broker", "b:1"});
  EXPECT_EQ(inv.broker, "b:1");
  const auto& args = std::get<TopicCreateArgs>(inv.command);
  EXPECT_EQ(args.name, "orders");
  EXPECT_EQ(args.settings.partitions, 6u);
  EXPECT_EQ(args.settings.retention_ms, -1);
  EXPECT_EQ(args.settings.retention_bytes, 1048576);
}

TEST(CommandLineTest, TopicCommandsAndDefaultBroker) {
  Invocation list = ParseOk({"topic", "list"});
  EXPECT_EQ(list.broker, "localhost:7420");
  EXPECT_TRUE(std::holds_alternative<TopicListArgs>(list.command));
  EXPECT_EQ(std::get<TopicDescribeArgs>(ParseOk({"topic", "describe", "o"}).command).name, "o");
  EXPECT_EQ(std::get<TopicDeleteArgs>(ParseOk({"topic", "delete", "o"}).command).name, "o");
  // Without --partitions the broker's --default-partitions applies (0 on the wire).
  EXPECT_EQ(
      std::get<TopicCreateArgs>(ParseOk({"topic", "create", "o"}).command).settings.partitions, 0u);
}

TEST(CommandLineTest, TopicAlter) {
  // Copies: ParseOk returns a temporary, so a reference into it would dangle.
  const TopicAlterArgs alter = std::get<TopicAlterArgs>(
      ParseOk({"topic", "alter", "orders", "--partitions", "8", "--retention-ms=-1",
               "--retention-bytes", "1000", "--max-message-bytes", "4096"})
          .command);
  EXPECT_EQ(alter.name, "orders");
  EXPECT_EQ(alter.changes.partitions, 8u);
  EXPECT_EQ(alter.changes.retention_ms, -1);
  EXPECT_EQ(alter.changes.retention_bytes, 1000);
  EXPECT_EQ(alter.changes.max_message_bytes, 4096u);
  const TopicAlterArgs only_retention =
      std::get<TopicAlterArgs>(ParseOk({"topic", "alter", "o", "--retention-ms", "60000"}).command);
  EXPECT_FALSE(only_retention.changes.partitions.has_value());
  EXPECT_FALSE(only_retention.changes.max_message_bytes.has_value());
  EXPECT_EQ(ParseError({"topic", "alter", "o"}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseError({"topic", "alter", "o", "--retention-ms", "0"}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseError({"topic", "alter", "o", "--partitions", "0"}).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(std::get<TopicCreateArgs>(
                ParseOk({"topic", "create", "o", "--max-message-bytes", "100"}).command)
                .settings.max_message_bytes,
            100u);
}

TEST(CommandLineTest, TopicTimestampType) {
  EXPECT_TRUE(std::get<TopicCreateArgs>(
                  ParseOk({"topic", "create", "o", "--timestamp-type", "log_append_time"}).command)
                  .settings.log_append_time);
  EXPECT_FALSE(std::get<TopicCreateArgs>(ParseOk({"topic", "create", "o"}).command)
                   .settings.log_append_time);
  const TopicAlterArgs back = std::get<TopicAlterArgs>(
      ParseOk({"topic", "alter", "o", "--timestamp-type=create_time"}).command);
  EXPECT_EQ(back.changes.log_append_time, false);
  EXPECT_EQ(ParseError({"topic", "alter", "o", "--timestamp-type", "LogAppendTime"}).code(),
            ErrorCode::kInvalidArgument);
}

TEST(CommandLineTest, BrokerBeforeTheCommand) {
  EXPECT_EQ(ParseOk({"--broker", "h:2", "topic", "list"}).broker, "h:2");
  EXPECT_EQ(ParseOk({"--broker=h:3", "topic", "list"}).broker, "h:3");
}

TEST(CommandLineTest, WaitBeforeOrAfterTheCommand) {
  EXPECT_EQ(ParseOk({"topic", "list"}).wait_ms, 0);
  EXPECT_EQ(ParseOk({"--wait", "topic", "list"}).wait_ms, kDefaultWaitMs);
  EXPECT_EQ(ParseOk({"--wait=2m", "topic", "list"}).wait_ms, 120000);
  EXPECT_EQ(ParseOk({"topic", "list", "--wait"}).wait_ms, kDefaultWaitMs);
  Invocation produce = ParseOk({"produce", "orders", "--wait=500ms", "--partition", "1"});
  EXPECT_EQ(produce.wait_ms, 500);
  EXPECT_EQ(std::get<ProduceArgs>(produce.command).partition, 1u);
  // After "--" it is an argument, not the flag.
  EXPECT_EQ(
      std::get<TopicDescribeArgs>(ParseOk({"topic", "describe", "--", "--wait"}).command).name,
      "--wait");
}

TEST(CommandLineTest, Produce) {
  Invocation inv = ParseOk({"produce", "orders", "--partition", "2", "--key-separator", ":",
                            "--header", "type=OrderCreated", "--header", "v=a=b"});
  const auto& args = std::get<ProduceArgs>(inv.command);
  EXPECT_EQ(args.topic, "orders");
  EXPECT_EQ(args.partition, 2u);
  EXPECT_EQ(args.key_separator, ":");
  ASSERT_EQ(args.headers.size(), 2u);
  EXPECT_EQ(args.headers[0].key, "type");
  EXPECT_EQ(args.headers[0].value, "OrderCreated");
  EXPECT_EQ(args.headers[1].key, "v");
  EXPECT_EQ(args.headers[1].value, "a=b");

  const Invocation plain_invocation = ParseOk({"produce", "t"});
  const auto& plain = std::get<ProduceArgs>(plain_invocation.command);
  EXPECT_FALSE(plain.partition.has_value());
  EXPECT_FALSE(plain.key_separator.has_value());
}

TEST(CommandLineTest, Consume) {
  Invocation inv = ParseOk({"consume", "orders", "--from-beginning", "--partition", "1", "--follow",
                            "--max", "10", "--format", "full"});
  const auto& args = std::get<ConsumeArgs>(inv.command);
  EXPECT_EQ(args.topic, "orders");
  EXPECT_TRUE(args.from_beginning);
  EXPECT_EQ(args.partition, 1u);
  EXPECT_TRUE(args.follow);
  EXPECT_EQ(args.max_records, 10u);
  EXPECT_EQ(args.format, OutputFormat::kFull);

  const Invocation defaults_invocation = ParseOk({"consume", "t"});
  const auto& defaults = std::get<ConsumeArgs>(defaults_invocation.command);
  EXPECT_FALSE(defaults.from_beginning);
  EXPECT_FALSE(defaults.partition.has_value());
  EXPECT_FALSE(defaults.offset.has_value());
  EXPECT_FALSE(defaults.follow);
  EXPECT_FALSE(defaults.max_records.has_value());
  EXPECT_EQ(defaults.format, OutputFormat::kValue);
  EXPECT_EQ(std::get<ConsumeArgs>(ParseOk({"consume", "t", "--offset", "5"}).command).offset, 5);
}

TEST(CommandLineTest, Help) {
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"--help"}).command).topic, "");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"help", "topic", "create"}).command).topic, "topic create");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"topic"}).command).topic, "topic");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"topic", "create", "--help"}).command).topic,
            "topic create");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"consume", "-h"}).command).topic, "consume");
  // Help wins over missing arguments.
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"produce", "--help"}).command).topic, "produce");
}

TEST(CommandLineTest, UsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"frobnicate"},
           {"topic", "rename", "x"},
           {"topic", "create"},
           {"topic", "create", "a", "b"},
           {"topic", "create", "a", "--partitions", "0"},
           {"topic", "create", "a", "--partitions", "many"},
           {"topic", "list", "--partitions", "3"},
           {"produce"},
           {"produce", "t", "--header", "novalue"},
           {"produce", "t", "--header", "=v"},
           {"produce", "t", "--key-separator", ""},
           {"produce", "t", "--partition", "-1"},
           {"consume", "t", "--format", "xml"},
           {"consume", "t", "--offset", "3", "--from-beginning"},
           {"consume", "t", "--max", "0"},
           {"--broker"},
           {"--wait=soon", "topic", "list"},
           {"--wait=0s", "topic", "list"},
           {"topic", "list", "--wait=10"},
           {"--verbose", "topic", "list"},
           {"topic", "list", "--broker", ""},
       }) {
    Status status = ParseError(args);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
    EXPECT_FALSE(status.message().empty());
  }
}

TEST(CliRunTest, ExitCodesAndStreams) {
  std::istringstream in;
  {
    std::ostringstream out, err;
    EXPECT_EQ(cli::Run({"--help"}, in, out, err), kExitOk);
    EXPECT_NE(out.str().find("usage: choreo"), std::string::npos);
    EXPECT_TRUE(err.str().empty());
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(cli::Run({"consume", "--help"}, in, out, err), kExitOk);
    EXPECT_NE(out.str().find("--from-beginning"), std::string::npos);
  }
  {
    std::ostringstream out, err;
    EXPECT_EQ(cli::Run({"produce"}, in, out, err), kExitUsage);
    EXPECT_EQ(err.str().rfind("error: ", 0), 0u) << err.str();
    EXPECT_TRUE(out.str().empty());
  }
  {
    std::ostringstream out, err;
    // Port 1 on localhost: nothing listens there.
    EXPECT_EQ(cli::Run({"topic", "list", "--broker", "127.0.0.1:1"}, in, out, err), kExitError);
    EXPECT_EQ(err.str().rfind("error: CONNECTION_FAILED: cannot connect to 127.0.0.1:1", 0), 0u)
        << err.str();
    EXPECT_NE(err.str().find("is choreod running?"), std::string::npos) << err.str();
  }
  {
    // Every command that talks to the broker checks first, fails fast, and names the address.
    std::ostringstream out, err;
    EXPECT_EQ(cli::Run({"consume", "orders", "--broker", "127.0.0.1:1"}, in, out, err), kExitError);
    EXPECT_EQ(err.str().rfind("error: CONNECTION_FAILED: cannot connect to 127.0.0.1:1", 0), 0u)
        << err.str();
  }
}

}  // namespace
}  // namespace choreo::cli

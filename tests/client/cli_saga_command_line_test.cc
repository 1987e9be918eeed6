// Parsing of `choreo events find`, `choreo saga ...` and `topic --event-index`, their help, and the
// tool's durations and times.
#include <gtest/gtest.h>

#include <sstream>

#include "client/cli/cli.h"
#include "client/cli/command_line.h"
#include "client/cli/time_format.h"
#include "tests/client/command_line_test_util.h"

namespace choreo::cli {
namespace {

TEST(DurationTest, ParsesTermsInAnyCombination) {
  EXPECT_EQ(ParseDurationMs("d", "500ms").value(), 500);
  EXPECT_EQ(ParseDurationMs("d", "45s").value(), 45'000);
  EXPECT_EQ(ParseDurationMs("d", "10m").value(), 600'000);
  EXPECT_EQ(ParseDurationMs("d", "2h").value(), 7'200'000);
  EXPECT_EQ(ParseDurationMs("d", "1d").value(), 86'400'000);
  EXPECT_EQ(ParseDurationMs("d", "1h30m").value(), 5'400'000);
  EXPECT_EQ(ParseDurationMs("d", "1m500ms").value(), 60'500);
  EXPECT_EQ(ParseDurationMs("d", "0s").value(), 0);
  for (const char* bad : {"", "10", "m", "10x", "1h 30m", "-5m", "1.5h", "99999999999999999d"}) {
    Result<int64_t> r = ParseDurationMs("deadline", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("--deadline"), std::string::npos) << r.status().message();
  }
}

TEST(DurationTest, FormatsExactlyAndReadsBack) {
  EXPECT_EQ(FormatDurationMs(600'000), "10m");
  EXPECT_EQ(FormatDurationMs(5'400'000), "1h30m");
  EXPECT_EQ(FormatDurationMs(1500), "1s500ms");
  EXPECT_EQ(FormatDurationMs(93'600'000), "1d2h");
  EXPECT_EQ(FormatDurationMs(0), "0s");
  for (int64_t ms : {int64_t{1}, int64_t{59'999}, int64_t{90'061'001}, int64_t{7} * 86'400'000}) {
    EXPECT_EQ(ParseDurationMs("d", FormatDurationMs(ms)).value(), ms);
  }
  EXPECT_EQ(FormatAge(45'999), "45s");
  EXPECT_EQ(FormatAge(192'000), "3m12s");
  EXPECT_EQ(FormatAge(18'180'000), "5h03m");
  EXPECT_EQ(FormatAge(187'200'000), "2d04h");
  EXPECT_EQ(FormatAge(-5), "0s");
}

TEST(TimeBoundTest, Rfc3339OrADurationAgo) {
  EXPECT_EQ(ParseTimeBound("since", "2023-11-14T22:13:20Z").value(),
            (TimeBound{1'700'000'000'000, false}));
  EXPECT_EQ(ParseTimeBound("since", "2023-11-14T23:13:20.5+01:00").value(),
            (TimeBound{1'700'000'000'500, false}));
  const TimeBound ago = ParseTimeBound("since", "10m").value();
  EXPECT_EQ(ago, (TimeBound{600'000, true}));
  EXPECT_EQ(ago.Resolve(1'000'000), 400'000);
  for (const char* bad : {"yesterday", "2023-11-14", "2023-11-14T22:13:20", "10"}) {
    Result<TimeBound> r = ParseTimeBound("since", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("--since"), std::string::npos) << r.status().message();
  }
}

TEST(EventsCommandLineTest, FindByEachIndex) {
  const EventsFindArgs by_saga =
      std::get<EventsFindArgs>(ParseOk({"events", "find", "--saga", "order-7"}).command);
  EXPECT_EQ(by_saga.query.by, EventLookup::kSaga);
  EXPECT_EQ(by_saga.query.value, "order-7");
  EXPECT_EQ(by_saga.limit, 100u);
  EXPECT_FALSE(by_saga.since.has_value());
  EXPECT_EQ(by_saga.format, ReportFormat::kText);
  EXPECT_EQ(
      std::get<EventsFindArgs>(ParseOk({"events", "find", "--event-id=e-1"}).command).query.by,
      EventLookup::kEventId);
  EXPECT_EQ(std::get<EventsFindArgs>(ParseOk({"events", "find", "--key", "k"}).command).query.by,
            EventLookup::kKey);
  const EventsFindArgs by_type = std::get<EventsFindArgs>(
      ParseOk({"events", "find", "--type", "order.v1.OrderCreated", "--since", "2h", "--topic",
               "orders", "--limit", "5000", "--format", "json", "--broker", "b:9"})
          .command);
  EXPECT_EQ(by_type.query.by, EventLookup::kType);
  EXPECT_EQ(by_type.query.value, "order.v1.OrderCreated");
  EXPECT_EQ(by_type.query.topic, "orders");
  EXPECT_EQ(by_type.since, (TimeBound{7'200'000, true}));
  EXPECT_EQ(by_type.limit, 5000u);
  EXPECT_EQ(by_type.format, ReportFormat::kJson);
}

TEST(EventsCommandLineTest, Errors) {
  EXPECT_NE(ParseError({"events", "find"}).find("exactly one of --saga"), std::string::npos);
  EXPECT_NE(ParseError({"events", "find", "--saga", "a", "--type", "t"}).find("exactly one"),
            std::string::npos);
  EXPECT_NE(ParseError({"events", "find", "--saga", ""}).find("--saga must not be empty"),
            std::string::npos);
  EXPECT_NE(ParseError({"events", "find", "--saga", "a", "--since", "soon"}).find("--since"),
            std::string::npos);
  EXPECT_NE(ParseError({"events", "find", "--saga", "a", "--limit", "0"}).find("--limit"),
            std::string::npos);
  EXPECT_NE(ParseError({"events", "find", "--saga", "a", "--format", "xml"}).find("'xml'"),
            std::string::npos);
  EXPECT_NE(ParseError({"events", "find", "x", "--saga", "a"}).find("unexpected argument 'x'"),
            std::string::npos);
  EXPECT_NE(ParseError({"events", "search"}).find("unknown events command 'search'"),
            std::string::npos);
}

TEST(SagaCommandLineTest, ShowAndDefinitions) {
  const SagaShowArgs show =
      std::get<SagaShowArgs>(ParseOk({"saga", "show", "order-1", "--format=json"}).command);
  EXPECT_EQ(show.saga_id, "order-1");
  EXPECT_EQ(show.format, ReportFormat::kJson);
  EXPECT_NE(ParseError({"saga", "show"}).find("missing saga id"), std::string::npos);
  EXPECT_NE(ParseError({"saga", "show", ""}).find("must not be empty"), std::string::npos);
  EXPECT_EQ(std::get<SagaDefinitionsArgs>(ParseOk({"saga", "definitions"}).command).format,
            ReportFormat::kText);
  EXPECT_EQ(std::get<SagaUndefineArgs>(ParseOk({"saga", "undefine", "order"}).command).name,
            "order");
  EXPECT_NE(ParseError({"saga", "rewind"}).find("unknown saga command 'rewind'"),
            std::string::npos);
}

TEST(SagaCommandLineTest, Define) {
  const SagaDefineArgs define = std::get<SagaDefineArgs>(
      ParseOk({"saga", "define", "order", "--terminal", "order.OrderCompleted,order.OrderCancelled",
               "--deadline", "10m", "--start", "order.OrderCreated", "--terminal",
               "order.Refunded"})
          .command);
  EXPECT_EQ(define.definition.name, "order");
  EXPECT_EQ(
      define.definition.terminal_types,
      (std::vector<std::string>{"order.OrderCompleted", "order.OrderCancelled", "order.Refunded"}));
  EXPECT_EQ(define.definition.start_types, (std::vector<std::string>{"order.OrderCreated"}));
  EXPECT_EQ(define.definition.deadline_ms, 600'000);
  EXPECT_TRUE(
      std::get<SagaDefineArgs>(
          ParseOk({"saga", "define", "o", "--terminal", "T", "--deadline", "1h30m"}).command)
          .definition.start_types.empty());

  EXPECT_NE(ParseError({"saga", "define", "o", "--deadline", "10m"}).find("--terminal"),
            std::string::npos);
  EXPECT_NE(ParseError({"saga", "define", "o", "--terminal", "T"}).find("--deadline is required"),
            std::string::npos);
  EXPECT_NE(ParseError({"saga", "define", "o", "--terminal", "T", "--deadline", "0s"})
                .find("longer than 0"),
            std::string::npos);
  EXPECT_NE(
      ParseError({"saga", "define", "o", "--terminal", "T", "--deadline", "10"}).find("no unit"),
      std::string::npos);
  EXPECT_NE(ParseError({"saga", "define", "o", "--terminal", "A,", "--deadline", "1m"})
                .find("separated by commas"),
            std::string::npos);
  EXPECT_NE(ParseError({"saga", "define", "--terminal", "T", "--deadline", "1m"})
                .find("missing definition name"),
            std::string::npos);
}

TEST(SagaCommandLineTest, Stuck) {
  const SagaStuckArgs all = std::get<SagaStuckArgs>(ParseOk({"saga", "stuck"}).command);
  EXPECT_EQ(all.definition, "");
  EXPECT_EQ(all.limit, 100u);
  const SagaStuckArgs one = std::get<SagaStuckArgs>(
      ParseOk({"saga", "stuck", "--definition", "order", "--limit", "7", "--format", "json"})
          .command);
  EXPECT_EQ(one.definition, "order");
  EXPECT_EQ(one.limit, 7u);
  EXPECT_EQ(one.format, ReportFormat::kJson);
  EXPECT_NE(ParseError({"saga", "stuck", "--limit", "10001"}).find("--limit"), std::string::npos);
}

TEST(TopicCommandLineTest, EventIndexSetting) {
  EXPECT_EQ(
      std::get<TopicCreateArgs>(ParseOk({"topic", "create", "t"}).command).settings.event_index,
      EventIndexMode::kDefault);
  EXPECT_EQ(
      std::get<TopicCreateArgs>(ParseOk({"topic", "create", "t", "--event-index=off"}).command)
          .settings.event_index,
      EventIndexMode::kOff);
  EXPECT_EQ(
      std::get<TopicCreateArgs>(ParseOk({"topic", "create", "t", "--event-index", "on"}).command)
          .settings.event_index,
      EventIndexMode::kOn);
  const TopicAlterArgs alter =
      std::get<TopicAlterArgs>(ParseOk({"topic", "alter", "t", "--event-index", "off"}).command);
  EXPECT_EQ(alter.changes.event_index, std::optional<bool>(false));
  EXPECT_FALSE(alter.changes.partitions.has_value());
  EXPECT_NE(ParseError({"topic", "alter", "t", "--event-index", "yes"}).find("'on' or 'off'"),
            std::string::npos);
}

TEST(SagaCommandLineTest, Help) {
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"saga"}).command).topic, "saga");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"events", "--help"}).command).topic, "events");
  EXPECT_EQ(std::get<HelpArgs>(ParseOk({"saga", "define", "--help"}).command).topic, "saga define");
  std::istringstream in;
  for (const std::vector<std::string>& command :
       std::vector<std::vector<std::string>>{{"events", "find"},
                                             {"saga", "show"},
                                             {"saga", "define"},
                                             {"saga", "undefine"},
                                             {"saga", "definitions"},
                                             {"saga", "stuck"}}) {
    std::vector<std::string> args = command;
    args.push_back("--help");
    std::ostringstream out, err;
    EXPECT_EQ(cli::Run(args, in, out, err), kExitOk);
    EXPECT_EQ(out.str().rfind("usage: choreo " + command[0] + " " + command[1], 0), 0u)
        << out.str();
  }
  std::ostringstream out, err;
  EXPECT_EQ(cli::Run({"--help"}, in, out, err), kExitOk);
  EXPECT_NE(out.str().find("saga stuck [--definition NAME]"), std::string::npos);
  EXPECT_NE(out.str().find("events find (--saga ID"), std::string::npos);
  EXPECT_NE(out.str().find("[--event-index on|off]"), std::string::npos);
}

}  // namespace
}  // namespace choreo::cli

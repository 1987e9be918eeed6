#include "client/cli/flags.h"

#include <gtest/gtest.h>

namespace choreo::cli {
namespace {

const FlagSpec kSpecs[] = {{"partition"}, {"follow", false}, {"header", true, true}, {"broker"}};

Result<ParsedFlags> Parse(std::vector<std::string> args) {
  return ParseFlags(args, kSpecs);
}

TEST(FlagsTest, SeparatesPositionalsFromFlagsInAnyOrder) {
  Result<ParsedFlags> flags =
      Parse({"orders", "--partition", "3", "--follow", "extra", "--broker=h:1"});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_EQ(flags->positional, (std::vector<std::string>{"orders", "extra"}));
  EXPECT_EQ(flags->Value("partition"), "3");
  EXPECT_TRUE(flags->Has("follow"));
  EXPECT_EQ(flags->Value("broker"), "h:1");
  EXPECT_FALSE(flags->Has("header"));
  EXPECT_FALSE(flags->help);
}

TEST(FlagsTest, RepeatableFlagsKeepEveryValueInOrder) {
  Result<ParsedFlags> flags = Parse({"--header", "a=1", "--header=b=2"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->Values("header"), (std::vector<std::string>{"a=1", "b=2"}));
}

TEST(FlagsTest, ValuesMayStartWithADash) {
  Result<ParsedFlags> flags = Parse({"--partition", "-1"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->Value("partition"), "-1");
}

TEST(FlagsTest, DoubleDashEndsFlagsAndDashIsPositional) {
  Result<ParsedFlags> flags = Parse({"-", "--", "--follow"});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->positional, (std::vector<std::string>{"-", "--follow"}));
  EXPECT_FALSE(flags->Has("follow"));
}

TEST(FlagsTest, HelpAnywhere) {
  Result<ParsedFlags> flags = Parse({"x", "-h"});
  ASSERT_TRUE(flags.ok());
  EXPECT_TRUE(flags->help);
  EXPECT_TRUE(Parse({"--help"})->help);
}

TEST(FlagsTest, UsageErrors) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"--nope"},
                                             {"-x"},
                                             {"--partition"},
                                             {"--follow=yes"},
                                             {"--partition", "1", "--partition", "2"}}) {
    Result<ParsedFlags> flags = Parse(args);
    EXPECT_FALSE(flags.ok()) << args[0];
    if (!flags.ok()) {
      EXPECT_EQ(flags.status().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(FlagsTest, ParseInt64IsStrict) {
  EXPECT_EQ(*ParseInt64("n", "42", 0, 100), 42);
  EXPECT_EQ(*ParseInt64("n", "-1", -1, 100), -1);
  for (const char* bad : {"", "4x", " 4", "101", "-2", "9999999999999999999999"}) {
    EXPECT_FALSE(ParseInt64("n", bad, -1, 100).ok()) << bad;
  }
}

}  // namespace
}  // namespace choreo::cli

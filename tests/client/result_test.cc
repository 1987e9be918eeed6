// Result<T> on an error: every accessor of the value aborts with the status in the message, so a
// caller that forgot to check ok() dies at once with the reason instead of reading garbage.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "choreo/client/status.h"

namespace choreo {
namespace {

Result<std::string> Missing() {
  return Status(ErrorCode::kUnknownTopic, "topic 'orders' does not exist");
}

constexpr char kDeath[] =
    "choreo: Result accessed without a value: UNKNOWN_TOPIC: topic 'orders' does not exist";

TEST(ResultDeathTest, EveryAccessorOfAnErrorAbortsWithTheStatus) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Result<std::string> result = Missing();
  const Result<std::string>& const_result = result;
  EXPECT_DEATH((void)result.value(), kDeath);
  EXPECT_DEATH((void)const_result.value(), kDeath);
  EXPECT_DEATH((void)Missing().value(), kDeath);
  EXPECT_DEATH((void)*result, kDeath);
  EXPECT_DEATH((void)*const_result, kDeath);
  EXPECT_DEATH((void)result->size(), kDeath);
  EXPECT_DEATH((void)const_result->size(), kDeath);
}

TEST(ResultTest, AValueIsReadThroughEveryAccessor) {
  Result<std::string> result(std::string("abc"));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), "abc");
  EXPECT_EQ(*result, "abc");
  EXPECT_EQ(result->size(), 3u);
  EXPECT_EQ(std::move(result).value(), "abc");
}

// An OK Status carries no value, so a Result built from one is an error, not an empty success.
TEST(ResultTest, BuiltFromAnOkStatusIsAnError) {
  Result<int> result = OkStatus();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kUnknown);
  EXPECT_EQ(result.status().message(), "Result built from an OK Status");
}

}  // namespace
}  // namespace choreo

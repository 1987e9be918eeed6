// Parsing helpers shared by the tests of `choreo`'s command line.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/cli/command_line.h"

namespace choreo::cli {

// The parsed invocation; fails the test if `args` do not parse.
inline Invocation ParseOk(std::vector<std::string> args) {
  Result<Invocation> invocation = ParseCommandLine(args);
  EXPECT_TRUE(invocation.ok()) << invocation.status().ToString();
  return invocation.ok() ? *invocation : Invocation{};
}

// The error message; fails the test unless `args` are refused as invalid arguments.
inline std::string ParseError(std::vector<std::string> args) {
  Result<Invocation> invocation = ParseCommandLine(args);
  EXPECT_FALSE(invocation.ok());
  if (invocation.ok()) return "";
  EXPECT_EQ(invocation.status().code(), ErrorCode::kInvalidArgument);
  return invocation.status().message();
}

}  // namespace choreo::cli

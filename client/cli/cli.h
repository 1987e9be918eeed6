// The `choreo` tool's entry point, separate from main() so tests can drive it.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace choreo::cli {

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Runs the command in `args` (the arguments after the program name). Help goes to `out`; errors
// are printed to `err` as "error: <message>". Returns the exit status.
int Run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err);

}  // namespace choreo::cli

// Command-line parsing shared by the benchmark tools: flag names take dashes or underscores
// (--record-size or --record_size), as choreod's do, and --config/--flagfile files are expanded.
#pragma once

#include <string_view>

namespace choreo::bench {

// Normalizes argv (broker/flag_args.h) and parses it into the absl flags. On a malformed command
// line or an unreadable --config file, prints "<tool>: <why>" and exits with status 2.
void ParseBenchCommandLine(int argc, char** argv, std::string_view tool);

}  // namespace choreo::bench

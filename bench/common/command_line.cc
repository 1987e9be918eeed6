#include "bench/common/command_line.h"

#include <absl/flags/parse.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "broker/flag_args.h"

namespace choreo::bench {

void ParseBenchCommandLine(int argc, char** argv, std::string_view tool) {
  // abseil only knows underscored names; choreod's helper rewrites the dashed spelling.
  std::vector<std::string> args(argv + 1, argv + argc);
  auto normalized = broker::NormalizeFlagArgs(args);
  if (!normalized.ok()) {
    std::cerr << tool << ": " << normalized.status().message() << "\n";
    std::exit(2);
  }
  std::vector<char*> normalized_argv = {argv[0]};
  for (std::string& arg : *normalized)
    normalized_argv.push_back(arg.data());
  absl::ParseCommandLine(static_cast<int>(normalized_argv.size()), normalized_argv.data());
}

}  // namespace choreo::bench

// What the CLI tests read back from an in-process `choreo` run: exit code and output, split into
// lines and tab-separated fields.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace choreo::cli {

struct CliResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

inline std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> fields;
  std::istringstream in(line);
  for (std::string field; std::getline(in, field, '\t');)
    fields.push_back(field);
  return fields;
}

}  // namespace choreo::cli

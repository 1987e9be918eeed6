#include "broker/flag_args.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>

#include <algorithm>
#include <fstream>

namespace choreo::broker {
namespace {

constexpr int kMaxFlagfileDepth = 10;

absl::Status Expand(const std::vector<std::string>& args, int depth, std::vector<std::string>* out);

absl::Status ExpandFile(const std::string& path, int depth, std::vector<std::string>* out) {
  if (depth > kMaxFlagfileDepth)
    return absl::InvalidArgumentError(absl::StrCat("--flagfile nesting too deep at ", path));
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read flag file ", path));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    lines.emplace_back(trimmed);
  }
  return Expand(lines, depth + 1, out);
}

// True for "--config=F" / "--flagfile=F" (or with one dash), setting `*files` to F, and for
// "--config" / "--flagfile" alone, setting `*takes_next` (the file list is the next argument).
bool IsFileFlag(absl::string_view arg, absl::string_view* files, bool* takes_next) {
  for (absl::string_view name : {"config", "flagfile"}) {
    absl::string_view rest = arg;
    if (!absl::ConsumePrefix(&rest, "--") && !absl::ConsumePrefix(&rest, "-")) return false;
    if (!absl::ConsumePrefix(&rest, name)) continue;
    if (rest.empty()) {
      *takes_next = true;
      return true;
    }
    if (absl::ConsumePrefix(&rest, "=")) {
      *files = rest;
      *takes_next = false;
      return true;
    }
  }
  return false;
}

absl::Status Expand(const std::vector<std::string>& args, int depth,
                    std::vector<std::string>* out) {
  bool after_terminator = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (after_terminator) {
      out->push_back(arg);
      continue;
    }
    if (arg == "--") after_terminator = true;
    std::string normalized = NormalizeFlagName(arg);
    absl::string_view files;
    bool takes_next = false;
    if (IsFileFlag(normalized, &files, &takes_next)) {
      if (takes_next) {
        if (i + 1 == args.size())
          return absl::InvalidArgumentError(absl::StrCat(arg, " needs a file name"));
        files = args[++i];
      }
      for (absl::string_view file : absl::StrSplit(files, ',', absl::SkipEmpty())) {
        if (absl::Status s = ExpandFile(std::string(file), depth, out); !s.ok()) return s;
      }
      continue;
    }
    out->push_back(std::move(normalized));
  }
  return absl::OkStatus();
}

}  // namespace

std::string NormalizeFlagName(std::string_view arg) {
  if (arg.size() < 2 || arg[0] != '-' || arg == "--") return std::string(arg);
  const size_t name_start = arg[1] == '-' ? 2 : 1;
  const size_t name_end = std::min(arg.find('=', name_start), arg.size());
  std::string out(arg);
  for (size_t i = name_start; i < name_end; ++i)
    if (out[i] == '-') out[i] = '_';
  return out;
}

absl::StatusOr<std::vector<std::string>> NormalizeFlagArgs(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  if (absl::Status s = Expand(args, 0, &out); !s.ok()) return s;
  return out;
}

}  // namespace choreo::broker

// choreod's flags are documented with dashes (--data-dir) but abseil only knows underscored names
// (--data_dir). These helpers rewrite the names before abseil parses them, on the command line and
// in --config/--flagfile files, so either spelling works everywhere. Files are expanded in place,
// so a flag after --config FILE overrides the file's value.
#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <string_view>
#include <vector>

namespace choreo::broker {

// "--data-dir=./x" -> "--data_dir=./x"; "-log-level" -> "-log_level". Values and non-flag
// arguments are untouched; "--" and anything after it too.
std::string NormalizeFlagName(std::string_view arg);

// Normalizes `args` (argv[1..]) and expands every --config=PATH[,PATH...] / --flagfile=PATH
// (also "--config PATH") in place with the normalized lines of those files (abseil's flagfile
// format: one flag per line, '#' comments, surrounding whitespace ignored; nested --flagfile
// allowed). Errors: NotFound/InvalidArgument for an unreadable file or too deep nesting.
absl::StatusOr<std::vector<std::string>> NormalizeFlagArgs(const std::vector<std::string>& args);

}  // namespace choreo::broker

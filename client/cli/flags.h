// A small command-line flag parser for the `choreo` tool (the client library stays free of abseil).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/status.h"

namespace choreo::cli {

// A flag a command accepts, named without the leading "--".
struct FlagSpec {
  std::string_view name;
  bool takes_value = true;  // false: a switch ("--follow")
  bool repeatable = false;  // may be given more than once ("--header a=1 --header b=2")
};

// The outcome of ParseFlags: positional arguments in order, flag values by name.
class ParsedFlags {
 public:
  std::vector<std::string> positional;
  bool help = false;  // "-h" or "--help" was given

  bool Has(std::string_view name) const { return values_.find(name) != values_.end(); }
  // The value of a flag that takes one; std::nullopt if absent.
  std::optional<std::string> Value(std::string_view name) const;
  // Every value of a repeatable flag, in order.
  std::vector<std::string> Values(std::string_view name) const;

 private:
  friend Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                        std::span<const FlagSpec> specs);
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
};

// Parses `args`: "--name value" and "--name=value" for flags that take a value, "--name" for
// switches, "-h"/"--help" anywhere, "--" to end flags; everything else (including "-") is
// positional. Flags and positional arguments may be interleaved.
// Errors (kInvalidArgument): an unknown flag, a missing value, a value given to a switch, or a
// non-repeatable flag given twice.
Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               std::span<const FlagSpec> specs);

// Strict number parsing for flag values: the whole text must be a base-10 number in range.
// Errors (kInvalidArgument) name the flag.
Result<int64_t> ParseInt64(std::string_view flag, std::string_view text, int64_t min, int64_t max);

}  // namespace choreo::cli

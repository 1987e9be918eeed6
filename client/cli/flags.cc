#include "client/cli/flags.h"

#include <charconv>

namespace choreo::cli {
namespace {

Status Usage(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

const FlagSpec* FindSpec(std::span<const FlagSpec> specs, std::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> ParsedFlags::Value(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedFlags::Values(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return {};
  return it->second;
}

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               std::span<const FlagSpec> specs) {
  ParsedFlags parsed;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_ended || arg.size() < 2 || arg[0] != '-') {
      parsed.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      parsed.help = true;
      continue;
    }
    if (arg[1] != '-') return Usage("unknown flag '" + arg + "'");
    const size_t equals = arg.find('=');
    const std::string name = arg.substr(2, equals == std::string::npos ? arg.npos : equals - 2);
    const FlagSpec* spec = FindSpec(specs, name);
    if (spec == nullptr) return Usage("unknown flag '--" + name + "'");
    std::vector<std::string>& values = parsed.values_[name];
    if (!values.empty() && !spec->repeatable) return Usage("flag '--" + name + "' given twice");
    if (!spec->takes_value) {
      if (equals != std::string::npos) return Usage("flag '--" + name + "' takes no value");
      values.push_back("");
    } else if (equals != std::string::npos) {
      values.push_back(arg.substr(equals + 1));
    } else if (i + 1 < args.size()) {
      values.push_back(args[++i]);
    } else {
      return Usage("flag '--" + name + "' needs a value");
    }
  }
  return parsed;
}

Result<int64_t> ParseInt64(std::string_view flag, std::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return Usage("flag '--" + std::string(flag) + "' needs a whole number in " +
                 std::to_string(min) + ".." + std::to_string(max) + ", got '" + std::string(text) +
                 "'");
  }
  return value;
}

}  // namespace choreo::cli

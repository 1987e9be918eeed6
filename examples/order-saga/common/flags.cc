#include "common/flags.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <utility>

namespace order_saga {

Flags::Flags(int argc, char** argv, std::set<std::string, std::less<>> booleans, std::string usage)
    : usage_(std::move(usage)) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(usage_.c_str(), stdout);
      std::exit(0);
    }
    if (!arg.starts_with("--")) {
      positional_.emplace_back(arg);
      continue;
    }
    arg.remove_prefix(2);
    Given flag;
    if (const size_t eq = arg.find('='); eq != std::string_view::npos) {
      flag.name = arg.substr(0, eq);
      flag.value = arg.substr(eq + 1);
    } else if (booleans.contains(arg)) {
      flag.name = arg;
      flag.value = "true";
    } else if (i + 1 < argc) {
      flag.name = arg;
      flag.value = argv[++i];
    } else {
      Fail("flag --" + std::string(arg) + " needs a value");
    }
    given_.push_back(std::move(flag));
  }
}

Flags::Given* Flags::Find(std::string_view name) {
  Given* found = nullptr;
  for (Given& flag : given_) {
    if (flag.name != name) continue;
    flag.used = true;
    found = &flag;  // the last one wins
  }
  return found;
}

std::string Flags::String(std::string_view name, std::string_view fallback) {
  const Given* flag = Find(name);
  return flag ? flag->value : std::string(fallback);
}

int64_t Flags::Int(std::string_view name, int64_t fallback) {
  const Given* flag = Find(name);
  if (!flag) return fallback;
  int64_t value = 0;
  const char* end = flag->value.data() + flag->value.size();
  auto [ptr, ec] = std::from_chars(flag->value.data(), end, value);
  if (ec != std::errc() || ptr != end) Fail("--" + flag->name + " wants an integer");
  return value;
}

double Flags::Double(std::string_view name, double fallback) {
  const Given* flag = Find(name);
  if (!flag) return fallback;
  char* end = nullptr;
  const double value = std::strtod(flag->value.c_str(), &end);
  if (flag->value.empty() || *end != '\0') Fail("--" + flag->name + " wants a number");
  return value;
}

bool Flags::Bool(std::string_view name) {
  const Given* flag = Find(name);
  if (!flag) return false;
  if (flag->value == "true" || flag->value == "1") return true;
  if (flag->value == "false" || flag->value == "0") return false;
  Fail("--" + flag->name + " wants true or false");
}

void Flags::CheckAllUsed() const {
  for (const Given& flag : given_) {
    if (!flag.used) Fail("unknown flag --" + flag.name);
  }
}

void Flags::Fail(std::string_view message) const {
  std::fprintf(stderr, "error: %.*s\n\n%s", static_cast<int>(message.size()), message.data(),
               usage_.c_str());
  std::exit(2);
}

}  // namespace order_saga

// A tiny command-line parser for the example's programs, so they depend on the choreo client
// library alone: "--name=value", "--name value" and, for the flags declared boolean, a bare
// "--name". Arguments that do not start with "--" are positional (e.g. a subcommand).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace order_saga {

class Flags {
 public:
  // Parses argv[1..]. `booleans` names the flags that take no value. Exits with status 2 and
  // `usage` on a malformed command line.
  Flags(int argc, char** argv, std::set<std::string, std::less<>> booleans, std::string usage);

  const std::vector<std::string>& positional() const { return positional_; }

  // The flag's value, or `fallback` if it was not given. A malformed number exits with status 2.
  std::string String(std::string_view name, std::string_view fallback);
  int64_t Int(std::string_view name, int64_t fallback);
  double Double(std::string_view name, double fallback);
  bool Bool(std::string_view name);

  // Exits with status 2 (naming them) if flags were given that no call above asked for: typos.
  void CheckAllUsed() const;
  // Prints `message` and the usage to stderr and exits with status 2.
  [[noreturn]] void Fail(std::string_view message) const;

 private:
  struct Given {
    std::string name;
    std::string value;
    bool used = false;
  };
  Given* Find(std::string_view name);

  std::string usage_;
  std::vector<Given> given_;
  std::vector<std::string> positional_;
};

}  // namespace order_saga

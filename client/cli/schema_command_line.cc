// Parsing of `choreo schema register|check|list|show`.
#include <limits>

#include "client/cli/command_parsing.h"

namespace choreo::cli {
namespace {

// "-I DIR" and "-IDIR" become "--proto-path DIR" (protoc's spelling), which ParseFlags knows.
std::vector<std::string> NormalizeImportFlags(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const std::string& arg : args) {
    if (arg == "-I") {
      out.push_back("--proto-path");
    } else if (arg.size() > 2 && arg.starts_with("-I")) {
      out.push_back("--proto-path");
      out.push_back(arg.substr(2));
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

Result<SchemaFileArgs> ParseSchemaFile(const std::string& command, const ParsedFlags& flags) {
  SchemaFileArgs out;
  out.file = flags.positional[0];
  if (out.file.empty()) return UsageError(command + ": the file name must not be empty");
  out.import_paths = flags.Values("proto-path");
  out.types = flags.Values("type");
  for (const std::string& type : out.types) {
    if (type.empty()) return UsageError(command + ": --type must not be empty");
  }
  return out;
}

}  // namespace

Result<CommandArgs> ParseSchema(const std::vector<std::string>& args, Invocation* invocation) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    return CommandArgs(HelpArgs{"schema"});
  }
  const std::string& sub = args[0];
  const std::vector<std::string> rest =
      NormalizeImportFlags(std::vector<std::string>(args.begin() + 1, args.end()));
  const std::string command = "schema " + sub;
  if (sub == "register" || sub == "check") {
    Result<ParsedFlags> flags = ParseCommandFlags(
        command, rest, {{"proto-path", true, true}, {"type", true, true}}, {"file"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    Result<SchemaFileArgs> file = ParseSchemaFile(command, *flags);
    if (!file.ok()) return file.status();
    if (sub == "register") return CommandArgs(SchemaRegisterArgs{*std::move(file)});
    return CommandArgs(SchemaCheckArgs{*std::move(file)});
  }
  if (sub == "list") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {}, {}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return CommandArgs(SchemaListArgs{});
  }
  if (sub == "show") {
    Result<ParsedFlags> flags =
        ParseCommandFlags(command, rest, {{"version"}}, {"type"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    SchemaShowArgs out;
    out.type = flags->positional[0];
    if (out.type.empty()) return UsageError(command + ": the type must not be empty");
    if (std::optional<std::string> version = flags->Value("version")) {
      Result<int64_t> n = ParseInt64("version", *version, 1, std::numeric_limits<uint32_t>::max());
      if (!n.ok()) return UsageError(command + ": " + n.status().message());
      out.version = static_cast<uint32_t>(*n);
    }
    return CommandArgs(std::move(out));
  }
  return UsageError("unknown schema command '" + sub +
                    "' (expected register, check, list or show)");
}

}  // namespace choreo::cli

// Parsing of `choreo user add|remove|list` and `choreo acl add|remove|list`.
#include "client/cli/command_parsing.h"

namespace choreo::cli {
namespace {

Result<AclOperation> ParseOperation(const std::string& text) {
  if (text == "read") return AclOperation::kRead;
  if (text == "write") return AclOperation::kWrite;
  if (text == "create") return AclOperation::kCreate;
  if (text == "delete") return AclOperation::kDelete;
  if (text == "alter") return AclOperation::kAlter;
  if (text == "describe") return AclOperation::kDescribe;
  if (text == "all") return AclOperation::kAll;
  return UsageError(
      "--operation must be read, write, create, delete, alter, describe or all, "
      "not '" +
      text + "'");
}

Result<AclBinding> ParseBinding(const std::string& command, const ParsedFlags& flags) {
  AclBinding binding;
  std::optional<std::string> principal = flags.Value("principal");
  if (!principal || principal->empty()) return UsageError(command + ": --principal is required");
  binding.principal = *principal;
  const std::optional<std::string> topic = flags.Value("topic");
  const std::optional<std::string> group = flags.Value("group");
  const bool cluster = flags.Has("cluster");
  if (static_cast<int>(topic.has_value()) + static_cast<int>(group.has_value()) +
          static_cast<int>(cluster) !=
      1) {
    return UsageError(command + ": give exactly one of --topic NAME, --group NAME, --cluster");
  }
  if (topic) {
    binding.resource_type = AclResourceType::kTopic;
    binding.resource_name = *topic;
  } else if (group) {
    binding.resource_type = AclResourceType::kGroup;
    binding.resource_name = *group;
  } else {
    binding.resource_type = AclResourceType::kCluster;
    binding.resource_name = "cluster";
  }
  if (binding.resource_name.empty()) return UsageError(command + ": the name must not be empty");
  binding.pattern_type = flags.Has("prefix") ? AclPatternType::kPrefix : AclPatternType::kLiteral;
  std::optional<std::string> operation = flags.Value("operation");
  if (!operation) return UsageError(command + ": --operation is required");
  Result<AclOperation> parsed = ParseOperation(*operation);
  if (!parsed.ok()) return parsed.status();
  binding.operation = *parsed;
  binding.permission = flags.Has("deny") ? AclPermission::kDeny : AclPermission::kAllow;
  return binding;
}

}  // namespace

Result<CommandArgs> ParseUser(const std::vector<std::string>& args, Invocation* invocation) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") return CommandArgs(HelpArgs{"user"});
  const std::string& sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string command = "user " + sub;
  if (sub == "add") {
    Result<ParsedFlags> flags =
        ParseCommandFlags(command, rest, {{"iterations"}}, {"name"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{"user"});
    UserAddArgs out{.name = flags->positional[0]};
    if (std::optional<std::string> text = flags->Value("iterations")) {
      Result<int64_t> iterations = ParseInt64("iterations", *text, 4096, 1 << 20);
      if (!iterations.ok()) return iterations.status();
      out.iterations = static_cast<uint32_t>(*iterations);
    }
    return CommandArgs(std::move(out));
  }
  if (sub == "remove") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {}, {"name"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{"user"});
    return CommandArgs(UserRemoveArgs{flags->positional[0]});
  }
  if (sub == "list") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {}, {}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{"user"});
    return CommandArgs(UserListArgs{});
  }
  return UsageError("user: unknown subcommand '" + sub + "' (add, remove, list)");
}

Result<CommandArgs> ParseAcl(const std::vector<std::string>& args, Invocation* invocation) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") return CommandArgs(HelpArgs{"acl"});
  const std::string& sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string command = "acl " + sub;
  if (sub == "add" || sub == "remove") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest,
                                                  {{"principal"},
                                                   {"topic"},
                                                   {"group"},
                                                   {"cluster", false},
                                                   {"prefix", false},
                                                   {"operation"},
                                                   {"deny", false}},
                                                  {}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{"acl"});
    Result<AclBinding> binding = ParseBinding(command, *flags);
    if (!binding.ok()) return binding.status();
    return CommandArgs(AclChangeArgs{.add = sub == "add", .binding = *std::move(binding)});
  }
  if (sub == "list") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {{"principal"}}, {}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{"acl"});
    return CommandArgs(AclListArgs{flags->Value("principal").value_or("")});
  }
  return UsageError("acl: unknown subcommand '" + sub + "' (add, remove, list)");
}

}  // namespace choreo::cli

// Parsing of `choreo dlq list|show|replay|discard`.
#include "client/cli/command_parsing.h"

namespace choreo::cli {
namespace {

// The dead-letter topic: exactly one of --group G ("G.dlq", the saga service's default) and
// --topic T (a service configured with another dead_letter_topic).
Result<std::string> DeadLetterTopic(const std::string& command, const ParsedFlags& flags) {
  std::optional<std::string> group = flags.Value("group");
  std::optional<std::string> topic = flags.Value("topic");
  if (group && topic) return UsageError(command + ": give --group or --topic, not both");
  if (group) {
    if (group->empty()) return UsageError(command + ": --group must not be empty");
    return *group + ".dlq";
  }
  if (topic) {
    if (topic->empty()) return UsageError(command + ": --topic must not be empty");
    return *topic;
  }
  return UsageError(command +
                    ": name the dead-letter topic with --group G (topic G.dlq) or --topic T");
}

}  // namespace

Result<CommandArgs> ParseDlq(const std::vector<std::string>& args, Invocation* invocation) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") return CommandArgs(HelpArgs{"dlq"});
  const std::string& sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string command = "dlq " + sub;
  const bool list = sub == "list";
  const bool show = sub == "show";
  if (!list && !show && sub != "replay" && sub != "discard") {
    return UsageError("unknown dlq command '" + sub + "' (expected list, show, replay or discard)");
  }
  std::vector<FlagSpec> specs = {{"group"}, {"topic"}};
  if (list || show) specs.push_back({"format"});
  const std::vector<std::string> positional =
      list ? std::vector<std::string>{} : std::vector<std::string>{"saga id"};
  Result<ParsedFlags> flags = ParseCommandFlags(command, rest, specs, positional, invocation);
  if (!flags.ok()) return flags.status();
  if (flags->help) return CommandArgs(HelpArgs{command});
  Result<std::string> topic = DeadLetterTopic(command, *flags);
  if (!topic.ok()) return topic.status();
  if (!list && flags->positional[0].empty()) {
    return UsageError(command + ": the saga id must not be empty");
  }
  if (list || show) {
    Result<ReportFormat> format = ParseReportFormat(command, *flags);
    if (!format.ok()) return format.status();
    if (list) return CommandArgs(DlqListArgs{*std::move(topic), *format});
    return CommandArgs(DlqShowArgs{*std::move(topic), flags->positional[0], *format});
  }
  return CommandArgs(DlqActionArgs{*std::move(topic), flags->positional[0],
                                   sub == "replay" ? DlqAction::kReplay : DlqAction::kDiscard});
}

}  // namespace choreo::cli

// Parsing of `choreo events find` and `choreo saga show|define|undefine|definitions|stuck`.
#include <limits>

#include "client/cli/command_parsing.h"

namespace choreo::cli {
namespace {

constexpr int64_t kMaxIndexLimit = 10000;  // the broker's largest page / stuck list

// A comma-separated list, from every occurrence of a repeatable flag; no empty items.
Result<std::vector<std::string>> TypeList(const std::string& command, const ParsedFlags& flags,
                                          std::string_view name) {
  std::vector<std::string> out;
  for (const std::string& value : flags.Values(name)) {
    size_t start = 0;
    while (true) {
      const size_t comma = value.find(',', start);
      std::string item = value.substr(start, comma == std::string::npos ? comma : comma - start);
      if (item.empty()) {
        return UsageError(command + ": --" + std::string(name) +
                          " takes event types separated by commas, got '" + value + "'");
      }
      out.push_back(std::move(item));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

Result<CommandArgs> ParseEventsFind(const ParsedFlags& flags) {
  const std::string command = "events find";
  EventsFindArgs out;
  struct Lookup {
    std::string_view flag;
    EventLookup by;
  };
  int given = 0;
  for (const Lookup lookup :
       {Lookup{"saga", EventLookup::kSaga}, Lookup{"event-id", EventLookup::kEventId},
        Lookup{"key", EventLookup::kKey}, Lookup{"type", EventLookup::kType}}) {
    std::optional<std::string> value = flags.Value(lookup.flag);
    if (!value) continue;
    if (value->empty()) {
      return UsageError(command + ": --" + std::string(lookup.flag) + " must not be empty");
    }
    out.query.by = lookup.by;
    out.query.value = *std::move(value);
    ++given;
  }
  if (given != 1) {
    return UsageError(command +
                      ": give exactly one of --saga ID, --event-id ID, --key K and --type T");
  }
  if (std::optional<std::string> since = flags.Value("since")) {
    Result<TimeBound> bound = ParseTimeBound("since", *since);
    if (!bound.ok()) return UsageError(command + ": " + bound.status().message());
    out.since = *bound;
  }
  if (std::optional<std::string> topic = flags.Value("topic")) {
    if (topic->empty()) return UsageError(command + ": --topic must not be empty");
    out.query.topic = *std::move(topic);
  }
  if (std::optional<std::string> limit = flags.Value("limit")) {
    Result<int64_t> n = ParseInt64("limit", *limit, 1, std::numeric_limits<int32_t>::max());
    if (!n.ok()) return UsageError(command + ": " + n.status().message());
    out.limit = static_cast<uint64_t>(*n);
  }
  Result<ReportFormat> format = ParseReportFormat(command, flags);
  if (!format.ok()) return format.status();
  out.format = *format;
  return CommandArgs(std::move(out));
}

Result<CommandArgs> ParseSagaDefine(const ParsedFlags& flags) {
  const std::string command = "saga define";
  SagaDefineArgs out;
  out.definition.name = flags.positional[0];
  if (out.definition.name.empty()) return UsageError(command + ": the name must not be empty");
  Result<std::vector<std::string>> terminal = TypeList(command, flags, "terminal");
  if (!terminal.ok()) return terminal.status();
  if (terminal->empty()) {
    return UsageError(command + ": --terminal T1,T2 is required (the event types that end a saga)");
  }
  Result<std::vector<std::string>> start = TypeList(command, flags, "start");
  if (!start.ok()) return start.status();
  std::optional<std::string> deadline = flags.Value("deadline");
  if (!deadline) {
    return UsageError(command +
                      ": --deadline is required (how long a saga may stay open, e.g. 10m)");
  }
  Result<int64_t> deadline_ms = ParseDurationMs("deadline", *deadline);
  if (!deadline_ms.ok()) return UsageError(command + ": " + deadline_ms.status().message());
  if (*deadline_ms <= 0) return UsageError(command + ": --deadline must be longer than 0");
  out.definition.terminal_types = *std::move(terminal);
  out.definition.start_types = *std::move(start);
  out.definition.deadline_ms = *deadline_ms;
  return CommandArgs(std::move(out));
}

Result<CommandArgs> ParseSagaStuck(const ParsedFlags& flags) {
  const std::string command = "saga stuck";
  SagaStuckArgs out;
  if (std::optional<std::string> definition = flags.Value("definition")) {
    if (definition->empty()) return UsageError(command + ": --definition must not be empty");
    out.definition = *std::move(definition);
  }
  if (std::optional<std::string> limit = flags.Value("limit")) {
    Result<int64_t> n = ParseInt64("limit", *limit, 1, kMaxIndexLimit);
    if (!n.ok()) return UsageError(command + ": " + n.status().message());
    out.limit = static_cast<uint32_t>(*n);
  }
  Result<ReportFormat> format = ParseReportFormat(command, flags);
  if (!format.ok()) return format.status();
  out.format = *format;
  return CommandArgs(std::move(out));
}

}  // namespace

Result<CommandArgs> ParseEvents(const std::vector<std::string>& args, Invocation* invocation) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    return CommandArgs(HelpArgs{"events"});
  }
  if (args[0] != "find") {
    return UsageError("unknown events command '" + args[0] + "' (expected find)");
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  Result<ParsedFlags> flags = ParseCommandFlags(
      "events find", rest,
      {{"saga"}, {"event-id"}, {"key"}, {"type"}, {"since"}, {"topic"}, {"limit"}, {"format"}}, {},
      invocation);
  if (!flags.ok()) return flags.status();
  if (flags->help) return CommandArgs(HelpArgs{"events find"});
  return ParseEventsFind(*flags);
}

Result<CommandArgs> ParseSaga(const std::vector<std::string>& args, Invocation* invocation) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") return CommandArgs(HelpArgs{"saga"});
  const std::string& sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string command = "saga " + sub;
  if (sub == "show") {
    Result<ParsedFlags> flags =
        ParseCommandFlags(command, rest, {{"format"}}, {"saga id"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    if (flags->positional[0].empty())
      return UsageError(command + ": the saga id must not be empty");
    Result<ReportFormat> format = ParseReportFormat(command, *flags);
    if (!format.ok()) return format.status();
    return CommandArgs(SagaShowArgs{flags->positional[0], *format});
  }
  if (sub == "define") {
    Result<ParsedFlags> flags = ParseCommandFlags(
        command, rest, {{"terminal", true, true}, {"start", true, true}, {"deadline"}},
        {"definition name"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return ParseSagaDefine(*flags);
  }
  if (sub == "undefine") {
    Result<ParsedFlags> flags =
        ParseCommandFlags(command, rest, {}, {"definition name"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    if (flags->positional[0].empty()) return UsageError(command + ": the name must not be empty");
    return CommandArgs(SagaUndefineArgs{flags->positional[0]});
  }
  if (sub == "definitions") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {{"format"}}, {}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    Result<ReportFormat> format = ParseReportFormat(command, *flags);
    if (!format.ok()) return format.status();
    return CommandArgs(SagaDefinitionsArgs{*format});
  }
  if (sub == "stuck") {
    Result<ParsedFlags> flags =
        ParseCommandFlags(command, rest, {{"definition"}, {"limit"}, {"format"}}, {}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return ParseSagaStuck(*flags);
  }
  return UsageError("unknown saga command '" + sub +
                    "' (expected show, define, undefine, definitions or stuck)");
}

}  // namespace choreo::cli

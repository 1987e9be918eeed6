#include "client/cli/command_line.h"

#include <array>
#include <limits>
#include <span>
#include <string_view>
#include <utility>

#include "client/cli/command_parsing.h"
#include "client/cli/flags.h"

namespace choreo::cli {

Status UsageError(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

namespace {

// "--wait" or "--wait=DURATION" (the value is optional, so it cannot be "--wait DURATION").
// Returns false if `arg` is neither.
Result<bool> ParseWaitFlag(const std::string& arg, Invocation* invocation) {
  if (arg == "--wait") {
    invocation->wait_ms = kDefaultWaitMs;
    return true;
  }
  if (!arg.starts_with("--wait=")) return false;
  Result<int64_t> ms = ParseDurationMs("--wait", std::string_view(arg).substr(7));
  if (!ms.ok()) return ms.status();
  if (*ms <= 0) return UsageError("--wait needs a positive duration");
  invocation->wait_ms = *ms;
  return true;
}

// The TLS flags at args[i]: how many arguments they took (0: not a TLS flag). A file flag
// enables TLS by itself.
Result<size_t> ParseTlsFlag(const std::vector<std::string>& args, size_t i,
                            Invocation* invocation) {
  const std::string& arg = args[i];
  if (arg == "--tls") {
    invocation->tls.enabled = true;
    return size_t{1};
  }
  const std::array<std::pair<std::string_view, std::string TlsOptions::*>, 3> files = {
      {{"--tls-ca", &TlsOptions::ca_file},
       {"--tls-cert", &TlsOptions::cert_file},
       {"--tls-key", &TlsOptions::key_file}}};
  for (const auto& [name, field] : files) {
    size_t taken = 0;
    std::string value;
    if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
      value = arg.substr(name.size() + 1);
      taken = 1;
    } else if (arg == name) {
      if (i + 1 >= args.size()) return UsageError("flag '" + arg + "' needs a value");
      value = args[i + 1];
      taken = 2;
    } else {
      continue;
    }
    if (value.empty()) return UsageError("flag '" + std::string(name) + "' needs a file");
    invocation->tls.*field = value;
    invocation->tls.enabled = true;
    return taken;
  }
  return size_t{0};
}

// The authentication flags at args[i]: how many arguments they took (0: not one of them).
Result<size_t> ParseAuthFlag(const std::vector<std::string>& args, size_t i,
                             Invocation* invocation) {
  const std::string& arg = args[i];
  if (arg == "--password-stdin") {
    invocation->password_stdin = true;
    return size_t{1};
  }
  const std::array<std::pair<std::string_view, std::string SaslOptions::*>, 2> values = {
      {{"--user", &SaslOptions::username}, {"--sasl-mechanism", &SaslOptions::mechanism}}};
  for (const auto& [name, field] : values) {
    if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=') {
      invocation->sasl.*field = arg.substr(name.size() + 1);
      return size_t{1};
    }
    if (arg == name) {
      if (i + 1 >= args.size()) return UsageError("flag '" + arg + "' needs a value");
      invocation->sasl.*field = args[i + 1];
      return size_t{2};
    }
  }
  return size_t{0};
}

// The TLS and authentication flags at args[i], which every command accepts.
Result<size_t> ParseConnectionFlag(const std::vector<std::string>& args, size_t i,
                                   Invocation* invocation) {
  Result<size_t> tls = ParseTlsFlag(args, i, invocation);
  if (!tls.ok() || *tls > 0) return tls;
  return ParseAuthFlag(args, i, invocation);
}

}  // namespace

Result<ParsedFlags> ParseCommandFlags(const std::string& command,
                                      const std::vector<std::string>& all_args,
                                      std::vector<FlagSpec> specs,
                                      const std::vector<std::string>& positional_names,
                                      Invocation* invocation) {
  specs.push_back({"broker"});
  std::vector<std::string> args;
  for (size_t i = 0; i < all_args.size(); ++i) {
    if (all_args[i] == "--") {  // the rest is positional
      args.insert(args.end(), all_args.begin() + static_cast<std::ptrdiff_t>(i), all_args.end());
      break;
    }
    Result<bool> wait = ParseWaitFlag(all_args[i], invocation);
    if (!wait.ok()) return UsageError(command + ": " + wait.status().message());
    if (*wait) continue;
    Result<size_t> tls = ParseConnectionFlag(all_args, i, invocation);
    if (!tls.ok()) return UsageError(command + ": " + tls.status().message());
    if (*tls > 0) {
      i += *tls - 1;
      continue;
    }
    args.push_back(all_args[i]);
  }
  Result<ParsedFlags> flags = ParseFlags(args, specs);
  if (!flags.ok()) return UsageError(command + ": " + flags.status().message());
  if (std::optional<std::string> broker = flags->Value("broker")) invocation->broker = *broker;
  if (flags->help) return flags;
  if (flags->positional.size() < positional_names.size()) {
    return UsageError(command + ": missing " + positional_names[flags->positional.size()]);
  }
  if (flags->positional.size() > positional_names.size()) {
    return UsageError(command + ": unexpected argument '" +
                      flags->positional[positional_names.size()] + "'");
  }
  return flags;
}

Result<ReportFormat> ParseReportFormat(const std::string& command, const ParsedFlags& flags) {
  std::optional<std::string> format = flags.Value("format");
  if (!format || *format == "text") return ReportFormat::kText;
  if (*format == "json") return ReportFormat::kJson;
  return UsageError(command + ": --format must be 'text' or 'json', got '" + *format + "'");
}

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kUint32Max = std::numeric_limits<uint32_t>::max();

Result<std::optional<int64_t>> OptionalNumber(const ParsedFlags& flags, std::string_view name,
                                              int64_t min, int64_t max) {
  std::optional<std::string> text = flags.Value(name);
  if (!text) return std::optional<int64_t>();
  Result<int64_t> value = ParseInt64(name, *text, min, max);
  if (!value.ok()) return value.status();
  return std::optional<int64_t>(*value);
}

// The topic settings shared by `topic create` and `topic alter`, each optional. Retention takes
// -1 (no limit) or a positive value; 0 is refused (it means "broker default"/"unchanged" on the
// wire, which the absence of the flag already says).
Result<TopicChanges> ParseTopicSettings(const ParsedFlags& flags) {
  Result<std::optional<int64_t>> partitions = OptionalNumber(flags, "partitions", 1, kUint32Max);
  Result<std::optional<int64_t>> retention_ms =
      OptionalNumber(flags, "retention-ms", -1, kInt64Max);
  Result<std::optional<int64_t>> retention_bytes =
      OptionalNumber(flags, "retention-bytes", -1, kInt64Max);
  Result<std::optional<int64_t>> max_message_bytes =
      OptionalNumber(flags, "max-message-bytes", 1, kInt64Max);
  for (const auto* r : {&partitions, &retention_ms, &retention_bytes, &max_message_bytes}) {
    if (!r->ok()) return r->status();
  }
  if (*retention_ms == 0 || *retention_bytes == 0) {
    return UsageError(
        "--retention-ms and --retention-bytes take -1 (no limit) or a positive value");
  }
  TopicChanges out;
  if (std::optional<std::string> index = flags.Value("event-index")) {
    if (*index != "on" && *index != "off") {
      return UsageError("--event-index must be 'on' or 'off', got '" + *index + "'");
    }
    out.event_index = *index == "on";
  }
  if (std::optional<std::string> validation = flags.Value("schema-validation")) {
    if (*validation != "on" && *validation != "off") {
      return UsageError("--schema-validation must be 'on' or 'off', got '" + *validation + "'");
    }
    out.schema_validation = *validation == "on";
  }
  if (std::optional<std::string> type = flags.Value("timestamp-type")) {
    if (*type != "create_time" && *type != "log_append_time") {
      return UsageError("--timestamp-type must be 'create_time' or 'log_append_time', got '" +
                        *type + "'");
    }
    out.log_append_time = *type == "log_append_time";
  }
  if (*partitions) out.partitions = static_cast<uint32_t>(**partitions);
  out.retention_ms = *retention_ms;
  out.retention_bytes = *retention_bytes;
  if (*max_message_bytes) out.max_message_bytes = static_cast<uint64_t>(**max_message_bytes);
  return out;
}

Result<CommandArgs> ParseTopicCreate(const ParsedFlags& flags) {
  TopicCreateArgs out{.name = flags.positional[0], .settings = {}};
  Result<TopicChanges> settings = ParseTopicSettings(flags);
  if (!settings.ok()) return settings.status();
  // Unset settings go out as 0, the protocol's "broker default" (--default-partitions, ...).
  out.settings.partitions = settings->partitions.value_or(0);
  out.settings.retention_ms = settings->retention_ms.value_or(out.settings.retention_ms);
  out.settings.retention_bytes = settings->retention_bytes.value_or(out.settings.retention_bytes);
  out.settings.max_message_bytes =
      settings->max_message_bytes.value_or(out.settings.max_message_bytes);
  if (settings->event_index) {
    out.settings.event_index = *settings->event_index ? EventIndexMode::kOn : EventIndexMode::kOff;
  }
  out.settings.schema_validation = settings->schema_validation.value_or(false);
  out.settings.log_append_time = settings->log_append_time.value_or(false);
  return CommandArgs(std::move(out));
}

Result<CommandArgs> ParseTopicAlter(const ParsedFlags& flags) {
  Result<TopicChanges> changes = ParseTopicSettings(flags);
  if (!changes.ok()) return changes.status();
  if (!changes->partitions && !changes->retention_ms && !changes->retention_bytes &&
      !changes->max_message_bytes && !changes->event_index && !changes->schema_validation &&
      !changes->log_append_time) {
    return UsageError(
        "topic alter: nothing to change (give --partitions, --retention-ms, "
        "--retention-bytes, --max-message-bytes, --event-index, --schema-validation or "
        "--timestamp-type)");
  }
  return CommandArgs(TopicAlterArgs{flags.positional[0], *std::move(changes)});
}

Result<CommandArgs> ParseProduce(const ParsedFlags& flags) {
  ProduceArgs out;
  out.topic = flags.positional[0];
  Result<std::optional<int64_t>> partition = OptionalNumber(flags, "partition", 0, kUint32Max);
  if (!partition.ok()) return partition.status();
  if (*partition) out.partition = static_cast<uint32_t>(**partition);
  out.key_separator = flags.Value("key-separator");
  if (out.key_separator && out.key_separator->empty()) {
    return UsageError("produce: --key-separator must not be empty");
  }
  for (const std::string& header : flags.Values("header")) {
    const size_t equals = header.find('=');
    if (equals == std::string::npos || equals == 0) {
      return UsageError("produce: --header needs KEY=VALUE, got '" + header + "'");
    }
    out.headers.push_back(Header{header.substr(0, equals), header.substr(equals + 1)});
  }
  if (std::optional<std::string> delay = flags.Value("delay")) {
    Result<int64_t> ms = ParseDurationMs("--delay", *delay);
    if (!ms.ok()) return UsageError("produce: " + ms.status().message());
    out.delay_ms = *ms;
  }
  if (std::optional<std::string> at = flags.Value("at")) {
    Result<TimeBound> bound = ParseTimeBound("--at", *at);
    if (!bound.ok()) return UsageError("produce: " + bound.status().message());
    if (bound->ago) return UsageError("produce: --at needs a time (RFC 3339); use --delay");
    out.at_ms = bound->ms;
  }
  if (out.delay_ms && out.at_ms) return UsageError("produce: give --delay or --at, not both");
  out.id = flags.Value("id");
  if (out.id && !out.delay_ms && !out.at_ms) {
    return UsageError("produce: --id names a scheduled record; give --delay or --at too");
  }
  if (out.id && (out.id->empty() || out.id->size() > 500)) {
    return UsageError("produce: --id must be 1 to 500 bytes");
  }
  return CommandArgs(std::move(out));
}

Result<CommandArgs> ParseConsume(const ParsedFlags& flags) {
  ConsumeArgs out;
  out.topic = flags.positional[0];
  out.from_beginning = flags.Has("from-beginning");
  out.follow = flags.Has("follow");
  Result<std::optional<int64_t>> partition = OptionalNumber(flags, "partition", 0, kUint32Max);
  Result<std::optional<int64_t>> offset = OptionalNumber(flags, "offset", 0, kInt64Max);
  Result<std::optional<int64_t>> max = OptionalNumber(flags, "max", 1, kInt64Max);
  for (const auto* r : {&partition, &offset, &max}) {
    if (!r->ok()) return r->status();
  }
  if (*partition) out.partition = static_cast<uint32_t>(**partition);
  out.offset = *offset;
  if (*max) out.max_records = static_cast<uint64_t>(**max);
  if (out.offset && out.from_beginning) {
    return UsageError("consume: --offset and --from-beginning exclude each other");
  }
  out.group = flags.Value("group");
  Result<std::optional<int64_t>> session =
      OptionalNumber(flags, "session-timeout-ms", 1, kUint32Max);
  if (!session.ok()) return session.status();
  out.session_timeout_ms = *session;
  if (out.group && (out.partition || out.offset)) {
    return UsageError(
        "consume: --group assigns partitions and offsets; drop --partition and --offset");
  }
  if (out.session_timeout_ms && !out.group) {
    return UsageError("consume: --session-timeout-ms needs --group");
  }
  if (std::optional<std::string> format = flags.Value("format")) {
    if (*format == "value") {
      out.format = OutputFormat::kValue;
    } else if (*format == "full") {
      out.format = OutputFormat::kFull;
    } else {
      return UsageError("consume: --format must be 'value' or 'full', got '" + *format + "'");
    }
  }
  return CommandArgs(std::move(out));
}

Result<CommandArgs> ParseTopic(const std::vector<std::string>& args, Invocation* invocation) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") return CommandArgs(HelpArgs{"topic"});
  const std::string& sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string command = "topic " + sub;
  if (sub == "create" || sub == "alter") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest,
                                                  {{"partitions"},
                                                   {"retention-ms"},
                                                   {"retention-bytes"},
                                                   {"max-message-bytes"},
                                                   {"event-index"},
                                                   {"schema-validation"},
                                                   {"timestamp-type"}},
                                                  {"topic name"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return sub == "create" ? ParseTopicCreate(*flags) : ParseTopicAlter(*flags);
  }
  if (sub == "list") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {}, {}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return CommandArgs(TopicListArgs{});
  }
  if (sub == "describe" || sub == "delete") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {}, {"topic name"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    if (sub == "describe") return CommandArgs(TopicDescribeArgs{flags->positional[0]});
    return CommandArgs(TopicDeleteArgs{flags->positional[0]});
  }
  return UsageError("unknown topic command '" + sub +
                    "' (expected create, alter, list, describe or delete)");
}

Result<CommandArgs> ParseGroupReset(const ParsedFlags& flags) {
  GroupResetOffsetsArgs out{.group = flags.positional[0], .topic = "", .partition = {}, .spec = {}};
  std::optional<std::string> topic = flags.Value("topic");
  if (!topic || topic->empty()) return UsageError("group reset-offsets: --topic is required");
  out.topic = *topic;
  Result<std::optional<int64_t>> partition = OptionalNumber(flags, "partition", 0, kUint32Max);
  Result<std::optional<int64_t>> timestamp = OptionalNumber(flags, "to-timestamp", 0, kInt64Max);
  Result<std::optional<int64_t>> offset = OptionalNumber(flags, "to-offset", 0, kInt64Max);
  for (const auto* r : {&partition, &timestamp, &offset}) {
    if (!r->ok()) return r->status();
  }
  if (*partition) out.partition = static_cast<uint32_t>(**partition);
  int targets = 0;
  if (flags.Has("to-earliest")) {
    out.spec = {OffsetResetSpec::Kind::kEarliest, 0};
    ++targets;
  }
  if (flags.Has("to-latest")) {
    out.spec = {OffsetResetSpec::Kind::kLatest, 0};
    ++targets;
  }
  if (*timestamp) {
    out.spec = {OffsetResetSpec::Kind::kTimestamp, **timestamp};
    ++targets;
  }
  if (*offset) {
    out.spec = {OffsetResetSpec::Kind::kOffset, **offset};
    ++targets;
  }
  if (targets != 1) {
    return UsageError(
        "group reset-offsets: give exactly one of --to-earliest, --to-latest, --to-timestamp MS "
        "and --to-offset O");
  }
  return CommandArgs(std::move(out));
}

Result<CommandArgs> ParseGroup(const std::vector<std::string>& args, Invocation* invocation) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") return CommandArgs(HelpArgs{"group"});
  const std::string& sub = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string command = "group " + sub;
  if (sub == "list") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {}, {}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return CommandArgs(GroupListArgs{});
  }
  if (sub == "describe" || sub == "delete") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest, {}, {"group id"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    if (sub == "describe") return CommandArgs(GroupDescribeArgs{flags->positional[0]});
    return CommandArgs(GroupDeleteArgs{flags->positional[0]});
  }
  if (sub == "reset-offsets") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest,
                                                  {{"topic"},
                                                   {"partition"},
                                                   {"to-earliest", false},
                                                   {"to-latest", false},
                                                   {"to-timestamp"},
                                                   {"to-offset"}},
                                                  {"group id"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return ParseGroupReset(*flags);
  }
  return UsageError("unknown group command '" + sub +
                    "' (expected list, describe, reset-offsets or delete)");
}

Result<CommandArgs> ParseSubcommand(const std::string& command,
                                    const std::vector<std::string>& rest, Invocation* invocation) {
  if (command == "help") {
    std::string topic;
    for (const std::string& word : rest)
      topic += (topic.empty() ? "" : " ") + word;
    return CommandArgs(HelpArgs{topic});
  }
  if (command == "topic") return ParseTopic(rest, invocation);
  if (command == "group") return ParseGroup(rest, invocation);
  if (command == "dlq") return ParseDlq(rest, invocation);
  if (command == "events") return ParseEvents(rest, invocation);
  if (command == "saga") return ParseSaga(rest, invocation);
  if (command == "schema") return ParseSchema(rest, invocation);
  if (command == "user") return ParseUser(rest, invocation);
  if (command == "acl") return ParseAcl(rest, invocation);
  if (command == "produce") {
    Result<ParsedFlags> flags = ParseCommandFlags(
        command, rest,
        {{"partition"}, {"key-separator"}, {"header", true, true}, {"delay"}, {"at"}, {"id"}},
        {"topic"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return ParseProduce(*flags);
  }
  if (command == "scheduled") {
    if (rest.empty() || rest[0] != "cancel") {
      return UsageError("scheduled: the only subcommand is 'cancel ID'");
    }
    Result<ParsedFlags> flags = ParseCommandFlags(
        "scheduled cancel", std::vector<std::string>(rest.begin() + 1, rest.end()), {}, {"id"},
        invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{"scheduled"});
    return CommandArgs(ScheduledCancelArgs{flags->positional[0]});
  }
  if (command == "consume") {
    Result<ParsedFlags> flags = ParseCommandFlags(command, rest,
                                                  {{"from-beginning", false},
                                                   {"partition"},
                                                   {"offset"},
                                                   {"follow", false},
                                                   {"max"},
                                                   {"format"},
                                                   {"group"},
                                                   {"session-timeout-ms"}},
                                                  {"topic"}, invocation);
    if (!flags.ok()) return flags.status();
    if (flags->help) return CommandArgs(HelpArgs{command});
    return ParseConsume(*flags);
  }
  return UsageError("unknown command '" + command + "'");
}

}  // namespace

Result<Invocation> ParseCommandLine(const std::vector<std::string>& args) {
  Invocation invocation;
  size_t i = 0;
  // Global flags before the command.
  for (; i < args.size() && args[i].starts_with("-"); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      invocation.command = HelpArgs{};
      return invocation;
    }
    Result<bool> wait = ParseWaitFlag(arg, &invocation);
    if (!wait.ok()) return wait.status();
    if (*wait) continue;
    Result<size_t> tls = ParseConnectionFlag(args, i, &invocation);
    if (!tls.ok()) return tls.status();
    if (*tls > 0) {
      i += *tls - 1;
      continue;
    }
    if (arg.starts_with("--broker=")) {
      invocation.broker = arg.substr(9);
    } else if (arg == "--broker" && i + 1 < args.size()) {
      invocation.broker = args[++i];
    } else if (arg == "--broker") {
      return UsageError("flag '--broker' needs a value");
    } else {
      return UsageError("unknown flag '" + arg + "'");
    }
  }
  if (i == args.size()) return UsageError("missing command");
  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                                      args.end());
  Result<CommandArgs> command = ParseSubcommand(args[i], rest, &invocation);
  if (!command.ok()) return command.status();
  invocation.command = std::move(command).value();
  if (invocation.broker.empty()) return UsageError("--broker must not be empty");
  if (invocation.sasl.mechanism != "SCRAM-SHA-256" && invocation.sasl.mechanism != "PLAIN") {
    return UsageError("--sasl-mechanism must be SCRAM-SHA-256 or PLAIN");
  }
  if (invocation.sasl.username.empty() && invocation.password_stdin &&
      !std::holds_alternative<UserAddArgs>(invocation.command)) {
    return UsageError("--password-stdin needs --user");
  }
  return invocation;
}

}  // namespace choreo::cli

// The `choreo` command line: which command to run, with its typed arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "choreo/client/admin.h"
#include "choreo/client/event_index.h"
#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "client/cli/time_format.h"

namespace choreo::cli {

// "choreo --help", "choreo help [COMMAND...]" or "--help" after a command.
struct HelpArgs {
  std::string topic;  // "", "topic", "topic create", "produce", ...
};

struct TopicCreateArgs {
  std::string name;
  TopicSettings settings;
};
struct TopicListArgs {};
struct TopicDescribeArgs {
  std::string name;
};
struct TopicDeleteArgs {
  std::string name;
};
struct TopicAlterArgs {
  std::string name;
  TopicChanges changes;
};

struct ProduceArgs {
  std::string topic;
  std::optional<uint32_t> partition;
  std::optional<std::string> key_separator;
  std::vector<Header> headers;  // added to every record
  // Scheduled records (--delay or --at): appended by the broker when due, each under its id.
  std::optional<int64_t> delay_ms;
  std::optional<int64_t> at_ms;
  std::optional<std::string> id;  // default: "cli-<random>"; line N > 1 gets "<id>/<N>"
};

// `scheduled cancel ID`
struct ScheduledCancelArgs {
  std::string id;
};

// `choreo user add|remove|list` (security_command_line.cc).
struct UserAddArgs {
  std::string name;
  uint32_t iterations = 4096;
};
struct UserRemoveArgs {
  std::string name;
};
struct UserListArgs {};
// `choreo acl add|remove` (one binding) and `acl list [--principal P]`.
struct AclChangeArgs {
  bool add = true;
  AclBinding binding;
};
struct AclListArgs {
  std::string principal;
};

enum class OutputFormat { kValue, kFull };

struct ConsumeArgs {
  std::string topic;
  bool from_beginning = false;
  std::optional<uint32_t> partition;  // std::nullopt: all partitions
  std::optional<int64_t> offset;
  bool follow = false;
  std::optional<uint64_t> max_records;
  OutputFormat format = OutputFormat::kValue;
  // Consume as a member of this group (partitions assigned by the broker, offsets committed).
  std::optional<std::string> group;
  std::optional<int64_t> session_timeout_ms;  // with --group
};

struct GroupListArgs {};
struct GroupDescribeArgs {
  std::string group;
};
struct GroupResetOffsetsArgs {
  std::string group;
  std::string topic;
  std::optional<uint32_t> partition;  // std::nullopt: every partition of the topic
  OffsetResetSpec spec;
};
struct GroupDeleteArgs {
  std::string group;
};

// `choreo dlq ...`: a service's dead-letter topic, named by `--topic T` or by `--group G` (the
// service's default, "G.dlq").
enum class ReportFormat { kText, kJson };
struct DlqListArgs {
  std::string topic;
  ReportFormat format = ReportFormat::kText;
};
struct DlqShowArgs {
  std::string topic;
  std::string saga_id;
  ReportFormat format = ReportFormat::kText;
};
enum class DlqAction { kReplay, kDiscard };
struct DlqActionArgs {
  std::string topic;
  std::string saga_id;
  DlqAction action = DlqAction::kReplay;
};

// `choreo events find`: one index lookup (query.by and query.value; query.topic optional), paged
// through up to `limit` events.
struct EventsFindArgs {
  EventQuery query;
  std::optional<TimeBound> since;  // resolved into query.since_ms when the command runs
  uint64_t limit = 100;
  ReportFormat format = ReportFormat::kText;
};

// `choreo saga ...`: timelines, definitions and stuck sagas (the broker's event index).
struct SagaShowArgs {
  std::string saga_id;
  ReportFormat format = ReportFormat::kText;
};
struct SagaDefineArgs {
  SagaDefinition definition;
};
struct SagaUndefineArgs {
  std::string name;
};
struct SagaDefinitionsArgs {
  ReportFormat format = ReportFormat::kText;
};
struct SagaStuckArgs {
  std::string definition;  // empty: every definition
  uint32_t limit = 100;
  ReportFormat format = ReportFormat::kText;
};

// `choreo schema ...`: the broker's schema registry.
struct SchemaFileArgs {
  std::string file;                       // a .proto, or a FileDescriptorSet (any other name)
  std::vector<std::string> import_paths;  // -I / --proto-path, for a .proto
  std::vector<std::string> types;         // --type; empty: every top-level message of the file
};
struct SchemaRegisterArgs {
  SchemaFileArgs schema;
};
struct SchemaCheckArgs {
  SchemaFileArgs schema;
};
struct SchemaListArgs {};
struct SchemaShowArgs {
  std::string type;
  uint32_t version = 0;  // 0: the latest
};

using CommandArgs =
    std::variant<HelpArgs, TopicCreateArgs, TopicListArgs, TopicDescribeArgs, TopicDeleteArgs,
                 TopicAlterArgs, ProduceArgs, ConsumeArgs, GroupListArgs, GroupDescribeArgs,
                 GroupResetOffsetsArgs, GroupDeleteArgs, DlqListArgs, DlqShowArgs, DlqActionArgs,
                 EventsFindArgs, SagaShowArgs, SagaDefineArgs, SagaUndefineArgs,
                 SagaDefinitionsArgs, SagaStuckArgs, SchemaRegisterArgs, SchemaCheckArgs,
                 SchemaListArgs, SchemaShowArgs, ScheduledCancelArgs, UserAddArgs, UserRemoveArgs,
                 UserListArgs, AclChangeArgs, AclListArgs>;

// `--wait` without a duration.
inline constexpr int64_t kDefaultWaitMs = 60000;

struct Invocation {
  std::string broker = "localhost:7420";
  // --wait[=DURATION]: how long to wait for the broker to accept connections before giving up.
  // 0 (no --wait): fail at once if it does not.
  int64_t wait_ms = 0;
  // --tls, --tls-ca FILE, --tls-cert FILE, --tls-key FILE (a file flag implies --tls).
  TlsOptions tls;
  // --user NAME, --sasl-mechanism M (SaslOptions), --password-stdin (else a prompt without echo).
  SaslOptions sasl;
  bool password_stdin = false;
  CommandArgs command;
};

// Parses the arguments after the program name. `--broker HOST:PORT`, `--wait[=DURATION]` and the
// TLS flags are accepted before the command and among any command's flags. Errors are usage errors
// (kInvalidArgument); the message says what is wrong.
Result<Invocation> ParseCommandLine(const std::vector<std::string>& args);

}  // namespace choreo::cli

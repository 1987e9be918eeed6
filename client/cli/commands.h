// The `choreo` tool's commands. Each connects to the broker named in `options`, does its work and
// returns OK or the error to report; none of them prints errors itself.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>

#include "choreo/client/options.h"
#include "choreo/client/status.h"
#include "client/cli/command_line.h"

namespace choreo::cli {

// The streams a command reads and writes (std::cin/std::cout/std::cerr in the tool).
struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// A failure that no error code describes (e.g. "saga 'x' is not parked"): exit status 1, printed
// as "error: <message>" without a code.
inline Status CommandFailure(std::string message) {
  return Status(ErrorCode::kUnknown, std::move(message));
}

Status RunTopicCreate(const ClientOptions& options, const TopicCreateArgs& args, Io& io);
Status RunTopicList(const ClientOptions& options, const TopicListArgs& args, Io& io);
Status RunTopicDescribe(const ClientOptions& options, const TopicDescribeArgs& args, Io& io);
Status RunTopicDelete(const ClientOptions& options, const TopicDeleteArgs& args, Io& io);
Status RunTopicAlter(const ClientOptions& options, const TopicAlterArgs& args, Io& io);
// With --delay/--at, schedules each line instead (printing its id, due time and partition).
Status RunProduce(const ClientOptions& options, const ProduceArgs& args, Io& io);
// Fails (CommandFailure) unless the record was pending and is now cancelled (or was already).
Status RunScheduledCancel(const ClientOptions& options, const ScheduledCancelArgs& args, Io& io);
Status RunConsume(const ClientOptions& options, const ConsumeArgs& args, Io& io);
// `consume --group`: as a group member, committing after each batch it prints.
Status RunGroupConsume(const ClientOptions& options, const ConsumeArgs& args, Io& io);
Status RunGroupList(const ClientOptions& options, const GroupListArgs& args, Io& io);
Status RunGroupDescribe(const ClientOptions& options, const GroupDescribeArgs& args, Io& io);
Status RunGroupResetOffsets(const ClientOptions& options, const GroupResetOffsetsArgs& args,
                            Io& io);
Status RunGroupDelete(const ClientOptions& options, const GroupDeleteArgs& args, Io& io);
// `dlq ...`: the dead-letter topic of a saga service (see choreo/saga/dead_letters.h).
Status RunDlqList(const ClientOptions& options, const DlqListArgs& args, Io& io);
// Fails (CommandFailure) when the saga is not parked.
Status RunDlqShow(const ClientOptions& options, const DlqShowArgs& args, Io& io);
// Appends a replay or discard request; fails (CommandFailure) when the saga is not parked.
Status RunDlqAction(const ClientOptions& options, const DlqActionArgs& args, Io& io);
// `events find` and `saga ...`: the broker's event index and saga definitions (protocol 1.2).
Status RunEventsFind(const ClientOptions& options, const EventsFindArgs& args, Io& io);
// Fails (CommandFailure) when the index has no event of the saga.
Status RunSagaShow(const ClientOptions& options, const SagaShowArgs& args, Io& io);
Status RunSagaDefine(const ClientOptions& options, const SagaDefineArgs& args, Io& io);
Status RunSagaUndefine(const ClientOptions& options, const SagaUndefineArgs& args, Io& io);
Status RunSagaDefinitions(const ClientOptions& options, const SagaDefinitionsArgs& args, Io& io);
Status RunSagaStuck(const ClientOptions& options, const SagaStuckArgs& args, Io& io);
// `schema ...`: the broker's schema registry (protocol 1.3). Register and check fail
// (kIncompatibleSchema) when a type is incompatible, with the problems spelled out.
// Reads a password: the next line of stdin with `from_stdin` (--password-stdin), else asks on the
// terminal with `prompt`, without echo (kInvalidArgument when stdin is not a terminal).
Result<std::string> ReadPassword(Io& io, bool from_stdin, const std::string& prompt);
// The new user's password comes from ReadPassword (asked twice at a terminal).
Status RunUserAdd(const ClientOptions& options, const UserAddArgs& args, bool password_stdin,
                  Io& io);
Status RunUserRemove(const ClientOptions& options, const UserRemoveArgs& args, Io& io);
Status RunUserList(const ClientOptions& options, const UserListArgs& args, Io& io);
// `acl remove` of an ACL that does not exist fails (CommandFailure).
Status RunAclChange(const ClientOptions& options, const AclChangeArgs& args, Io& io);
Status RunAclList(const ClientOptions& options, const AclListArgs& args, Io& io);
Status RunSchemaRegister(const ClientOptions& options, const SchemaRegisterArgs& args, Io& io);
Status RunSchemaCheck(const ClientOptions& options, const SchemaCheckArgs& args, Io& io);
Status RunSchemaList(const ClientOptions& options, const SchemaListArgs& args, Io& io);
Status RunSchemaShow(const ClientOptions& options, const SchemaShowArgs& args, Io& io);

}  // namespace choreo::cli

#include "client/cli/cli.h"

#include <ostream>
#include <type_traits>

#include "client/cli/broker_wait.h"
#include "client/cli/commands.h"
#include "client/cli/usage.h"

namespace choreo::cli {
namespace {

Status Dispatch(const ClientOptions& options, const Invocation& invocation, Io& io) {
  const CommandArgs& command = invocation.command;
  return std::visit(
      [&](const auto& args) -> Status {
        using T = std::decay_t<decltype(args)>;
        if constexpr (std::is_same_v<T, HelpArgs>) {
          io.out << UsageText(args.topic);
          return OkStatus();
        } else if constexpr (std::is_same_v<T, TopicCreateArgs>) {
          return RunTopicCreate(options, args, io);
        } else if constexpr (std::is_same_v<T, TopicListArgs>) {
          return RunTopicList(options, args, io);
        } else if constexpr (std::is_same_v<T, TopicDescribeArgs>) {
          return RunTopicDescribe(options, args, io);
        } else if constexpr (std::is_same_v<T, TopicDeleteArgs>) {
          return RunTopicDelete(options, args, io);
        } else if constexpr (std::is_same_v<T, TopicAlterArgs>) {
          return RunTopicAlter(options, args, io);
        } else if constexpr (std::is_same_v<T, ProduceArgs>) {
          return RunProduce(options, args, io);
        } else if constexpr (std::is_same_v<T, ConsumeArgs>) {
          return RunConsume(options, args, io);
        } else if constexpr (std::is_same_v<T, GroupListArgs>) {
          return RunGroupList(options, args, io);
        } else if constexpr (std::is_same_v<T, GroupDescribeArgs>) {
          return RunGroupDescribe(options, args, io);
        } else if constexpr (std::is_same_v<T, GroupResetOffsetsArgs>) {
          return RunGroupResetOffsets(options, args, io);
        } else if constexpr (std::is_same_v<T, GroupDeleteArgs>) {
          return RunGroupDelete(options, args, io);
        } else if constexpr (std::is_same_v<T, DlqListArgs>) {
          return RunDlqList(options, args, io);
        } else if constexpr (std::is_same_v<T, DlqShowArgs>) {
          return RunDlqShow(options, args, io);
        } else if constexpr (std::is_same_v<T, DlqActionArgs>) {
          return RunDlqAction(options, args, io);
        } else if constexpr (std::is_same_v<T, EventsFindArgs>) {
          return RunEventsFind(options, args, io);
        } else if constexpr (std::is_same_v<T, SagaShowArgs>) {
          return RunSagaShow(options, args, io);
        } else if constexpr (std::is_same_v<T, SagaDefineArgs>) {
          return RunSagaDefine(options, args, io);
        } else if constexpr (std::is_same_v<T, SagaUndefineArgs>) {
          return RunSagaUndefine(options, args, io);
        } else if constexpr (std::is_same_v<T, SagaDefinitionsArgs>) {
          return RunSagaDefinitions(options, args, io);
        } else if constexpr (std::is_same_v<T, SagaStuckArgs>) {
          return RunSagaStuck(options, args, io);
        } else if constexpr (std::is_same_v<T, SchemaRegisterArgs>) {
          return RunSchemaRegister(options, args, io);
        } else if constexpr (std::is_same_v<T, SchemaCheckArgs>) {
          return RunSchemaCheck(options, args, io);
        } else if constexpr (std::is_same_v<T, SchemaListArgs>) {
          return RunSchemaList(options, args, io);
        } else if constexpr (std::is_same_v<T, SchemaShowArgs>) {
          return RunSchemaShow(options, args, io);
        } else if constexpr (std::is_same_v<T, UserAddArgs>) {
          return RunUserAdd(options, args, invocation.password_stdin, io);
        } else if constexpr (std::is_same_v<T, UserRemoveArgs>) {
          return RunUserRemove(options, args, io);
        } else if constexpr (std::is_same_v<T, UserListArgs>) {
          return RunUserList(options, args, io);
        } else if constexpr (std::is_same_v<T, AclChangeArgs>) {
          return RunAclChange(options, args, io);
        } else if constexpr (std::is_same_v<T, AclListArgs>) {
          return RunAclList(options, args, io);
        } else {
          static_assert(std::is_same_v<T, ScheduledCancelArgs>);
          return RunScheduledCancel(options, args, io);
        }
      },
      command);
}

}  // namespace

int Run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err) {
  Result<Invocation> invocation = ParseCommandLine(args);
  if (!invocation.ok()) {
    err << "error: " << invocation.status().message() << "\n"
        << "Run 'choreo --help' for usage.\n";
    return kExitUsage;
  }
  ClientOptions options;
  options.broker = invocation->broker;
  options.client_id = "choreo-cli";
  options.tls = invocation->tls;
  Io io{in, out, err};
  Status status;
  if (!invocation->sasl.username.empty() &&
      !std::holds_alternative<HelpArgs>(invocation->command)) {
    // Never from the command line (it shows in `ps` and the shell's history).
    Result<std::string> password = ReadPassword(io, invocation->password_stdin,
                                                "Password for " + invocation->sasl.username + ": ");
    if (!password.ok()) {
      err << "error: " << password.status().message() << "\n";
      return kExitUsage;
    }
    options.sasl = invocation->sasl;
    options.sasl.password = *std::move(password);
  }
  if (!std::holds_alternative<HelpArgs>(invocation->command)) {
    // The client library would wait for a broker that is not up; the tool says so at once.
    status = WaitForBroker(options, std::chrono::milliseconds(invocation->wait_ms), io.err);
  }
  if (status.ok()) status = Dispatch(options, *invocation, io);
  out.flush();
  if (!status.ok()) {
    // kUnknown carries no information of its own (CommandFailure uses it): the message says all.
    err << "error: "
        << (status.code() == ErrorCode::kUnknown ? status.message() : status.ToString()) << "\n";
    return status.code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitError;
  }
  return kExitOk;
}

}  // namespace choreo::cli

// `choreo user ...` and `choreo acl ...`, and reading passwords (never from the command line).
#include <termios.h>
#include <unistd.h>

#include <istream>
#include <ostream>
#include <string>

#include "choreo/client/admin.h"
#include "client/cli/commands.h"

namespace choreo::cli {
namespace {

const char* OperationName(AclOperation operation) {
  switch (operation) {
    case AclOperation::kRead:
      return "read";
    case AclOperation::kWrite:
      return "write";
    case AclOperation::kCreate:
      return "create";
    case AclOperation::kDelete:
      return "delete";
    case AclOperation::kAlter:
      return "alter";
    case AclOperation::kDescribe:
      return "describe";
    case AclOperation::kAll:
      return "all";
  }
  return "unknown";
}

const char* ResourceName(AclResourceType type) {
  switch (type) {
    case AclResourceType::kTopic:
      return "topic";
    case AclResourceType::kGroup:
      return "group";
    case AclResourceType::kCluster:
      return "cluster";
  }
  return "unknown";
}

// Reads one line with the terminal's echo off.
Result<std::string> Prompt(Io& io, const std::string& prompt) {
  if (isatty(STDIN_FILENO) == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "no terminal to ask for the password on: give it with --password-stdin");
  }
  io.err << prompt << std::flush;
  termios saved{};
  const bool have_terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
  if (have_terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool read = static_cast<bool>(std::getline(io.in, line));
  if (have_terminal) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  io.err << "\n";
  if (!read) return Status(ErrorCode::kInvalidArgument, "no password given");
  return line;
}

}  // namespace

Result<std::string> ReadPassword(Io& io, bool from_stdin, const std::string& prompt) {
  if (!from_stdin) return Prompt(io, prompt);
  std::string line;
  if (!std::getline(io.in, line)) {
    return Status(ErrorCode::kInvalidArgument, "--password-stdin: no password on stdin");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Status RunUserAdd(const ClientOptions& options, const UserAddArgs& args, bool password_stdin,
                  Io& io) {
  Result<std::string> password =
      ReadPassword(io, password_stdin, "New password for " + args.name + ": ");
  if (!password.ok()) return password.status();
  if (!password_stdin) {
    Result<std::string> again = ReadPassword(io, false, "Again: ");
    if (!again.ok()) return again.status();
    if (*again != *password) return Status(ErrorCode::kInvalidArgument, "the passwords differ");
  }
  if (password->empty()) return Status(ErrorCode::kInvalidArgument, "the password is empty");
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Status added = (*admin)->UpsertUser(args.name, *password, args.iterations);
  if (added.ok()) io.out << "user " << args.name << " saved\n";
  return added;
}

Status RunUserRemove(const ClientOptions& options, const UserRemoveArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Status removed = (*admin)->DeleteUser(args.name);
  if (removed.ok()) io.out << "user " << args.name << " removed\n";
  return removed;
}

Status RunUserList(const ClientOptions& options, const UserListArgs& args, Io& io) {
  (void)args;
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::vector<UserDescription>> users = (*admin)->ListUsers();
  if (!users.ok()) return users.status();
  for (const UserDescription& user : *users)
    io.out << user.name << "\t" << user.mechanism << "\titerations=" << user.iterations << "\n";
  return OkStatus();
}

Status RunAclChange(const ClientOptions& options, const AclChangeArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  if (args.add) {
    Status added = (*admin)->CreateAcls({args.binding});
    if (added.ok()) io.out << "ACL added\n";
    return added;
  }
  Result<uint32_t> removed = (*admin)->DeleteAcls({args.binding});
  if (!removed.ok()) return removed.status();
  if (*removed == 0) return CommandFailure("no such ACL");
  io.out << "ACL removed\n";
  return OkStatus();
}

Status RunAclList(const ClientOptions& options, const AclListArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::vector<AclBinding>> acls = (*admin)->ListAcls(args.principal);
  if (!acls.ok()) return acls.status();
  for (const AclBinding& acl : *acls) {
    io.out << acl.principal << "\t" << (acl.permission == AclPermission::kDeny ? "deny" : "allow")
           << "\t" << OperationName(acl.operation) << "\t" << ResourceName(acl.resource_type)
           << "\t" << (acl.pattern_type == AclPatternType::kPrefix ? "prefix" : "literal") << "\t"
           << acl.resource_name << "\n";
  }
  return OkStatus();
}

}  // namespace choreo::cli

// Pieces shared by the parsers of the tool's command families: command_line.cc has the topic,
// group, produce and consume commands, dlq_command_line.cc the dead-letter ones and
// saga_command_line.cc `events` and `saga`.
#pragma once

#include <string>
#include <vector>

#include "choreo/client/status.h"
#include "client/cli/command_line.h"
#include "client/cli/flags.h"

namespace choreo::cli {

// A usage error: kInvalidArgument with `message` (exit status 2).
Status UsageError(std::string message);

// Parses a command's flags (plus --broker and --wait, stored in `invocation`) and checks that there
// are exactly as many positional arguments as `positional_names` (named in the error). With
// --help, returns at once with `help` set and the positional arguments unchecked. `command`
// ("topic create", ...) prefixes error messages.
Result<ParsedFlags> ParseCommandFlags(const std::string& command,
                                      const std::vector<std::string>& args,
                                      std::vector<FlagSpec> specs,
                                      const std::vector<std::string>& positional_names,
                                      Invocation* invocation);

// `--format text|json` (text when absent). Errors name `command`.
Result<ReportFormat> ParseReportFormat(const std::string& command, const ParsedFlags& flags);

// `choreo dlq SUBCOMMAND ...`: `args` are the words after "dlq".
Result<CommandArgs> ParseDlq(const std::vector<std::string>& args, Invocation* invocation);
// `choreo events SUBCOMMAND ...` and `choreo saga SUBCOMMAND ...` (saga_command_line.cc).
Result<CommandArgs> ParseEvents(const std::vector<std::string>& args, Invocation* invocation);
Result<CommandArgs> ParseSaga(const std::vector<std::string>& args, Invocation* invocation);
// `choreo schema SUBCOMMAND ...` (schema_command_line.cc).
Result<CommandArgs> ParseSchema(const std::vector<std::string>& args, Invocation* invocation);
Result<CommandArgs> ParseUser(const std::vector<std::string>& args, Invocation* invocation);
Result<CommandArgs> ParseAcl(const std::vector<std::string>& args, Invocation* invocation);

}  // namespace choreo::cli

// How the CLI turns input lines into records and records into output lines.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/record.h"
#include "client/cli/command_line.h"

namespace choreo::cli {

// One stdin line as a record: with `key_separator`, the text before its first occurrence is the
// key and the rest the value (a line without it has no key); otherwise the line is the value.
// `headers` are copied into the record. The timestamp is left 0 ("now").
Record ParseInputLine(std::string_view line, const std::optional<std::string>& key_separator,
                      const std::vector<Header>& headers);

// Backslash, tab, newline and carriage return written as \\, \t, \n and \r.
std::string EscapeField(std::string_view text);

// One output line, without the trailing newline. kValue: the value as is. kFull:
// PARTITION \t OFFSET \t KEY \t HEADERS \t VALUE with HEADERS as K=V joined by ',' and every text
// field escaped with EscapeField.
std::string FormatRecord(const ConsumedRecord& record, OutputFormat format);

}  // namespace choreo::cli

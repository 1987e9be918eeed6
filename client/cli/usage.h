// Help texts of the `choreo` tool.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace choreo::cli {

// The help text for `topic` ("" for the overview, "topic", "topic create", "produce", ...). An
// unknown topic gets the overview.
std::string UsageText(std::string_view topic);
// The help text for "group" and its subcommands; std::nullopt for any other topic.
std::optional<std::string> GroupUsageText(std::string_view topic);
// The help text for "dlq" and its subcommands; std::nullopt for any other topic.
std::optional<std::string> DlqUsageText(std::string_view topic);
// The help text for "events", "saga" and their subcommands; std::nullopt for any other topic.
std::optional<std::string> SagaUsageText(std::string_view topic);
// The help text for "schema" and its subcommands; std::nullopt for any other topic.
std::optional<std::string> SchemaUsageText(std::string_view topic);

}  // namespace choreo::cli

// Help texts of the `choreo` tool.
#pragma once

#include <string>
#include <string_view>

namespace choreo::cli {

// The help text for `topic` ("" for the overview, "topic", "topic create", "produce", ...). An
// unknown topic gets the overview.
std::string UsageText(std::string_view topic);

}  // namespace choreo::cli

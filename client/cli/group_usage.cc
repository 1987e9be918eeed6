// Help texts of `choreo group ...` (usage.cc has the others).
#include "client/cli/usage.h"

namespace choreo::cli {
namespace {

constexpr std::string_view kGroup = R"(usage: choreo group list
       choreo group describe GROUP
       choreo group reset-offsets GROUP --topic T (--to-earliest | --to-latest |
                                  --to-timestamp MS | --to-offset O) [--partition P]
       choreo group delete GROUP

Consumer groups: consumers with the same group share a topic's partitions and its committed
offsets (see `choreo consume --group`).
)";

constexpr std::string_view kGroupList = R"(usage: choreo group list

Prints one tab-separated line per group that has members or committed offsets:
  GROUP  STATE  MEMBERS
STATE is empty (no members), stable (every member consumes its share) or reconciling
(partitions are moving between members).
)";

constexpr std::string_view kGroupDescribe = R"(usage: choreo group describe GROUP

Prints the group's state and epoch, then one tab-separated line per member:
  MEMBER  INSTANCE  CLIENT  EPOCH  ASSIGNMENT
and one per partition that has a committed offset or is assigned:
  TOPIC  PARTITION  COMMITTED  LOG_END  LAG  OWNER
LAG is LOG_END - COMMITTED: records not yet consumed by the group. '-' means none/unknown.
)";

constexpr std::string_view kGroupReset =
    R"(usage: choreo group reset-offsets GROUP --topic T (--to-earliest | --to-latest |
                                  --to-timestamp MS | --to-offset O) [--partition P]

Sets the group's committed offsets in topic T (every partition, or only P). The group must have
no members: stop its consumers first (members rejoining later start from the new offsets).
  --to-earliest      the first retained record
  --to-latest        after the last record (skip everything present)
  --to-timestamp MS  the first record with a timestamp >= MS (ms since the epoch); latest if none
  --to-offset O      offset O, clamped to the retained range
Prints TOPIC, PARTITION and NEW_OFFSET per partition.
)";

constexpr std::string_view kGroupDelete = R"(usage: choreo group delete GROUP

Deletes the group's committed offsets. The group must have no members.
)";

}  // namespace

std::optional<std::string> GroupUsageText(std::string_view topic) {
  if (topic == "group") return std::string(kGroup);
  if (topic == "group list") return std::string(kGroupList);
  if (topic == "group describe") return std::string(kGroupDescribe);
  if (topic == "group reset-offsets") return std::string(kGroupReset);
  if (topic == "group delete") return std::string(kGroupDelete);
  return std::nullopt;
}

}  // namespace choreo::cli

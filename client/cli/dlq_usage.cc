// Help texts of `choreo dlq ...` (usage.cc has the others).
#include "client/cli/usage.h"

namespace choreo::cli {
namespace {

constexpr std::string_view kDlq =
    R"(usage: choreo dlq list (--group G | --topic T) [--format text|json]
       choreo dlq show (--group G | --topic T) SAGA_ID [--format text|json]
       choreo dlq replay (--group G | --topic T) SAGA_ID
       choreo dlq discard (--group G | --topic T) SAGA_ID

Dead letters of a saga service (choreo::saga::SagaService). An event whose handler failed its
last attempt is dead-lettered, and the saga's later events are parked behind it, in the service's
dead-letter topic: G.dlq for the service's consumer group G (--group G), or the topic given
with --topic T. A saga stays parked until a replay or discard request is carried out by the
service.
)";

constexpr std::string_view kDlqList =
    R"(usage: choreo dlq list (--group G | --topic T) [--format text|json]

Prints one tab-separated line per parked saga:
  SAGA  DEAD  PARKED  AGE  REQUESTED  FIRST_ERROR
DEAD and PARKED count its dead-lettered and parked events, AGE is the time since its first dead
letter, REQUESTED is a replay or discard requested but not yet carried out ('-' for none), and
FIRST_ERROR is the error of its first dead letter (tab, newline and backslash escaped).
  --group G        the dead-letter topic of consumer group G: G.dlq
  --topic T        the dead-letter topic T
  --format json    one JSON document: {"topic": T, "sagas": [{"saga_id", "dead", "parked",
                   "first_error", "first_time", "age_ms", "requested"}, ...]}
The topic is read up to its end when the command starts.
)";

constexpr std::string_view kDlqShow =
    R"(usage: choreo dlq show (--group G | --topic T) SAGA_ID [--format text|json]

Prints the saga's dead and parked events, in the order the service will replay them, one
tab-separated line each:
  DLQ_OFFSET  KIND  CE_TYPE  CE_ID  TOPIC  PARTITION  OFFSET  ATTEMPTS  HANDLER  TIME  ERROR
KIND is dead or parked; TOPIC, PARTITION and OFFSET say where the original event is; TIME is when
it was dead-lettered or parked; ERROR is the handler's last error (empty for parked events).
  --format json    one JSON document: {"topic", "saga_id", "requested", "events": [...]}
Exit status 1 if the saga is not parked.
)";

constexpr std::string_view kDlqReplay = R"(usage: choreo dlq replay (--group G | --topic T) SAGA_ID

Asks the service to handle the saga's dead and parked events again, in order (see
`choreo dlq show`), then to handle its later events as usual. The request is appended to the
dead-letter topic; the service that consumes it carries it out, and `choreo dlq list` shows it as
requested until then. Exit status 1 (nothing appended) if the saga is not parked.
)";

constexpr std::string_view kDlqDiscard =
    R"(usage: choreo dlq discard (--group G | --topic T) SAGA_ID

Asks the service to drop the saga's dead and parked events (they are never handled) and to handle
its later events as usual. The request is appended to the dead-letter topic; the service that
consumes it carries it out, and `choreo dlq list` shows it as requested until then. Exit status 1
(nothing appended) if the saga is not parked.
)";

}  // namespace

std::optional<std::string> DlqUsageText(std::string_view topic) {
  if (topic == "dlq") return std::string(kDlq);
  if (topic == "dlq list") return std::string(kDlqList);
  if (topic == "dlq show") return std::string(kDlqShow);
  if (topic == "dlq replay") return std::string(kDlqReplay);
  if (topic == "dlq discard") return std::string(kDlqDiscard);
  return std::nullopt;
}

}  // namespace choreo::cli

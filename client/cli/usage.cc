#include "client/cli/usage.h"

namespace choreo::cli {
namespace {

constexpr std::string_view kOverview = R"(choreo: command-line tool for the choreo message broker

usage: choreo [--broker HOST:PORT] [--wait[=DURATION]] [TLS FLAGS] COMMAND [ARGS...]

commands:
  topic create NAME [--partitions N] [--retention-ms MS] [--retention-bytes B]
               [--max-message-bytes B] [--event-index on|off]
               [--schema-validation on|off]
               [--timestamp-type create_time|log_append_time]
  topic alter NAME [--partitions N] [--retention-ms MS] [--retention-bytes B]
              [--max-message-bytes B] [--event-index on|off]
              [--schema-validation on|off]
              [--timestamp-type create_time|log_append_time]
  topic list
  topic describe NAME
  topic delete NAME
  produce TOPIC [--partition P] [--key-separator SEP] [--header K=V ...]
                [--delay DURATION | --at TIME [--id ID]]
  scheduled cancel ID
  consume TOPIC [--from-beginning] [--partition P] [--offset O] [--follow] [--max N]
                [--format value|full] [--group G [--session-timeout-ms MS]]
  group list
  group describe GROUP
  group reset-offsets GROUP --topic T (--to-earliest | --to-latest | --to-timestamp MS |
                      --to-offset O) [--partition P]
  group delete GROUP
  dlq list (--group G | --topic T) [--format text|json]
  dlq show (--group G | --topic T) SAGA_ID [--format text|json]
  dlq replay (--group G | --topic T) SAGA_ID
  dlq discard (--group G | --topic T) SAGA_ID
  events find (--saga ID | --event-id ID | --key K | --type T) [--since TIME] [--topic T]
              [--limit N] [--format text|json]
  saga show SAGA_ID [--format text|json]
  saga define NAME --terminal T1,T2 --deadline DURATION [--start T3,T4]
  saga undefine NAME
  saga definitions [--format text|json]
  saga stuck [--definition NAME] [--limit N] [--format text|json]
  schema register FILE.proto|FILE.desc [-I DIR ...] [--type T ...]
  schema check FILE.proto|FILE.desc [-I DIR ...] [--type T ...]
  schema list
  schema show TYPE [--version N]
  user add NAME [--iterations N]
  user remove NAME
  user list
  acl add|remove --principal P|* (--topic NAME | --group NAME | --cluster) [--prefix]
                 --operation read|write|create|delete|alter|describe|all [--deny]
  acl list [--principal P]
  help [COMMAND]

Every command accepts --broker HOST:PORT (default localhost:7420) and --help.
A command fails at once if the broker does not accept connections; with --wait it
waits for the broker up to DURATION (e.g. 30s, 2m; --wait alone: 60s), as a script
started alongside choreod would.
TLS (for a choreod started with --tls-cert/--tls-key; any of these flags implies --tls):
  --tls              connect with TLS 1.2+, verifying the broker's certificate and name
  --tls-ca FILE      PEM CA bundle to verify the broker with (default: the system's CAs)
  --tls-cert FILE    PEM client certificate, for a broker that requires one (choreod --tls-ca)
  --tls-key FILE     the client certificate's PEM private key
Authentication (for a choreod started with --auth=sasl):
  --user NAME        authenticate as NAME; the password is asked for without echo
  --password-stdin   read the password from the first line of stdin instead
  --sasl-mechanism M SCRAM-SHA-256 (default) or PLAIN (sent only over TLS)
Exit status: 0 on success, 1 on an error, 2 on a usage error.
)";

constexpr std::string_view kTopic =
    R"(usage: choreo topic create NAME [--partitions N] [--retention-ms MS] [--retention-bytes B]
                          [--max-message-bytes B] [--event-index on|off]
       choreo topic alter NAME [--partitions N] [--retention-ms MS] [--retention-bytes B]
                         [--max-message-bytes B] [--event-index on|off]
       choreo topic list
       choreo topic describe NAME
       choreo topic delete NAME
)";

constexpr std::string_view kTopicCreate =
    R"(usage: choreo topic create NAME [--partitions N] [--retention-ms MS] [--retention-bytes B]
                          [--max-message-bytes B] [--event-index on|off]

Creates a topic.
  --partitions N          number of partitions (default: the broker's --default-partitions)
  --retention-ms MS       drop batches older than MS milliseconds; -1 keeps them forever
                          (default: the broker's setting)
  --retention-bytes B     keep at most about B bytes per partition; -1 means unlimited
                          (default: the broker's setting)
  --max-message-bytes B   largest record batch accepted (default: the broker's --max-batch-bytes,
                          which is also the upper bound)
  --event-index on|off    index the topic's saga events (records with the ce_* envelope) for
                          `choreo events find` and `choreo saga` (default: on)
  --schema-validation on|off
                          accept only saga events whose ce_type and ce_dataschema version are
                          registered (`choreo schema register`); other records are refused
                          (default: off)
  --timestamp-type create_time|log_append_time
                          whose clock timestamps the records: the producer's (create_time,
                          default; batches too far in the future are refused, see the broker's
                          --max-timestamp-skew-ms) or the broker's when it appends them
                          (log_append_time)
)";

constexpr std::string_view kTopicAlter =
    R"(usage: choreo topic alter NAME [--partitions N] [--retention-ms MS] [--retention-bytes B]
                         [--max-message-bytes B] [--event-index on|off]

Changes a topic's settings; settings not given keep their value. Prints the topic afterwards.
  --partitions N          grow the topic to N partitions (never fewer than now; records keep
                          their partition, new keys hash over N)
  --retention-ms MS       drop batches older than MS milliseconds; -1 keeps them forever
  --retention-bytes B     keep at most about B bytes per partition; -1 means unlimited
  --max-message-bytes B   largest record batch accepted (at most the broker's --max-batch-bytes)
  --event-index on|off    start or stop indexing the topic's saga events; records appended
                          while it is off are never indexed
  --schema-validation on|off
                          require registered schemas of the records produced from now on
  --timestamp-type create_time|log_append_time
                          keep the producers' timestamps, or stamp batches appended from now on
                          with the broker's clock
Retention changes apply at the broker's next retention check.
)";

constexpr std::string_view kTopicList = R"(usage: choreo topic list

Prints the name of every topic, one per line.
)";

constexpr std::string_view kTopicDescribe = R"(usage: choreo topic describe NAME

Prints the topic's settings (partitions, retention.ms, retention.bytes, max.message.bytes,
event.index, schema.validation), then one tab-separated line per partition:
  PARTITION  LOG_START  HIGH_WATERMARK
LOG_START moves up as retention drops old records.
)";

constexpr std::string_view kTopicDelete = R"(usage: choreo topic delete NAME

Deletes a topic and all its records.
)";

constexpr std::string_view kProduce =
    R"(usage: choreo produce TOPIC [--partition P] [--key-separator SEP] [--header K=V ...]
                      [--delay DURATION | --at TIME [--id ID]]

Reads records from standard input, one per line, and appends them to TOPIC.
  --partition P        append to partition P (default: the producer's choice, currently 0)
  --key-separator SEP  the text before the first SEP of a line is the record's key, the rest its
                       value; a line without SEP has no key
  --header K=V         add header K with value V to every record (repeatable)
  --delay DURATION     schedule each record instead: the broker appends it DURATION from now
                       ("30s", "10m", "1h30m"), durably and once, unless it is cancelled first
  --at TIME            schedule each record for TIME (RFC 3339, e.g. 2026-12-04T18:00:00Z)
  --id ID              the scheduled record's id, to cancel it with `choreo scheduled cancel ID`
                       (default: cli-<random>); line N > 1 gets ID/N. Scheduling an id that is
                       pending already changes nothing.
Exits once every line is acknowledged (scheduled: stored); the exit status is 1 if any failed.
)";

constexpr std::string_view kScheduled =
    R"(usage: choreo scheduled cancel ID

Cancels a scheduled record (choreo produce --delay/--at, Producer::Schedule, a saga timer: its id
is "<saga id>/<timer>"). Prints what the broker found: cancelled, already cancelled, delivered
(appended already) or not found (never scheduled, or ended more than 7 days ago); the exit status
is 1 unless it is cancelled now or was before.
)";

constexpr std::string_view kConsume =
    R"(usage: choreo consume TOPIC [--from-beginning] [--partition P] [--offset O] [--follow]
                      [--max N] [--format value|full] [--group G [--session-timeout-ms MS]]

Prints the records of TOPIC, one per line.
  --from-beginning  start at the first retained record (default: only new records)
  --partition P     read partition P only (default: all partitions)
  --offset O        start at offset O (of every partition read)
  --follow          keep waiting for new records (default: stop at the end of the log as it
                    was when the command started)
  --max N           stop after N records
  --format FORMAT   value (default): the record's value as is
                    full: PARTITION<TAB>OFFSET<TAB>KEY<TAB>HEADERS<TAB>VALUE, where HEADERS is
                    K=V pairs joined by ',' and backslash, tab, newline and carriage return in
                    key, headers and value are written as \\, \t, \n and \r
  --group G         consume as a member of consumer group G: the broker shares the topic's
                    partitions among the group's members, each starts where the group last
                    committed (else as --from-beginning says), and what is printed is committed
                    after every batch. Runs until --max, Ctrl-C or SIGTERM (then it commits and
                    leaves the group); without --follow it also stops once caught up (nothing new
                    for about a second). --partition and --offset do not apply.
  --session-timeout-ms MS
                    with --group: the member is removed (its partitions move) when its
                    heartbeats stop for MS (default 10000)
)";

constexpr std::string_view kUser = R"(usage: choreo user add NAME [--iterations N]
       choreo user remove NAME
       choreo user list

Manages the users choreod --auth=sasl authenticates (SCRAM-SHA-256, PLAIN over TLS). The broker
stores a salted, iterated credential (--iterations rounds of PBKDF2, default 4096), never the
password, which this tool derives locally. `user add` asks for the new password twice without
echo, or reads it from stdin with --password-stdin (after the --user password, if any: one line
each). Replaces the password of an existing user. Needs the cluster alter permission.
)";

constexpr std::string_view kAcl =
    R"(usage: choreo acl add|remove --principal P|* (--topic NAME | --group NAME | --cluster)
                 [--prefix] --operation OP [--deny]
       choreo acl list [--principal P]

ACLs of a broker with authentication (--auth=sasl|mtls): a request is allowed when an ACL allows
it and none denies it (deny wins); without one it is denied. OP is read, write, create, delete,
alter, describe or all (an allow of read, write, delete or alter allows describe too). --prefix
matches every name starting with NAME; a literal "*" matches every name. P is a user name, a
client certificate's principal, or * (everyone). Changes apply from the next request on.
)";

}  // namespace

std::string UsageText(std::string_view topic) {
  if (topic == "topic") return std::string(kTopic);
  if (topic == "topic create") return std::string(kTopicCreate);
  if (topic == "topic list") return std::string(kTopicList);
  if (topic == "topic describe") return std::string(kTopicDescribe);
  if (topic == "topic delete") return std::string(kTopicDelete);
  if (topic == "topic alter") return std::string(kTopicAlter);
  if (topic == "produce") return std::string(kProduce);
  if (topic == "scheduled") return std::string(kScheduled);
  if (topic == "consume") return std::string(kConsume);
  if (topic.starts_with("user")) return std::string(kUser);
  if (topic.starts_with("acl")) return std::string(kAcl);
  if (std::optional<std::string> group = GroupUsageText(topic)) return *group;
  if (std::optional<std::string> dlq = DlqUsageText(topic)) return *dlq;
  if (std::optional<std::string> saga = SagaUsageText(topic)) return *saga;
  if (std::optional<std::string> schema = SchemaUsageText(topic)) return *schema;
  return std::string(kOverview);
}

}  // namespace choreo::cli

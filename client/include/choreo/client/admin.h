// Admin: topic management and partition offsets.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/event_index.h"
#include "choreo/client/group.h"
#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/schema.h"
#include "choreo/client/security.h"
#include "choreo/client/status.h"

namespace choreo {

struct TopicSettings {
  uint32_t partitions = 1;
  int64_t retention_ms = 0;        // 0: broker default; -1: forever
  int64_t retention_bytes = 0;     // per partition; 0: broker default; -1: unlimited
  uint64_t max_message_bytes = 0;  // 0: broker default
  // Index the topic's enveloped records (event_index.h). kDefault at creation: on. In a
  // description, kOn or kOff (kDefault only from a broker before protocol 1.2).
  EventIndexMode event_index = EventIndexMode::kDefault;
  // Accept only enveloped records whose type and schema version are registered (schema.h;
  // protocol 1.3). At creation: off unless set. In a description: whether it is on (false from a
  // broker before protocol 1.3).
  bool schema_validation = false;
  // The broker stamps each appended batch with its own clock instead of keeping the producer's
  // record timestamps (Kafka's message.timestamp.type=LogAppendTime; protocol 1.4). At creation:
  // create time unless set. In a description: whether it is on (false from an older broker).
  bool log_append_time = false;
};

// A change to a topic's settings (Admin::AlterTopic): fields left empty keep their value.
struct TopicChanges {
  std::optional<uint32_t> partitions;         // may only grow
  std::optional<int64_t> retention_ms;        // > 0, or -1: forever
  std::optional<int64_t> retention_bytes;     // per partition; > 0, or -1: unlimited
  std::optional<uint64_t> max_message_bytes;  // > 0 (at most the broker's limit applies)
  std::optional<bool> event_index;            // index the topic's enveloped records from now on
  std::optional<bool> schema_validation;      // require registered schemas (protocol 1.3)
  std::optional<bool> log_append_time;        // broker-stamped timestamps (protocol 1.4)
};

struct PartitionDescription {
  uint32_t partition = 0;
  int64_t log_start_offset = 0;  // the first offset still stored
  int64_t high_watermark = 0;  // the offset the next record will get; readers see offsets below it
};

struct TopicDescription {
  std::string name;
  uint32_t topic_id = 0;
  TopicSettings settings;
  std::vector<PartitionDescription> partitions;
};

enum class OffsetSpec { kEarliest, kLatest, kTimestamp };

// Thread-safe; blocking calls. Each call first needs a connection: the current one, or a new one
// (none was made yet, or it was lost), waited for up to ClientOptions::request_timeout; then it
// waits up to request_timeout for the broker's answer (kTimeout). Besides the errors listed per
// call, any call may fail with kConnectionFailed (no connection within request_timeout, or lost
// during the call) or kTimeout.
class Admin {
 public:
  // Checks the options and tries once to connect and handshake; a broker that cannot be reached
  // is not an error (the calls wait for it, see above). Errors: kInvalidArgument (bad broker
  // address or limits), kUnsupportedVersion, or the broker's handshake error.
  static Result<std::unique_ptr<Admin>> Connect(const ClientOptions& options);
  // Closes the connection.
  ~Admin();

  // Errors: kTopicAlreadyExists, kInvalidTopic (bad name or settings), kUnsupportedVersion
  // (settings.event_index set and the broker is older than protocol 1.2).
  Status CreateTopic(std::string_view name, const TopicSettings& settings);
  // Deletes the topic and its records. Errors: kUnknownTopic.
  Status DeleteTopic(std::string_view name);
  // Every topic, with its partitions' log start offsets and high watermarks.
  Result<std::vector<TopicDescription>> ListTopics();
  // Errors: kUnknownTopic.
  Result<TopicDescription> DescribeTopic(std::string_view name);
  // Changes a topic's settings, durably, and returns the topic as it is afterwards. New
  // partitions start empty; keys hash over the new partition count from then on. Errors:
  // kUnknownTopic; kInvalidTopic (fewer partitions than now, or a value the broker rejects);
  // kInvalidArgument (no change, or a 0 value: the protocol uses 0 for "unchanged");
  // kUnsupportedVersion (event_index with a broker older than protocol 1.2).
  Result<TopicDescription> AlterTopic(std::string_view name, const TopicChanges& changes);
  // The offset for `spec` (timestamp_ms only for kTimestamp); -1 if no record is that recent.
  // kEarliest is the log start offset, kLatest the high watermark (the next offset to be written).
  // Errors: kUnknownTopic, kInvalidPartition.
  Result<int64_t> ListOffset(const TopicPartition& tp, OffsetSpec spec, int64_t timestamp_ms = 0);

  // ---- Consumer groups (see consumer.h and group.h) ---------------------------------------

  // Every group that has members or committed offsets, sorted by id.
  Result<std::vector<GroupListing>> ListGroups();
  // The group's state, members with their assignments and, per partition (committed or
  // assigned), the committed offset, the log end offset and the lag. Errors: kUnknownGroup (no
  // members and no committed offsets), kInvalidRequest (bad group id).
  Result<GroupDescription> DescribeGroup(std::string_view group_id);
  // Sets the group's committed offsets in `topic` (every partition, or only `partition`) as
  // `spec` says, and returns them. Allowed only while the group has no members (stop its
  // consumers first): kGroupNotEmpty otherwise. Errors: kUnknownTopic, kInvalidPartition.
  Result<std::map<TopicPartition, int64_t>> ResetGroupOffsets(std::string_view group_id,
                                                              std::string_view topic,
                                                              std::optional<uint32_t> partition,
                                                              const OffsetResetSpec& spec);
  // Forgets the group's committed offsets. Errors: kGroupNotEmpty (it has members),
  // kUnknownGroup.
  Status DeleteGroup(std::string_view group_id);

  // ---- Event index and saga definitions (event_index.h) -----------------------------------
  // Each fails with kUnsupportedVersion, without sending anything, when the broker is older than
  // protocol 1.2.

  // One page of the events matching `query`. Errors: kInvalidArgument (empty value, limit above
  // 10000); kInvalidRequest (the broker's refusal, e.g. of a page token it did not issue).
  Result<EventPage> FindEvents(const EventQuery& query);
  // Pages through the events matching `query` (from query.page_token on) until `max_events` (> 0)
  // are collected or nothing more matches. next_page_token of the result is non-empty when more
  // may match (resume with it). Errors: as FindEvents.
  Result<EventPage> FindEventsUpTo(EventQuery query, uint64_t max_events);
  // Creates or replaces a definition, durably; it applies to events appended from then on.
  // Errors: kInvalidArgument (empty name or terminal types, deadline <= 0), kInvalidRequest (the
  // broker's checks: name, number of types or definitions).
  Status DefineSaga(const SagaDefinition& definition);
  // Errors: the broker's when there is no definition `name`.
  Status RemoveSagaDefinition(std::string_view name);
  // Every definition, sorted by name.
  Result<std::vector<SagaDefinition>> ListSagaDefinitions();
  // The sagas of `definition` (empty: of every definition) open past their deadline, longest
  // overdue first, at most `limit` (0: the broker's default, 100; at most 10000), and the open and
  // stuck counts per definition. Errors: the broker's for an unknown definition.
  Result<StuckSagas> FindStuckSagas(std::string_view definition = {}, uint32_t limit = 0);

  // ---- Schema registry (schema.h) -------------------------------------------------------------
  // Each fails with kUnsupportedVersion, without sending anything, when the broker is older than
  // protocol 1.3. `descriptor_set` is a serialized FileDescriptorSet (at most 1 MiB); `types` the
  // message full names to register or check (empty: every top-level message of its last file).

  // Registers each type as a new version of its subject unless an identical version exists. All
  // or nothing: when any type is incompatible nothing is registered and the call fails with
  // kIncompatibleSchema, every problem spelled out in the message. Errors: kInvalidRequest (not a
  // descriptor set, a missing import, no such type), kResourceExhausted (registry limits).
  Result<std::vector<SchemaVerdict>> RegisterSchema(std::string_view descriptor_set,
                                                    const std::vector<std::string>& types = {});
  // The verdicts RegisterSchema would give, registering nothing. Errors: as RegisterSchema, but
  // never kIncompatibleSchema (incompatible types are verdicts).
  Result<std::vector<SchemaVerdict>> CheckSchema(std::string_view descriptor_set,
                                                 const std::vector<std::string>& types = {});
  // Every registered subject, by name.
  Result<std::vector<SchemaSubject>> ListSchemas();
  // One version of a subject (0: the latest). Errors: kUnknownSchema.
  Result<SchemaVersion> GetSchema(std::string_view subject, uint32_t version = 0);

  // Users and ACLs (security.h; README "Authentication and ACLs"). With authentication on they
  // need the cluster alter permission (describe to list), else kAuthorizationFailed. All fail with
  // kUnsupportedVersion on a broker older than protocol 1.5.
  //
  // Creates the user or replaces its password. The password is turned into a SCRAM-SHA-256
  // credential here (random salt, `iterations` rounds of PBKDF2); only that is sent. Errors:
  // kInvalidArgument (empty password, iterations out of [4096, 1048576]), kInvalidRequest (name
  // not 1-255 characters of [A-Za-z0-9._@-]).
  Status UpsertUser(std::string_view name, std::string_view password, uint32_t iterations = 4096);
  // Errors: kInvalidRequest (no such user).
  Status DeleteUser(std::string_view name);
  // Sorted by name.
  Result<std::vector<UserDescription>> ListUsers();
  // Adds ACLs (existing ones stay). Errors: kInvalidRequest (a field is invalid).
  Status CreateAcls(const std::vector<AclBinding>& acls);
  // Removes exactly these ACLs; returns how many existed.
  Result<uint32_t> DeleteAcls(const std::vector<AclBinding>& acls);
  // Every ACL, or one principal's.
  Result<std::vector<AclBinding>> ListAcls(std::string_view principal = {});

  class Impl;

 private:
  explicit Admin(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo

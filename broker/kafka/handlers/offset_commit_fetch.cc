// OffsetCommit 2-7 and OffsetFetch 1-5: committed offsets in the log store, under the group id,
// where choreo's own groups keep theirs (broker/handlers/offset_commit.cc, offset_fetch.cc): a
// Kafka group and a choreo group of the same name share their committed offsets.
//
// Fencing of a commit: a member of the Kafka group's current generation (ClassicGroupCoordinator::
// CheckCommit); or a simple consumer's commit (generation -1, empty member id: kcat without -G,
// assign-mode consumers), accepted only while the group has no members of either kind.
#include <absl/time/clock.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/group/coordinator.h"
#include "broker/kafka/handlers/group_handlers.h"
#include "broker/kafka/handlers/kafka_errors.h"
#include "broker/run_blocking.h"

namespace choreo::broker {
namespace {

using namespace classic_error;  // NOLINT(build/namespaces)

constexpr int16_t kOffsetMetadataTooLarge = 12;

int16_t StoreError(const absl::Status& status) {
  if (status.ok()) return kNone;
  return KafkaErrorCode(ErrorCodeFor(status));
}

}  // namespace

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaOffsetCommit(KafkaCall& call) {
  BrokerServices& services = call.ctx.services;
  const kafka::Struct& request = call.body();
  const std::string group_id = request.GetString("group_id");
  const int32_t generation = static_cast<int32_t>(request.GetInt("generation_id"));
  const std::string member_id = request.GetString("member_id");
  const std::string instance_id =
      request.IsNull("group_instance_id") ? "" : request.GetString("group_instance_id");
  const absl::Time now = absl::Now();

  // The request-level verdict: access, then fencing.
  int16_t verdict = kNone;
  if (std::optional<int16_t> denied =
          CheckKafkaGroupAccess(call, KafkaGroupAccess::kRead, group_id)) {
    verdict = *denied;
  } else {
    verdict =
        services.groups.classic().CheckCommit(group_id, generation, member_id, instance_id, now);
  }
  if (verdict == kNone && member_id.empty()) {
    // A simple consumer's commit: the choreo group must have no members either.
    std::vector<absl::Status> ignored;
    if (!services.groups.CheckCommit(group_id, "", -1, {}, now, &ignored).ok())
      verdict = kUnknownMemberId;
  }

  kafka::Struct response = call.NewResponse();
  std::vector<storage::GroupOffset> offsets;
  // (topic, partition) indexes into the response of the partitions in `offsets` (indexes, since
  // the response's arrays grow as they are filled).
  std::vector<std::pair<size_t, size_t>> pending;
  for (const kafka::Struct& topic : request.GetStructs("topics")) {
    const std::string& name = topic.GetString("name");
    kafka::Struct& out_topic = response.AddStruct("topics");
    out_topic.SetString("name", name);
    std::optional<int16_t> topic_error;
    if (verdict == kNone) topic_error = CheckKafkaCommitTopic(call, name);
    std::optional<storage::TopicInfo> info;
    if (verdict == kNone && !topic_error) info = services.topics.Find(name);
    for (const kafka::Struct& partition : topic.GetStructs("partitions")) {
      kafka::Struct& out = out_topic.AddStruct("partitions");
      const int64_t index = partition.GetInt("partition_index");
      out.SetInt("partition_index", index);
      int16_t error = verdict;
      if (error == kNone && topic_error) error = *topic_error;
      if (error == kNone && (!info || index < 0 || index >= info->config.partitions))
        error = kafka_error::kUnknownTopicOrPartition;
      const std::string& metadata = partition.GetString("committed_metadata");
      if (error == kNone && metadata.size() > storage::kMaxOffsetMetadataBytes)
        error = kOffsetMetadataTooLarge;
      if (error == kNone && partition.GetInt("committed_offset") < 0)
        error = kafka_error::kOffsetOutOfRange;
      out.SetInt("error_code", error);
      if (error != kNone) continue;
      offsets.push_back(storage::GroupOffset{name, static_cast<storage::PartitionId>(index),
                                             partition.GetInt("committed_offset"), metadata});
      pending.emplace_back(response.GetStructs("topics").size() - 1,
                           out_topic.GetStructs("partitions").size() - 1);
    }
  }
  if (!offsets.empty()) {
    const absl::Status stored = co_await RunBlocking(
        services.blocking, [&] { return services.store.CommitGroupOffsets(group_id, offsets); });
    for (const auto& [t, p] : pending) {
      response.Mutable("topics")
          .structs[t]
          .Mutable("partitions")
          .structs[p]
          .SetInt("error_code", StoreError(stored));
    }
  }
  co_return response;
}

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaOffsetFetch(KafkaCall& call) {
  BrokerServices& services = call.ctx.services;
  const kafka::Struct& request = call.body();
  const std::string group_id = request.GetString("group_id");
  kafka::Struct response = call.NewResponse();
  int16_t error = ClassicGroupCoordinator::ValidateGroupId(group_id);
  if (error == kNone) {
    if (std::optional<int16_t> denied =
            CheckKafkaGroupAccess(call, KafkaGroupAccess::kDescribe, group_id)) {
      error = *denied;
    }
  }
  const bool all = request.IsNull("topics");  // v2+: every topic the group has offsets for
  std::vector<storage::TopicPartition> wanted;
  if (!all) {
    for (const kafka::Struct& topic : request.GetStructs("topics")) {
      for (const kafka::Value& partition : topic.GetItems("partition_indexes")) {
        if (partition.i < 0) continue;  // answered -1 below
        wanted.push_back(storage::TopicPartition{topic.GetString("name"),
                                                 static_cast<storage::PartitionId>(partition.i)});
      }
    }
  }
  absl::StatusOr<std::vector<storage::GroupOffset>> found = std::vector<storage::GroupOffset>();
  if (error == kNone && (all || !wanted.empty())) {
    found = co_await RunBlocking(services.blocking, [&] {
      return all ? services.store.FetchGroupOffsets(group_id)
                 : services.store.FetchGroupOffsets(group_id, wanted);
    });
    if (!found.ok()) error = StoreError(found.status());
  }
  std::map<std::pair<std::string, int64_t>, const storage::GroupOffset*> by_partition;
  if (found.ok()) {
    for (const storage::GroupOffset& offset : *found)
      by_partition[{offset.topic, offset.partition}] = &offset;
  }
  auto add = [&](kafka::Struct& out_topic, int64_t partition) {
    kafka::Struct& out = out_topic.AddStruct("partitions");
    out.SetInt("partition_index", partition);
    auto it = by_partition.find({out_topic.GetString("name"), partition});
    // Nothing committed (or an unknown topic or partition): offset -1, no error, as Kafka.
    const bool committed = error == kNone && it != by_partition.end() && it->second->offset >= 0;
    out.SetInt("committed_offset", committed ? it->second->offset : -1);
    out.SetString("metadata", committed ? it->second->metadata : "");
    // v1 has no request-level error: each partition carries it.
    out.SetInt("error_code", call.version() < 2 ? error : kNone);
  };
  if (all) {
    std::map<std::string, std::vector<int64_t>> topics;
    for (const auto& entry : by_partition)
      topics[entry.first.first].push_back(entry.first.second);
    for (const auto& [name, partitions] : topics) {
      kafka::Struct& out_topic = response.AddStruct("topics");
      out_topic.SetString("name", name);
      for (int64_t partition : partitions)
        add(out_topic, partition);
    }
  } else {
    for (const kafka::Struct& topic : request.GetStructs("topics")) {
      kafka::Struct& out_topic = response.AddStruct("topics");
      out_topic.SetString("name", topic.GetString("name"));
      for (const kafka::Value& partition : topic.GetItems("partition_indexes"))
        add(out_topic, partition.i);
    }
  }
  response.SetInt("error_code", error);
  co_return response;
}

}  // namespace choreo::broker

#include <chrono>
#include <map>
#include <ostream>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "client/cli/commands.h"
#include "client/cli/record_format.h"

namespace choreo::cli {
namespace {

constexpr std::chrono::milliseconds kPollTimeout{500};

// The partitions to read and, without --follow, where to stop in each: the high watermark when the
// command started.
struct ReadPlan {
  std::vector<PartitionAssignment> assignments;
  std::map<TopicPartition, int64_t> end_offsets;
};

Result<ReadPlan> PlanRead(const ClientOptions& options, const ConsumeArgs& args) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<TopicDescription> topic = (*admin)->DescribeTopic(args.topic);
  if (!topic.ok()) return topic.status();
  ReadPlan plan;
  for (const PartitionDescription& p : topic->partitions) {
    if (args.partition && p.partition != *args.partition) continue;
    TopicPartition tp{args.topic, p.partition};
    plan.assignments.push_back(PartitionAssignment{
        tp, args.offset, args.from_beginning ? StartFrom::kEarliest : StartFrom::kLatest});
    plan.end_offsets[tp] = p.high_watermark;
  }
  if (args.partition && plan.assignments.empty()) {
    return Status(ErrorCode::kInvalidPartition,
                  "topic '" + args.topic + "' has no partition " + std::to_string(*args.partition));
  }
  return plan;
}

// True when, without --follow, every partition has been read up to its end offset.
Result<bool> ReachedEnd(const Consumer& consumer, const ReadPlan& plan) {
  for (const auto& [tp, end] : plan.end_offsets) {
    Result<int64_t> position = consumer.Position(tp);
    if (!position.ok()) return position.status();
    if (*position < end) return false;
  }
  return true;
}

}  // namespace

Status RunConsume(const ClientOptions& options, const ConsumeArgs& args, Io& io) {
  if (args.group) return RunGroupConsume(options, args, io);
  Result<ReadPlan> plan = PlanRead(options, args);
  if (!plan.ok()) return plan.status();
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(ConsumerOptions{.client = options});
  if (!consumer.ok()) return consumer.status();
  if (Status assigned = (*consumer)->Assign(plan->assignments); !assigned.ok()) return assigned;

  uint64_t printed = 0;
  for (;;) {
    if (args.max_records && printed >= *args.max_records) break;
    if (!args.follow) {
      Result<bool> done = ReachedEnd(**consumer, *plan);
      if (!done.ok()) return done.status();
      if (*done) break;
    }
    Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(kPollTimeout);
    if (!records.ok()) return records.status();
    for (const ConsumedRecord& record : *records) {
      // Without --follow, records appended after the start are not part of the output.
      if (!args.follow && record.offset >= plan->end_offsets[{record.topic, record.partition}]) {
        continue;
      }
      io.out << FormatRecord(record, args.format) << '\n';
      if (args.max_records && ++printed >= *args.max_records) break;
    }
    io.out.flush();
  }
  return OkStatus();
}

}  // namespace choreo::cli

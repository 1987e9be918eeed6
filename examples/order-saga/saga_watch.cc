// saga-watch: prints the saga's events as they are stored, one line each, from the envelope alone
// (the CloudEvents headers), as any consumer in any language could:
//
//   12:00:01.532  payment-service   PaymentSucceeded  saga=ord-3fa2c1-7  id=4b1f0c2e cause=9d3e77a1
//
// It reads every partition of every event topic of proto/order_saga.proto without a consumer
// group (Assign), so it changes nothing for the services. Events of one saga on one topic come in
// order; between topics the order is that of arrival.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "choreo/saga/envelope.h"
#include "common/flags.h"
#include "common/service_main.h"
#include "common/topics.h"

namespace order_saga {
namespace {

constexpr char kUsage[] =
    "Usage: saga-watch [flags]\n"
    "Prints every event of the order saga as it is stored: time, ce_source, type, saga id,\n"
    "event id and causation id (the first 8 characters of each id).\n\n"
    "  --from-beginning           start at the oldest events instead of new ones only\n"
    "  --saga=ID                  only this saga's events\n"
    "  --payload                  also print each event's payload\n"
    "  --full-ids                 print whole event ids\n"
    "  --exit-when-idle-ms=MS     exit after MS without a new event (default 0: run until ^C)\n"
    "  --partitions=N             partitions of the topics it creates if missing (default 4)\n";

struct WatchFlags {
  bool payload = false;
  bool full_ids = false;
  std::string saga;
};

// The payload as protobuf text on one line, decoded by its ce_type.
std::string PayloadText(const choreo::saga::Envelope& envelope, const std::string& payload) {
  if (envelope.content_type != choreo::saga::kProtobufContentType) return payload;
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(envelope.type);
  if (descriptor == nullptr) return "(" + std::to_string(payload.size()) + " bytes)";
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  if (!message->ParseFromString(payload)) return "(undecodable)";
  return "{" + message->ShortDebugString() + "}";
}

void PrintEvent(const choreo::ConsumedRecord& record, const WatchFlags& watch) {
  auto envelope = choreo::saga::ReadEnvelope(record.record.headers);
  if (!envelope.ok()) {
    std::printf("%s/%u@%lld: not a saga event (%s)\n", record.topic.c_str(), record.partition,
                static_cast<long long>(record.offset), envelope.status().ToString().c_str());
    return;
  }
  if (!watch.saga.empty() && envelope->saga_id != watch.saga) return;
  auto id = [&](const std::string& full) -> std::string {
    if (full.empty()) return "-";
    return watch.full_ids ? full : std::string(ShortId(full));
  };
  // "2026-12-04T10:15:30.123Z" -> "10:15:30.123"
  const std::string time = choreo::saga::FormatRfc3339(envelope->time_ms).substr(11, 12);
  std::string line = time + "  ";
  char columns[128];
  std::snprintf(columns, sizeof(columns), "%-17s %-17s ", envelope->source.c_str(),
                ShortType(envelope->type).c_str());
  line += columns;
  line += "saga=" + envelope->saga_id + "  id=" + id(envelope->id) +
          "  cause=" + id(envelope->causation_id);
  if (watch.payload) line += "  " + PayloadText(*envelope, record.record.value);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stdout);
}

// Every partition of every event topic, creating the topics that do not exist yet.
std::vector<choreo::PartitionAssignment> Partitions(const choreo::ClientOptions& client,
                                                    uint32_t partitions, bool from_beginning) {
  auto admin = choreo::Admin::Connect(client);
  if (!admin.ok()) Die("cannot connect", admin.status());
  std::vector<choreo::PartitionAssignment> assignments;
  for (const std::string& topic : EventTopics()) {
    auto description = (*admin)->DescribeTopic(topic);
    if (!description.ok() && description.status().code() == choreo::ErrorCode::kUnknownTopic) {
      choreo::Status created = (*admin)->CreateTopic(topic, {.partitions = partitions});
      if (!created.ok() && created.code() != choreo::ErrorCode::kTopicAlreadyExists) {
        Die("cannot create " + topic, created);
      }
      description = (*admin)->DescribeTopic(topic);
    }
    if (!description.ok()) Die("cannot describe " + topic, description.status());
    for (const choreo::PartitionDescription& p : description->partitions) {
      assignments.push_back({.partition = {topic, p.partition},
                             .offset = std::nullopt,
                             .start_from = from_beginning ? choreo::StartFrom::kEarliest
                                                          : choreo::StartFrom::kLatest});
    }
  }
  return assignments;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv, {"from-beginning", "payload", "full-ids"},
              std::string(kUsage) + kClientFlagsUsage);
  const choreo::ClientOptions client = ReadClientFlags(flags, "saga-watch");
  const bool from_beginning = flags.Bool("from-beginning");
  WatchFlags watch{.payload = flags.Bool("payload"),
                   .full_ids = flags.Bool("full-ids"),
                   .saga = flags.String("saga", "")};
  const auto idle_exit = std::chrono::milliseconds(flags.Int("exit-when-idle-ms", 0));
  const int64_t partitions = flags.Int("partitions", 4);
  flags.CheckAllUsed();
  if (partitions < 1) flags.Fail("--partitions must be positive");
  setvbuf(stdout, nullptr, _IOLBF, 0);

  auto consumer =
      choreo::Consumer::Create({.client = client, .max_wait = std::chrono::milliseconds(200)});
  if (!consumer.ok()) Die("cannot connect", consumer.status());
  if (choreo::Status s = (*consumer)->Assign(
          Partitions(client, static_cast<uint32_t>(partitions), from_beginning));
      !s.ok()) {
    Die("cannot read the event topics", s);
  }
  auto last_event = std::chrono::steady_clock::now();
  for (;;) {
    auto records = (*consumer)->Poll(std::chrono::milliseconds(500));
    if (!records.ok()) {
      std::fprintf(stderr, "saga-watch: %s (retrying)\n", records.status().ToString().c_str());
      std::this_thread::sleep_for(
          std::chrono::milliseconds(500));  // backoff while the broker is away
      continue;
    }
    // Each topic is a separate log, so one poll returns them topic by topic: print by time, so a
    // saga reads top to bottom (ties keep the log's order).
    std::stable_sort(records->begin(), records->end(),
                     [](const choreo::ConsumedRecord& a, const choreo::ConsumedRecord& b) {
                       return a.record.timestamp_ms < b.record.timestamp_ms;
                     });
    for (const choreo::ConsumedRecord& record : *records)
      PrintEvent(record, watch);
    const auto now = std::chrono::steady_clock::now();
    if (!records->empty()) last_event = now;
    if (idle_exit.count() > 0 && now - last_event >= idle_exit) return 0;
  }
}

}  // namespace
}  // namespace order_saga

int main(int argc, char** argv) {
  return order_saga::Main(argc, argv);
}

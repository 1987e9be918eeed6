#include <ostream>
#include <string>

#include "choreo/client/admin.h"
#include "client/cli/commands.h"

namespace choreo::cli {
namespace {

// "-1 (forever)" for the "no limit" value; 0 (only for max.message.bytes) is the broker's limit.
std::string Limit(int64_t value, const char* unlimited) {
  return value < 0 ? std::to_string(value) + " (" + unlimited + ")" : std::to_string(value);
}

const char* EventIndexName(EventIndexMode mode) {
  switch (mode) {
    case EventIndexMode::kOn:
      return "on";
    case EventIndexMode::kOff:
      return "off";
    case EventIndexMode::kDefault:
      break;
  }
  return "unknown (the broker has no event index)";
}

void PrintTopic(const TopicDescription& topic, std::ostream& out) {
  out << "topic: " << topic.name << "\n"
      << "id: " << topic.topic_id << "\n"
      << "partitions: " << topic.settings.partitions << "\n"
      << "retention.ms: " << Limit(topic.settings.retention_ms, "forever") << "\n"
      << "retention.bytes: " << Limit(topic.settings.retention_bytes, "unlimited") << "\n"
      << "max.message.bytes: " << topic.settings.max_message_bytes
      << (topic.settings.max_message_bytes == 0 ? " (broker default)" : "") << "\n"
      << "event.index: " << EventIndexName(topic.settings.event_index) << "\n"
      << "schema.validation: " << (topic.settings.schema_validation ? "on" : "off") << "\n"
      << "timestamp.type: " << (topic.settings.log_append_time ? "log_append_time" : "create_time")
      << "\n"
      << "PARTITION\tLOG_START\tHIGH_WATERMARK\n";
  for (const PartitionDescription& p : topic.partitions) {
    out << p.partition << "\t" << p.log_start_offset << "\t" << p.high_watermark << "\n";
  }
}

}  // namespace

Status RunTopicCreate(const ClientOptions& options, const TopicCreateArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Status status = (*admin)->CreateTopic(args.name, args.settings);
  if (!status.ok()) return status;
  io.out << "created topic " << args.name << "\n";
  return OkStatus();
}

Status RunTopicList(const ClientOptions& options, const TopicListArgs&, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::vector<TopicDescription>> topics = (*admin)->ListTopics();
  if (!topics.ok()) return topics.status();
  for (const TopicDescription& topic : *topics)
    io.out << topic.name << "\n";
  return OkStatus();
}

Status RunTopicDescribe(const ClientOptions& options, const TopicDescribeArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<TopicDescription> topic = (*admin)->DescribeTopic(args.name);
  if (!topic.ok()) return topic.status();
  PrintTopic(*topic, io.out);
  return OkStatus();
}

Status RunTopicAlter(const ClientOptions& options, const TopicAlterArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Result<TopicDescription> topic = (*admin)->AlterTopic(args.name, args.changes);
  if (!topic.ok()) return topic.status();
  io.out << "altered topic " << args.name << "\n";
  PrintTopic(*topic, io.out);
  return OkStatus();
}

Status RunTopicDelete(const ClientOptions& options, const TopicDeleteArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) return admin.status();
  Status status = (*admin)->DeleteTopic(args.name);
  if (!status.ok()) return status;
  io.out << "deleted topic " << args.name << "\n";
  return OkStatus();
}

}  // namespace choreo::cli

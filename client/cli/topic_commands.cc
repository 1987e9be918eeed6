#include <ostream>

#include "choreo/client/admin.h"
#include "client/cli/commands.h"

namespace choreo::cli {

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
  io.out << "topic: " << topic->name << "\n"
         << "id: " << topic->topic_id << "\n"
         << "partitions: " << topic->settings.partitions << "\n"
         << "retention.ms: " << topic->settings.retention_ms << "\n"
         << "retention.bytes: " << topic->settings.retention_bytes << "\n"
         << "max.message.bytes: " << topic->settings.max_message_bytes << "\n"
         << "PARTITION\tLOG_START\tHIGH_WATERMARK\n";
  for (const PartitionDescription& p : topic->partitions) {
    io.out << p.partition << "\t" << p.log_start_offset << "\t" << p.high_watermark << "\n";
  }
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

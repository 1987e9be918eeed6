#include "broker/group/group_proto.h"

namespace choreo::broker {

PartitionSet PartitionsFromProto(const WirePartitions& wire) {
  PartitionSet out;
  for (const proto::TopicPartitions& topic : wire) {
    for (uint32_t partition : topic.partitions())
      out.insert(GroupPartition{topic.topic(), partition});
  }
  return out;
}

void PartitionsToProto(const PartitionSet& partitions, WirePartitions* out) {
  proto::TopicPartitions* current = nullptr;
  for (const GroupPartition& p : partitions) {  // sorted by topic, so each topic is contiguous
    if (current == nullptr || current->topic() != p.topic) {
      current = out->Add();
      current->set_topic(p.topic);
    }
    current->add_partitions(p.partition);
  }
}

HeartbeatInput HeartbeatInputFromProto(const proto::ConsumerGroupHeartbeatRequest& request) {
  HeartbeatInput in;
  in.member_id = request.member_id();
  in.member_epoch = request.member_epoch();
  in.instance_id = request.instance_id();
  in.client_id = request.client_id();
  in.subscribed_topics.assign(request.subscribed_topics().begin(),
                              request.subscribed_topics().end());
  in.subscribed_pattern = request.subscribed_pattern();
  in.session_timeout_ms = request.session_timeout_ms();
  in.rebalance_timeout_ms = request.rebalance_timeout_ms();
  in.owned = PartitionsFromProto(request.owned_partitions());
  return in;
}

void HeartbeatOutputToProto(const HeartbeatOutput& output,
                            proto::ConsumerGroupHeartbeatResponse* out) {
  out->set_member_id(output.member_id);
  out->set_member_epoch(output.member_epoch);
  out->set_heartbeat_interval_ms(output.heartbeat_interval_ms);
  PartitionsToProto(output.assignment, out->mutable_assignment());
  out->set_group_epoch(output.group_epoch);
}

}  // namespace choreo::broker

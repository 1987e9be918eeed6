// Conversions between the group coordinator's types and the wire messages, shared by the group
// request handlers.
#pragma once

#include <google/protobuf/repeated_ptr_field.h>

#include "broker/group/group_types.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

using WirePartitions = google::protobuf::RepeatedPtrField<proto::TopicPartitions>;

PartitionSet PartitionsFromProto(const WirePartitions& wire);
// One TopicPartitions per topic, topics and partitions in ascending order.
void PartitionsToProto(const PartitionSet& partitions, WirePartitions* out);

HeartbeatInput HeartbeatInputFromProto(const proto::ConsumerGroupHeartbeatRequest& request);
void HeartbeatOutputToProto(const HeartbeatOutput& output,
                            proto::ConsumerGroupHeartbeatResponse* out);

}  // namespace choreo::broker

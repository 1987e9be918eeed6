// Describing a topic on the wire (metadata and alter-topic responses).
#pragma once

#include "choreo/proto/choreo.pb.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

// Fills `out` with the topic's name, id, configuration and every partition's log start offset
// and high watermark (in-memory reads). If the topic vanished meanwhile, `out` carries the error
// and no partitions.
void FillTopicMetadata(const storage::LogStore& store, const storage::TopicInfo& topic,
                       proto::TopicMetadata* out);

}  // namespace choreo::broker

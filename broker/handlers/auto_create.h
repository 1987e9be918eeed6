// Topic auto-creation (--auto-create-topics): an unknown topic named by a produce or metadata
// request is created with the broker's default settings (--default-partitions,
// --default-retention-ms, --default-retention-bytes).
#pragma once

#include <optional>
#include <string>

#include "broker/handlers/request_context.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

// The configuration a topic gets when its creator leaves everything to the broker.
storage::TopicConfig DefaultTopicConfig(const BrokerOptions& options);

// If auto-creation is on and `name` is a valid topic name, creates the topic and returns it (also
// when a concurrent request created it first). nullopt if auto-creation is off, the name is
// invalid or creation failed (logged). Blocking: call on the storage pool.
std::optional<storage::TopicInfo> AutoCreateTopic(BrokerServices& services,
                                                  const std::string& name);

}  // namespace choreo::broker

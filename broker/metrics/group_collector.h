// Scrape-time consumer-group metrics: members per group (from the coordinator) and, per committed
// partition, the committed offset and the lag (log end offset minus committed offset, from the
// store). Groups that only have committed offsets (no live members) are included, with 0 members.
#pragma once

#include "broker/group/coordinator.h"
#include "broker/metrics/metrics.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

// `groups` and `store` are borrowed and must outlive every scrape. The collector reads committed
// offsets from RocksDB: it runs on the HTTP thread, never a network thread.
void RegisterGroupCollector(MetricsRegistry& registry, GroupCoordinator& groups,
                            const storage::LogStore& store);

}  // namespace choreo::broker

// The scrape-time collectors the broker registers: per-partition offsets, sizes and traffic, topic
// count, data directory size, RocksDB statistics and process metrics. Consumer-group metrics are
// registered by the group coordinator through the same MetricsRegistry::AddCollector hook.
#pragma once

#include <string>

#include "broker/metrics/broker_metrics.h"
#include "broker/topic/topic_table.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

// All arguments are borrowed and must outlive every scrape (the broker stops its HTTP server
// before destroying them).
void RegisterBrokerCollectors(BrokerMetrics& metrics, const TopicTable& topics,
                              const storage::LogStore& store, const std::string& data_dir);

}  // namespace choreo::broker

// Scrape-time saga metrics from the event index: choreo_sagas_open{saga} and
// choreo_sagas_stuck{saga} per saga definition, so an operator can alert on sagas that passed
// their deadline without a terminal event (`choreo saga stuck` lists them).
#pragma once

#include <absl/time/time.h>

#include "broker/metrics/metrics.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

// `store` is borrowed and must outlive every scrape. Counting scans the open sagas (RocksDB I/O on
// the HTTP thread, never a network thread), so the result is reused for `refresh` (scrapes every
// few seconds would otherwise rescan a large open set each time).
void RegisterSagaCollector(MetricsRegistry& registry, const storage::LogStore& store,
                           absl::Duration refresh = absl::Seconds(5));

}  // namespace choreo::broker

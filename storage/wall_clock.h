// The store's wall clock: StoreOptions::wall_clock_ms when a test set one, the system clock
// otherwise. Stamps producer activity (producer-id expiry).
#pragma once

#include <absl/time/clock.h>

#include <cstdint>

#include "choreo/storage/log_store.h"

namespace choreo::storage {

inline int64_t WallClockMs(const StoreOptions& options) {
  return options.wall_clock_ms ? options.wall_clock_ms() : absl::ToUnixMillis(absl::Now());
}

}  // namespace choreo::storage

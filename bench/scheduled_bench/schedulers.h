// Schedulers: threads that schedule records (Producer::Schedule), one Producer each. Schedule is
// one synchronous request (answered once the broker has stored the record), so the rate a run
// reaches is about threads / (round trip + the broker's durable write).
//
// Every record is numbered (its seq): its id is "<prefix><seq>", its key "saga-<seq>", and its
// value starts with its due time (int64 ms since the Unix epoch) and its seq (int64), which
// ScheduledReader reads back.
//
// Threading: Run() from one thread at a time; it blocks until the range is scheduled.
#pragma once

#include <absl/status/statusor.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/common/latency_histogram.h"
#include "choreo/client/producer.h"

namespace choreo::bench {

// The value bytes ScheduledReader needs: due_ms and seq.
inline constexpr size_t kScheduledHeaderBytes = 16;

struct ScheduleStats {
  int64_t scheduled = 0;
  int64_t already_scheduled = 0;  // answered already_scheduled (a retried request; ids are unique)
  int64_t failed = 0;
  std::string first_error;
  double seconds = 0;
  LatencyHistogram call_latency;  // one Schedule() call, request to answer
};

class Schedulers {
 public:
  // The due time (ms since the Unix epoch) of record `seq`, scheduled at `now_ms`.
  using DueFunction = std::function<int64_t(int64_t seq, int64_t now_ms)>;

  // Creates `threads` producers connected to `broker` (each opens its Schedule connection on the
  // first call).
  static absl::StatusOr<std::unique_ptr<Schedulers>> Create(const std::string& broker, int threads,
                                                            int value_bytes, std::string id_prefix);
  ~Schedulers();

  // Schedules records seq in [begin, end) to `topic`, spread over the threads, record i of the
  // range not before start + i / rate (rate 0: as fast as they go). Returns when all have been
  // answered.
  ScheduleStats Run(const std::string& topic, int64_t begin, int64_t end, double rate,
                    const DueFunction& due);

 private:
  Schedulers(int value_bytes, std::string id_prefix)
      : value_bytes_(value_bytes), id_prefix_(std::move(id_prefix)) {}
  void Work(size_t thread, std::chrono::steady_clock::time_point start, const std::string& topic,
            int64_t begin, int64_t end, double rate, const DueFunction& due, ScheduleStats& stats);

  const int value_bytes_;
  const std::string id_prefix_;
  std::vector<std::unique_ptr<Producer>> producers_;
  std::atomic<int64_t> next_{0};
  std::mutex mu_;  // guards the ScheduleStats merged at the end of Work()
};

// Milliseconds since the Unix epoch (the clock due times are on).
int64_t WallMs();
// Nanoseconds since the Unix epoch.
int64_t WallNanos();

}  // namespace choreo::bench

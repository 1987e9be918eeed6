#include "bench/scheduled_bench/schedulers.h"

#include <absl/strings/str_cat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <thread>

#include "bench/common/value_source.h"

namespace choreo::bench {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t WallNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::StatusOr<std::unique_ptr<Schedulers>> Schedulers::Create(const std::string& broker,
                                                               int threads, int value_bytes,
                                                               std::string id_prefix) {
  auto schedulers = std::unique_ptr<Schedulers>(
      new Schedulers(std::max<int>(value_bytes, kScheduledHeaderBytes), std::move(id_prefix)));
  for (int i = 0; i < threads; ++i) {
    ProducerOptions options{
        .client = {.broker = broker, .client_id = absl::StrCat("choreo-scheduled-bench-", i)}};
    options.delivery_timeout = std::chrono::seconds(60);
    Result<std::unique_ptr<Producer>> producer = Producer::Create(options);
    if (!producer.ok()) {
      return absl::UnavailableError(
          absl::StrCat("producer ", i, ": ", producer.status().ToString()));
    }
    schedulers->producers_.push_back(std::move(producer).value());
  }
  return schedulers;
}

Schedulers::~Schedulers() {
  for (std::unique_ptr<Producer>& producer : producers_)
    (void)producer->Close(std::chrono::seconds(5));  // nothing is in flight: Schedule blocks
}

ScheduleStats Schedulers::Run(const std::string& topic, int64_t begin, int64_t end, double rate,
                              const DueFunction& due) {
  ScheduleStats stats;
  next_.store(begin);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (size_t t = 0; t < producers_.size(); ++t) {
    threads.emplace_back([&, t] { Work(t, start, topic, begin, end, rate, due, stats); });
  }
  for (std::thread& thread : threads)
    thread.join();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

void Schedulers::Work(size_t thread, std::chrono::steady_clock::time_point start,
                      const std::string& topic, int64_t begin, int64_t end, double rate,
                      const DueFunction& due, ScheduleStats& stats) {
  Producer& producer = *producers_[thread];
  ValueSource values(static_cast<size_t>(value_bytes_), 0x9E3779B97F4A7C15ull * (thread + 1));
  ScheduleStats mine;
  for (int64_t seq = next_.fetch_add(1); seq < end; seq = next_.fetch_add(1)) {
    if (rate > 0) {
      std::this_thread::sleep_until(start +
                                    std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::duration<double>((seq - begin) / rate)));
    }
    const int64_t now_ms = WallMs();
    const int64_t due_ms = due(seq, now_ms);
    Record record{.key = absl::StrCat("saga-", seq),
                  .value = std::string(values.Next()),
                  .headers = {},
                  .timestamp_ms = 0};
    std::memcpy(record.value.data(), &due_ms, sizeof(due_ms));
    std::memcpy(record.value.data() + sizeof(due_ms), &seq, sizeof(seq));
    const auto called = std::chrono::steady_clock::now();
    Result<ScheduledRecord> scheduled =
        producer.Schedule(absl::StrCat(id_prefix_, seq),
                          std::chrono::system_clock::time_point(std::chrono::milliseconds(due_ms)),
                          topic, std::move(record));
    mine.call_latency.Record(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                 std::chrono::steady_clock::now() - called)
                                 .count());
    if (!scheduled.ok()) {
      ++mine.failed;
      if (mine.first_error.empty()) mine.first_error = scheduled.status().ToString();
    } else if (scheduled->already_scheduled) {
      ++mine.already_scheduled;
    } else {
      ++mine.scheduled;
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  stats.scheduled += mine.scheduled;
  stats.already_scheduled += mine.already_scheduled;
  stats.failed += mine.failed;
  if (stats.first_error.empty()) stats.first_error = mine.first_error;
  stats.call_latency.Merge(mine.call_latency);
}

}  // namespace choreo::bench

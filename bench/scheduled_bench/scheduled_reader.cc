#include "bench/scheduled_bench/scheduled_reader.h"

#include <absl/strings/str_cat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>

#include "bench/scheduled_bench/schedulers.h"
#include "choreo/client/consumer.h"

namespace choreo::bench {

ScheduledReader::ScheduledReader(std::string broker, std::string topic, uint32_t partitions,
                                 int64_t first, int64_t last)
    : broker_(std::move(broker)),
      topic_(std::move(topic)),
      partitions_(partitions),
      first_(first),
      last_(last),
      seen_(static_cast<size_t>(last - first), 0) {
  report_.expected = last - first;
}

ScheduledReader::~ScheduledReader() {
  Stop();
}

absl::Status ScheduledReader::Start() {
  ConsumerOptions options;
  options.client = {.broker = broker_, .client_id = "choreo-scheduled-bench-reader"};
  options.max_wait = std::chrono::milliseconds(100);
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
  if (!consumer.ok()) return absl::UnavailableError(consumer.status().ToString());
  std::vector<PartitionAssignment> assignments;
  for (uint32_t p = 0; p < partitions_; ++p) {
    assignments.push_back(
        {.partition = {topic_, p}, .offset = std::nullopt, .start_from = StartFrom::kEarliest});
  }
  if (Status s = (*consumer)->Assign(assignments); !s.ok()) {
    return absl::UnavailableError(s.ToString());
  }
  thread_ = std::thread([this, c = std::shared_ptr<Consumer>(std::move(consumer).value())] {
    while (!stop_.load(std::memory_order_relaxed)) {
      Result<std::vector<ConsumedRecord>> records = c->Poll(std::chrono::milliseconds(100));
      if (!records.ok() || records->empty()) continue;
      const int64_t now_ns = WallNanos();
      for (const ConsumedRecord& r : *records) {
        int64_t due_ms = 0;
        int64_t seq = -1;
        if (r.record.value.size() >= kScheduledHeaderBytes) {
          std::memcpy(&due_ms, r.record.value.data(), sizeof(due_ms));
          std::memcpy(&seq, r.record.value.data() + sizeof(due_ms), sizeof(seq));
        }
        if (seq < first_ || seq >= last_) {
          ++report_.unexpected;
          continue;
        }
        uint8_t& seen = seen_[static_cast<size_t>(seq - first_)];
        if (seen != 0) {
          ++report_.duplicates;
          continue;
        }
        seen = 1;
        received_.fetch_add(1, std::memory_order_relaxed);
        report_.last_arrival_ns = now_ns;
        const int64_t late_ns = now_ns - due_ms * 1'000'000;
        if (late_ns < 0) ++report_.early;
        if (late_ns > 100'000'000) ++report_.late;
        report_.lateness.Record(std::max<int64_t>(late_ns, 0));
      }
    }
    // Assigned partitions, no group: there is nothing to commit, so nothing a failure could lose.
    c->Close().IgnoreError();
  });
  return absl::OkStatus();
}

bool ScheduledReader::WaitForAll(double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (received() < last_ - first_ && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return received() == last_ - first_;
}

void ScheduledReader::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

ArrivalReport ScheduledReader::Report() const {
  ArrivalReport report = report_;
  report.received = received();
  report.missing = report.expected - report.received;
  return report;
}

}  // namespace choreo::bench

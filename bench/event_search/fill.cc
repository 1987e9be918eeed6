#include "fill.h"

#include <absl/strings/str_format.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <semaphore>
#include <thread>

#include "bench/common/saga_envelope_source.h"
#include "choreo/client/producer.h"

namespace choreo::bench {
namespace {

// Records sent and not yet acknowledged, at most: bounds this process's memory.
constexpr std::ptrdiff_t kWindow = 100000;

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t NextRandom(uint64_t& state) {  // xorshift64*
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}

// Keeps a uniform sample of `capacity` of the values offered (Algorithm R).
class Reservoir {
 public:
  Reservoir(size_t capacity, std::vector<std::string>& out, uint64_t seed)
      : capacity_(capacity), out_(out), state_(seed | 1) {}
  void Offer(std::string_view value) {
    ++seen_;
    if (out_.size() < capacity_) {
      out_.emplace_back(value);
      return;
    }
    const uint64_t slot = NextRandom(state_) % seen_;
    if (slot < capacity_) out_[slot].assign(value);
  }

 private:
  size_t capacity_;
  std::vector<std::string>& out_;
  uint64_t state_;
  uint64_t seen_ = 0;
};

// A value of `bytes` random letters and digits, from a pool (as choreo-bench's values, so
// RocksDB's compression finds nothing to flatter).
class Payloads {
 public:
  explicit Payloads(size_t bytes) : bytes_(bytes) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    pool_.resize(kPool + bytes);
    for (char& c : pool_)
      c = kAlphabet[NextRandom(state_) % kAlphabet.size()];
  }
  std::string Next() { return pool_.substr(NextRandom(state_) % kPool, bytes_); }

 private:
  static constexpr size_t kPool = 8 << 20;
  size_t bytes_;
  uint64_t state_ = 0x2545F4914F6CDD1Dull;
  std::string pool_;
};

}  // namespace

Result<FillResult> FillTopic(const SearchBenchOptions& options, size_t samples) {
  ProducerOptions producer_options;
  producer_options.client.broker = options.broker;
  producer_options.client.client_id = "choreo-event-search-fill";
  auto producer = Producer::Create(producer_options);
  if (!producer.ok()) return producer.status();

  struct Acks {
    std::atomic<int64_t> ok{0};
    std::atomic<int64_t> failed{0};
    std::counting_semaphore<kWindow> window{kWindow};
  } acks;
  FillResult result;
  Reservoir sagas(samples, result.saga_ids, 0x51);
  Reservoir events(samples, result.event_ids, 0x52);
  SagaEnvelopeSource envelopes(0x9E3779B97F4A7C15ull, options.saga_events);
  Payloads payloads(static_cast<size_t>(options.value_bytes));

  const auto start = std::chrono::steady_clock::now();
  auto last_report = start;
  int64_t last_acked = 0, sent_bytes = 0, now_ms = 0;
  for (int64_t i = 0; i < options.records; ++i) {
    if (i % 64 == 0) {
      now_ms = WallMillis();  // ce_time: exact to well under a millisecond at these rates
      const auto now = std::chrono::steady_clock::now();
      if (now - last_report >= std::chrono::seconds(1)) {
        const int64_t acked = acks.ok;
        std::cerr << absl::StrFormat(
            "[fill %4.0fs] %10d records acknowledged, %8.0f rec/s\n",
            std::chrono::duration<double>(now - start).count(), acked,
            (acked - last_acked) / std::chrono::duration<double>(now - last_report).count());
        last_report = now;
        last_acked = acked;
      }
    }
    Record record;
    SagaEventInfo info = envelopes.Next(now_ms, record);
    if (i == 0) result.first_time_ms = now_ms;
    result.last_time_ms = now_ms;
    if (info.index_in_saga == 0) sagas.Offer(info.saga_id);
    events.Offer(info.event_id);
    record.value = payloads.Next();
    sent_bytes += RecordPayloadBytes(record);
    acks.window.acquire();
    (*producer)->Send(options.topic, std::move(record), std::nullopt,
                      [a = &acks](const Result<RecordMetadata>& r) {
                        (r.ok() ? a->ok : a->failed).fetch_add(1, std::memory_order_relaxed);
                        a->window.release();
                      });
  }
  Status closed = (*producer)->Close(std::chrono::seconds(120));
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.produced = acks.ok;
  result.errors = acks.failed;
  if (options.records > 0) result.record_bytes = static_cast<double>(sent_bytes) / options.records;
  if (!closed.ok()) return closed;
  return result;
}

}  // namespace choreo::bench

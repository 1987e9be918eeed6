#include "workload.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <semaphore>
#include <thread>
#include <vector>

#include "bench/common/saga_envelope_source.h"
#include "bench/common/value_source.h"
#include "choreo/client/consumer.h"
#include "choreo/client/producer.h"

namespace choreo::bench {
namespace {

// Records a producer may have sent but not yet seen acknowledged; bounds the bench's own memory
// whatever the producer's buffering does.
constexpr std::ptrdiff_t kMaxInFlightRecords = 200000;
// Unpaced producers read the clock for the send time once per this many records.
constexpr int64_t kClockInterval = 16;

ClientOptions ClientFor(const BenchOptions& options, const std::string& role, int index) {
  ClientOptions client;
  client.broker = options.broker;
  client.tls = options.tls;
  client.client_id = "choreo-bench-" + role + "-" + std::to_string(index);
  return client;
}

int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Status RunProducer(const BenchOptions& options, int index, int64_t quota, double rate,
                   const std::atomic<bool>& stop, RunStats& stats) {
  ProducerOptions producer_options;
  producer_options.client = ClientFor(options, "producer", index);
  producer_options.batch_bytes = options.batch_bytes;
  producer_options.linger = std::chrono::milliseconds(options.linger_ms);
  producer_options.adaptive_linger = options.adaptive_linger;
  if (options.compression == "lz4") {
    producer_options.compression = Compression::kLz4;
  } else if (options.compression == "zstd") {
    producer_options.compression = Compression::kZstd;
  } else if (options.compression != "none") {
    return Status(ErrorCode::kInvalidArgument,
                  "--compression must be none, lz4 or zstd, not '" + options.compression + "'");
  }
  // What each send callback needs, captured by one pointer (it outlives the producer): a callback
  // capturing more than two pointers no longer fits std::function's inline buffer and costs an
  // allocation per record.
  struct Acknowledger {
    RunStats& stats;
    int value_bytes;
    std::counting_semaphore<kMaxInFlightRecords> window{kMaxInFlightRecords};

    void Acknowledged(bool ok) {
      if (ok) {
        stats.produced.fetch_add(1, std::memory_order_relaxed);
        stats.produced_bytes.fetch_add(value_bytes, std::memory_order_relaxed);
      } else {
        stats.produce_errors.fetch_add(1, std::memory_order_relaxed);
      }
      window.release();
    }
  } ack{stats, std::max(options.record_bytes, 8)};
  auto producer = Producer::Create(producer_options);
  if (!producer.ok()) return producer.status();

  uint64_t random_state = 0x9E3779B97F4A7C15ull * (index + 1);
  const auto start = std::chrono::steady_clock::now();
  const int value_bytes = ack.value_bytes;
  bench::ValueSource values(static_cast<size_t>(value_bytes), random_state);
  std::optional<SagaEnvelopeSource> envelopes;
  if (options.envelope) envelopes.emplace(random_state ^ 0xA5A5A5A5u, options.saga_events);
  int64_t sent_at = 0;
  int64_t now_ms = 0;  // ce_time, read with sent_at
  int64_t sent = 0, sent_bytes = 0;
  bool waited = true;  // the last send waited for the window: read the clock afresh
  for (int64_t i = 0; (quota == 0 || i < quota) && !stop.load(std::memory_order_relaxed); ++i) {
    if (rate > 0) {
      const auto due = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(i / rate));
      std::this_thread::sleep_until(due);
    }
    // Unpaced, records go out well under a microsecond apart, so the clock is read every
    // kClockInterval records (a read per record was a visible share of the bench's own CPU); the
    // stamps are then early by microseconds at most, which can only add to the measured latency.
    if (rate > 0 || waited || i % kClockInterval == 0) {
      sent_at = NowNanos();
      if (envelopes) now_ms = WallMillis();
    }
    Record record;
    if (envelopes) {
      envelopes->Next(now_ms, record);
    } else if (options.key_cardinality > 0) {
      record.key =
          "key-" + std::to_string(bench::NextRandom(random_state) % options.key_cardinality);
    }
    record.value = values.Next();
    std::memcpy(record.value.data(), &sent_at, sizeof(sent_at));
    ++sent;
    sent_bytes += RecordPayloadBytes(record);
    waited = !ack.window.try_acquire();
    if (waited) ack.window.acquire();
    if (options.trace) {
      // The send time in the callback costs an allocation per record: only when tracing.
      (*producer)->Send(options.topic, std::move(record), std::nullopt,
                        [a = &ack, sent_at](const Result<RecordMetadata>& result) {
                          if (result.ok()) {
                            const int64_t rtt = NowNanos() - sent_at;
                            std::lock_guard<std::mutex> lock(a->stats.latency_mu);
                            a->stats.ack_latency.Record(rtt);
                          }
                          a->Acknowledged(result.ok());
                        });
      continue;
    }
    (*producer)->Send(
        options.topic, std::move(record), std::nullopt,
        [a = &ack](const Result<RecordMetadata>& result) { a->Acknowledged(result.ok()); });
  }
  stats.sent.fetch_add(sent, std::memory_order_relaxed);
  stats.sent_record_bytes.fetch_add(sent_bytes, std::memory_order_relaxed);
  return (*producer)->Close(std::chrono::seconds(60));
}

Status RunConsumer(const BenchOptions& options, int index, bool from_beginning,
                   bool measure_latency, const std::atomic<bool>& stop, RunStats& stats) {
  ConsumerOptions consumer_options;
  consumer_options.client = ClientFor(options, "consumer", index);
  consumer_options.max_wait = std::chrono::milliseconds(100);
  auto consumer = Consumer::Create(consumer_options);
  if (!consumer.ok()) return consumer.status();
  std::vector<PartitionAssignment> assignments;
  for (uint32_t p = 0; p < options.partitions; ++p) {
    if (static_cast<int>(p % options.consumers) != index) continue;
    assignments.push_back(
        {.partition = {options.topic, p},
         .offset = std::nullopt,
         .start_from = from_beginning ? StartFrom::kEarliest : StartFrom::kLatest});
  }
  if (assignments.empty()) return OkStatus();
  if (Status s = (*consumer)->Assign(assignments); !s.ok()) return s;

  LatencyHistogram local;
  while (!stop.load(std::memory_order_relaxed)) {
    auto records = (*consumer)->Poll(std::chrono::milliseconds(200));
    if (!records.ok()) {
      stats.consume_errors.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (records->empty()) continue;
    const int64_t now = NowNanos();
    int64_t bytes = 0;
    for (const ConsumedRecord& r : *records) {
      bytes += static_cast<int64_t>(r.record.value.size());
      if (measure_latency && r.record.value.size() >= sizeof(int64_t)) {
        int64_t sent_at;
        std::memcpy(&sent_at, r.record.value.data(), sizeof(sent_at));
        local.Record(now - sent_at);
      }
    }
    if (measure_latency) {
      std::lock_guard<std::mutex> lock(stats.latency_mu);
      stats.latency.Merge(local);
      stats.latency_interval.Merge(local);
    }
    local.Reset();
    stats.consumed.fetch_add(static_cast<int64_t>(records->size()), std::memory_order_relaxed);
    stats.consumed_bytes.fetch_add(bytes, std::memory_order_relaxed);
  }
  // A failed close (its final commit) is reported with the consume errors; the figures stand.
  if (!(*consumer)->Close().ok()) stats.consume_errors.fetch_add(1, std::memory_order_relaxed);
  return OkStatus();
}

}  // namespace choreo::bench

// Metrics in Prometheus' model: counters, gauges and histograms, grouped in families with labels,
// rendered in the Prometheus text exposition format (version 0.0.4).
//
// Hot-path updates are lock-free (relaxed atomics on a metric the caller keeps a pointer to); only
// creating a labelled child and rendering take the registry's mutex. Values that are cheaper to
// compute at scrape time (offsets, lag, RocksDB properties) come from collectors.
//
// Ownership: the registry owns every metric; pointers it hands out stay valid for its lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/common/mutex.h"

namespace choreo::broker {

// Label values in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Cumulative-bucket histogram of a value in base units (seconds, bytes, records).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  // Per-bucket (not cumulative) counts; the last is the +Inf bucket.
  std::vector<uint64_t> bucket_counts() const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micro_{0};  // sum in millionths, so it can be an integer atomic
};

// Default buckets: request and fsync latencies from 50 µs to 10 s.
std::vector<double> LatencyBucketsSeconds();
// Finer buckets for the hops of a record's way through the broker: 5 µs to 100 ms.
std::vector<double> HopBucketsSeconds();
// Powers of 4 from 1 to 4^12: batch sizes in bytes or records.
std::vector<double> SizeBuckets();

// Writes samples for collectors; names and labels are checked like registered families.
class SampleWriter {
 public:
  virtual ~SampleWriter() = default;
  // Starts a family (HELP/TYPE lines); `type` is "gauge" or "counter".
  virtual void Family(std::string_view name, std::string_view type, std::string_view help) = 0;
  virtual void Sample(std::string_view name,
                      const std::vector<std::pair<std::string, std::string>>& labels,
                      double value) = 0;
};

class MetricsRegistry {
 public:
  using Collector = std::function<void(SampleWriter&)>;

  // Family accessors create the family on first use; later calls with the same name must pass the
  // same label names. `labels` must match the family's label names in number.
  Counter* GetCounter(std::string_view name, std::string_view help,
                      const std::vector<std::string>& label_names = {},
                      const LabelValues& labels = {});
  Gauge* GetGauge(std::string_view name, std::string_view help,
                  const std::vector<std::string>& label_names = {}, const LabelValues& labels = {});
  Histogram* GetHistogram(std::string_view name, std::string_view help,
                          std::vector<double> upper_bounds,
                          const std::vector<std::string>& label_names = {},
                          const LabelValues& labels = {});

  // Runs at every scrape, after the registered families.
  void AddCollector(Collector collector);

  std::string RenderPrometheusText() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type = Type::kCounter;
    std::string help;
    std::vector<std::string> label_names;
    std::map<LabelValues, std::unique_ptr<Counter>> counters;
    std::map<LabelValues, std::unique_ptr<Gauge>> gauges;
    std::map<LabelValues, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(std::string_view name, Type type, std::string_view help,
                    const std::vector<std::string>& label_names) CHOREO_REQUIRES(mu_);

  // choreo::Mutex, not absl::Mutex: Debian's abseil is not TSan-instrumented.
  mutable Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ CHOREO_GUARDED_BY(mu_);
  std::vector<Collector> collectors_ CHOREO_GUARDED_BY(mu_);
};

// Escapes a label value for the text format (backslash, double quote, newline).
std::string EscapeLabelValue(std::string_view value);

// The histogram of one hop of `choreo_hop_duration_seconds` (see metrics.cc for the hops).
Histogram* HopHistogram(MetricsRegistry& registry, std::string_view hop);

}  // namespace choreo::broker

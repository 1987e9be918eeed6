// A log-linear latency histogram (in the spirit of HdrHistogram): values are bucketed with a
// relative error below 1/64 (~1.6%), from 1 µs to about 1 hour, in a fixed 2.3k-entry array.
// Recording is wait-free for one writer; merge per-thread histograms for a report.
#pragma once

#include <array>
#include <cstdint>

namespace choreo::bench {

class LatencyHistogram {
 public:
  void Record(int64_t nanos);
  void Merge(const LatencyHistogram& other);
  void Reset() { *this = LatencyHistogram(); }

  uint64_t count() const { return count_; }
  int64_t max_nanos() const { return max_; }
  // The smallest recorded value v such that at least `quantile` of values are <= v (upper bucket
  // bound, so never an underestimate beyond bucket resolution). 0 when empty.
  int64_t PercentileNanos(double quantile) const;

 private:
  static constexpr int kSubBucketBits = 6;  // 64 sub-buckets per power of two
  static constexpr int kExponents = 36;     // 1 µs << 36 ≈ 19 hours
  static constexpr int kBuckets = kExponents << kSubBucketBits;

  static int BucketOf(int64_t micros);
  static int64_t UpperBoundMicros(int bucket);

  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace choreo::bench

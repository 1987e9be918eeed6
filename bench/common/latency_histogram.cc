#include "bench/common/latency_histogram.h"

#include <algorithm>
#include <bit>

namespace choreo::bench {

int LatencyHistogram::BucketOf(int64_t micros) {
  if (micros < (1 << kSubBucketBits)) return static_cast<int>(std::max<int64_t>(micros, 0));
  const int exponent = std::bit_width(static_cast<uint64_t>(micros)) - 1 - kSubBucketBits;
  const int sub = static_cast<int>(micros >> exponent) - (1 << kSubBucketBits);
  const int bucket = ((exponent + 1) << kSubBucketBits) + sub;
  return std::min(bucket, kBuckets - 1);
}

int64_t LatencyHistogram::UpperBoundMicros(int bucket) {
  if (bucket < (1 << kSubBucketBits)) return bucket;
  const int exponent = (bucket >> kSubBucketBits) - 1;
  const int64_t sub = (bucket & ((1 << kSubBucketBits) - 1)) + (1 << kSubBucketBits);
  return ((sub + 1) << exponent) - 1;
}

void LatencyHistogram::Record(int64_t nanos) {
  ++buckets_[BucketOf(nanos / 1000)];
  ++count_;
  max_ = std::max(max_, nanos);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i)
    buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::PercentileNanos(double quantile) const {
  if (count_ == 0) return 0;
  const auto target = static_cast<uint64_t>(quantile * static_cast<double>(count_) + 0.5);
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= std::max<uint64_t>(target, 1)) {
      return std::min(UpperBoundMicros(i) * 1000 + 999, max_);
    }
  }
  return max_;
}

}  // namespace choreo::bench

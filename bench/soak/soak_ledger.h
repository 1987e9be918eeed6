// What the soak run's producers were told and what its consumer group saw, per record: the
// evidence for "nothing acknowledged was lost" and "per-key order kept" after hours of restarts.
//
// Records are identified by (key index, sequence per key). Memory is one byte per record sent
// (about 9 MB for 30 minutes at 5,000 records/s) plus a small map per (partition, key).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace choreo::soak {

// "k<key>" and "k<key>:<seq>:" followed by padding: what the soak producer sends.
std::string RecordKey(int key);
std::string RecordValuePrefix(int key, int64_t seq);
// The (key, seq) of a soak record's value; nullopt for anything else.
std::optional<std::pair<int, int64_t>> ParseRecordValue(std::string_view value);

class SoakLedger {
 public:
  explicit SoakLedger(int keys);

  // Producer side: the next sequence of `key` (0, 1, 2, ...), then the record's outcome.
  int64_t NextSeq(int key);
  void Acked(int key, int64_t seq);
  void Failed(int key, int64_t seq);

  // Consumer side: a record at (partition, offset). Redeliveries (at-least-once after a
  // rebalance or restart) are counted, not errors; a record whose sequence is lower than that of
  // an earlier offset of the same key and partition is an order violation.
  void Consumed(uint32_t partition, int64_t offset, int key, int64_t seq);

  // Acknowledged records the group has not seen yet.
  int64_t AckedNotConsumed() const;

  struct Summary {
    int64_t sent = 0;
    int64_t acked = 0;
    int64_t failed = 0;       // reported failed to the producer (allowed: not acknowledged)
    int64_t consumed = 0;     // distinct records the group saw
    int64_t redelivered = 0;  // records seen again
    int64_t lost = 0;         // acknowledged and never consumed
    int64_t unknown = 0;      // consumed but never sent by this run
    int64_t order_violations = 0;
    std::vector<std::string> examples;  // a few of the lost/unknown/out-of-order, for the report
  };
  Summary Summarize() const;

 private:
  enum : uint8_t { kSent = 1, kAcked = 2, kFailed = 4, kConsumed = 8 };

  mutable std::mutex mu_;
  std::vector<std::vector<uint8_t>> states_;  // [key][seq]
  std::map<std::pair<uint32_t, int>, std::pair<int64_t, int64_t>>
      last_;  // (partition, key) -> (offset, seq)
  int64_t acked_not_consumed_ = 0;
  int64_t redelivered_ = 0;
  int64_t unknown_ = 0;
  int64_t order_violations_ = 0;
  std::vector<std::string> examples_;
};

}  // namespace choreo::soak

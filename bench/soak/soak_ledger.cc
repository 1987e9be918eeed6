#include "bench/soak/soak_ledger.h"

#include <absl/strings/str_cat.h>

#include <charconv>

namespace choreo::soak {
namespace {
constexpr size_t kMaxExamples = 10;
}

std::string RecordKey(int key) {
  return absl::StrCat("k", key);
}

std::string RecordValuePrefix(int key, int64_t seq) {
  return absl::StrCat("k", key, ":", seq, ":");
}

std::optional<std::pair<int, int64_t>> ParseRecordValue(std::string_view value) {
  if (value.empty() || value[0] != 'k') return std::nullopt;
  const size_t first = value.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = value.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  int key = 0;
  int64_t seq = 0;
  const char* begin = value.data();
  const auto key_end = std::from_chars(begin + 1, begin + first, key);
  const auto seq_end = std::from_chars(begin + first + 1, begin + second, seq);
  if (key_end.ec != std::errc() || key_end.ptr != begin + first || seq_end.ec != std::errc() ||
      seq_end.ptr != begin + second || key < 0 || seq < 0) {
    return std::nullopt;
  }
  return std::make_pair(key, seq);
}

SoakLedger::SoakLedger(int keys) : states_(static_cast<size_t>(keys)) {}

int64_t SoakLedger::NextSeq(int key) {
  std::lock_guard lock(mu_);
  auto& states = states_[static_cast<size_t>(key)];
  states.push_back(kSent);
  return static_cast<int64_t>(states.size()) - 1;
}

void SoakLedger::Acked(int key, int64_t seq) {
  std::lock_guard lock(mu_);
  uint8_t& state = states_[static_cast<size_t>(key)][static_cast<size_t>(seq)];
  state |= kAcked;
  if (!(state & kConsumed)) ++acked_not_consumed_;
}

void SoakLedger::Failed(int key, int64_t seq) {
  std::lock_guard lock(mu_);
  states_[static_cast<size_t>(key)][static_cast<size_t>(seq)] |= kFailed;
}

void SoakLedger::Consumed(uint32_t partition, int64_t offset, int key, int64_t seq) {
  std::lock_guard lock(mu_);
  if (key >= static_cast<int>(states_.size()) ||
      seq >= static_cast<int64_t>(states_[static_cast<size_t>(key)].size())) {
    ++unknown_;
    if (examples_.size() < kMaxExamples) {
      examples_.push_back(
          absl::StrCat("never sent: k", key, ":", seq, " at ", partition, "@", offset));
    }
    return;
  }
  uint8_t& state = states_[static_cast<size_t>(key)][static_cast<size_t>(seq)];
  if (state & kConsumed) {
    ++redelivered_;
  } else {
    state |= kConsumed;
    if (state & kAcked) --acked_not_consumed_;
  }
  auto [it, inserted] = last_.try_emplace({partition, key}, offset, seq);
  if (inserted) return;
  auto& [last_offset, last_seq] = it->second;
  if (offset <= last_offset) return;  // a redelivery of an earlier stretch of the log
  if (seq < last_seq) {
    ++order_violations_;
    if (examples_.size() < kMaxExamples) {
      examples_.push_back(absl::StrCat("out of order: k", key, ":", seq, " at ", partition, "@",
                                       offset, " after seq ", last_seq, " at offset ",
                                       last_offset));
    }
  }
  last_offset = offset;
  last_seq = seq;
}

int64_t SoakLedger::AckedNotConsumed() const {
  std::lock_guard lock(mu_);
  return acked_not_consumed_;
}

SoakLedger::Summary SoakLedger::Summarize() const {
  std::lock_guard lock(mu_);
  Summary s;
  s.redelivered = redelivered_;
  s.unknown = unknown_;
  s.order_violations = order_violations_;
  s.examples = examples_;
  for (size_t key = 0; key < states_.size(); ++key) {
    for (size_t seq = 0; seq < states_[key].size(); ++seq) {
      const uint8_t state = states_[key][seq];
      ++s.sent;
      if (state & kAcked) ++s.acked;
      if (state & kFailed) ++s.failed;
      if (state & kConsumed) ++s.consumed;
      if ((state & kAcked) && !(state & kConsumed)) {
        ++s.lost;
        if (s.examples.size() < kMaxExamples) {
          s.examples.push_back(absl::StrCat("acknowledged, never consumed: k", key, ":", seq));
        }
      }
    }
  }
  return s;
}

}  // namespace choreo::soak

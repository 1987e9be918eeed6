#include "completion_ledger.h"

namespace choreo::bench {

CompletionLedger::CompletionLedger() = default;

CompletionLedger::~CompletionLedger() {
  for (auto& chunk : chunks_)
    delete[] chunk.load(std::memory_order_relaxed);
}

void CompletionLedger::SetWindow(int64_t start_ns, int64_t end_ns) {
  window_start_ns_ = start_ns;
  window_end_ns_ = end_ns;
}

void CompletionLedger::Register(uint64_t seq) {
  const uint64_t chunk = seq >> kChunkBits;
  if (chunk >= kMaxChunks || chunks_[chunk].load(std::memory_order_relaxed) != nullptr) return;
  auto* slots = new std::atomic<uint32_t>[kChunkSize];
  for (uint64_t i = 0; i < kChunkSize; ++i)
    slots[i].store(0, std::memory_order_relaxed);
  chunks_[chunk].store(slots, std::memory_order_release);
}

std::atomic<uint32_t>* CompletionLedger::Slot(uint64_t seq) const {
  const uint64_t chunk = seq >> kChunkBits;
  if (chunk >= kMaxChunks) return nullptr;
  std::atomic<uint32_t>* slots = chunks_[chunk].load(std::memory_order_acquire);
  return slots == nullptr ? nullptr : &slots[seq & (kChunkSize - 1)];
}

uint32_t CompletionLedger::Complete(uint64_t seq, int64_t scheduled_ns, int64_t now_ns) {
  std::atomic<uint32_t>* slot = Slot(seq);
  if (slot == nullptr) {
    unknown_.fetch_add(1, std::memory_order_relaxed);
    return 0;
  }
  const uint32_t times = slot->fetch_add(1, std::memory_order_relaxed) + 1;
  if (times > 1) {
    repeated_.fetch_add(1, std::memory_order_relaxed);
    return times;
  }
  completed_.fetch_add(1, std::memory_order_relaxed);
  if (now_ns >= window_start_ns_ && now_ns < window_end_ns_) {
    in_window_.fetch_add(1, std::memory_order_relaxed);
  }
  const bool measured = scheduled_ns >= window_start_ns_ && scheduled_ns < window_end_ns_;
  std::lock_guard lock(latency_mu_);
  interval_latency_.Record(now_ns - scheduled_ns);
  if (measured) window_latency_.Record(now_ns - scheduled_ns);
  return times;
}

void CompletionLedger::RecordStage(int stage, int64_t scheduled_ns, int64_t now_ns) {
  if (stage < 0 || stage >= static_cast<int>(stage_latency_.size())) return;
  if (scheduled_ns < window_start_ns_ || scheduled_ns >= window_end_ns_) return;
  std::lock_guard lock(latency_mu_);
  stage_latency_[stage].Record(now_ns - scheduled_ns);
}

std::array<LatencyHistogram, 2> CompletionLedger::StageLatency() const {
  std::lock_guard lock(latency_mu_);
  return stage_latency_;
}

LatencyHistogram CompletionLedger::WindowLatency() const {
  std::lock_guard lock(latency_mu_);
  return window_latency_;
}

LatencyHistogram CompletionLedger::TakeInterval() {
  std::lock_guard lock(latency_mu_);
  LatencyHistogram interval = interval_latency_;
  interval_latency_.Reset();
  return interval;
}

uint32_t CompletionLedger::Count(uint64_t seq) const {
  const std::atomic<uint32_t>* slot = Slot(seq);
  return slot == nullptr ? 0 : slot->load(std::memory_order_relaxed);
}

}  // namespace choreo::bench

#include "client/consumer/fetcher.h"

#include <algorithm>
#include <utility>

#include "client/fetch_decoder.h"
#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

// Approximate memory of a buffered record, for the prefetch bound.
uint64_t RecordBytes(const ConsumedRecord& r) {
  uint64_t bytes = 32 + r.record.key.size() + r.record.value.size();
  for (const Header& h : r.record.headers)
    bytes += h.key.size() + h.value.size();
  return bytes;
}

std::string Describe(const TopicPartition& tp) {
  return tp.topic + "/" + std::to_string(tp.partition);
}

}  // namespace

Fetcher::Fetcher(const FetcherOptions& options, ConnectionHolder& connections)
    : options_(options), connections_(connections) {}

Fetcher::~Fetcher() {
  MutexLock lock(&mu_);
  while (in_flight_requests_ > 0)
    changed_.Wait(&mu_);
}

void Fetcher::Seek(const TopicPartition& tp, int64_t offset, std::optional<StartFrom> auto_reset) {
  MutexLock lock(&mu_);
  PartitionState& state = partitions_[tp];
  buffered_bytes_ -= state.buffered_bytes;
  const bool paused = state.paused;
  state = PartitionState{};
  state.position = offset;
  state.fetch_offset = offset;
  state.generation = next_generation_++;
  state.paused = paused;
  state.auto_reset = auto_reset;
}

void Fetcher::Remove(const std::vector<TopicPartition>& partitions) {
  MutexLock lock(&mu_);
  for (const TopicPartition& tp : partitions) {
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    buffered_bytes_ -= it->second.buffered_bytes;
    partitions_.erase(it);
  }
}

void Fetcher::RemoveAll() {
  MutexLock lock(&mu_);
  partitions_.clear();
  buffered_bytes_ = 0;
}

void Fetcher::SetPaused(const TopicPartition& tp, bool paused) {
  MutexLock lock(&mu_);
  auto it = partitions_.find(tp);
  if (it != partitions_.end()) it->second.paused = paused;
}

bool Fetcher::Contains(const TopicPartition& tp) const {
  MutexLock lock(&mu_);
  return partitions_.count(tp) > 0;
}

std::optional<int64_t> Fetcher::Position(const TopicPartition& tp) const {
  MutexLock lock(&mu_);
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  return it->second.position;
}

std::map<TopicPartition, int64_t> Fetcher::Positions() const {
  MutexLock lock(&mu_);
  std::map<TopicPartition, int64_t> out;
  for (const auto& [tp, state] : partitions_)
    out[tp] = state.position;
  return out;
}

std::vector<TopicPartition> Fetcher::Partitions() const {
  MutexLock lock(&mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : partitions_)
    out.push_back(tp);
  return out;
}

std::vector<TopicPartition> Fetcher::Paused() const {
  MutexLock lock(&mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : partitions_) {
    if (state.paused) out.push_back(tp);
  }
  return out;
}

Result<std::vector<ConsumedRecord>> Fetcher::Take(size_t max_records) {
  MutexLock lock(&mu_);
  std::vector<ConsumedRecord> out;
  if (partitions_.empty()) return out;
  size_t available = 0;
  for (const auto& [tp, state] : partitions_)
    available += state.paused ? 0 : state.records.size();
  out.reserve(std::min(available, max_records));
  // Start at a rotating partition so that a busy one does not starve the others.
  const size_t start = take_cursor_++ % partitions_.size();
  auto it = partitions_.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(start));
  for (size_t visited = 0; visited < partitions_.size() && out.size() < max_records; ++visited) {
    PartitionState& state = it->second;
    while (!state.paused && !state.records.empty() && out.size() < max_records) {
      ConsumedRecord& record = state.records.front();
      const uint64_t bytes = RecordBytes(record);
      state.buffered_bytes -= bytes;
      buffered_bytes_ -= bytes;
      state.position = record.offset + 1;
      out.push_back(std::move(record));
      state.records.pop_front();
    }
    if (++it == partitions_.end()) it = partitions_.begin();
  }
  if (!out.empty()) return out;
  for (auto& [tp, state] : partitions_) {
    if (!state.paused && !state.error.ok()) return std::exchange(state.error, Status());
  }
  return out;
}

bool Fetcher::ReadyLocked() const {
  for (const auto& [tp, state] : partitions_) {
    if (!state.paused && (!state.records.empty() || !state.error.ok())) return true;
  }
  return false;
}

bool Fetcher::Wait(Clock::time_point deadline) {
  const bool sent = SendFetches();
  // Without a connection nothing will signal; look again soon.
  if (!sent) deadline = std::min(deadline, Clock::now() + std::chrono::milliseconds(100));
  MutexLock lock(&mu_);
  if (!ReadyLocked() && !woken_) changed_.WaitUntil(&mu_, deadline);
  woken_ = false;
  return sent;
}

void Fetcher::Wakeup() {
  MutexLock lock(&mu_);
  woken_ = true;
  changed_.SignalAll();
}

bool Fetcher::SendFetches() {
  proto::Request request;
  std::vector<Requested> requested;
  {
    MutexLock lock(&mu_);
    if (buffered_bytes_ >= options_.max_buffered_bytes) return true;
    proto::FetchRequest* fetch = request.mutable_fetch();
    for (auto& [tp, state] : partitions_) {
      if (state.in_flight || state.paused || !state.error.ok() ||
          state.buffered_bytes >= options_.max_partition_fetch_bytes) {
        continue;
      }
      proto::FetchRequest::Partition* p = fetch->add_partitions();
      p->set_topic(tp.topic);
      p->set_partition(tp.partition);
      p->set_offset(state.fetch_offset);
      p->set_max_bytes(options_.max_partition_fetch_bytes);
      requested.push_back(Requested{tp, state.generation});
    }
    if (requested.empty()) return true;
    fetch->set_max_wait_ms(static_cast<uint32_t>(options_.max_wait.count()));
    fetch->set_min_bytes(1);
    fetch->set_max_bytes(
        std::min(options_.max_fetch_bytes, options_.max_buffered_bytes - buffered_bytes_));
    if (!connections_.Get()->IsOpen()) return false;
    for (const Requested& r : requested)
      partitions_[r.tp].in_flight = true;
    ++in_flight_requests_;
  }
  // Not under the lock: the callback may run inline (closed connection) and takes the lock.
  connections_.Get()->Send(std::move(request), options_.request_timeout + options_.max_wait,
                           [this, requested](Result<proto::Response> response) mutable {
                             OnResponse(std::move(requested), std::move(response));
                           });
  return true;
}

void Fetcher::OnResponse(std::vector<Requested> requested, Result<proto::Response> response) {
  Result<proto::Response> checked = CheckResponse(std::move(response), proto::Response::kFetch);
  // Decoding (checksums, decompression) happens before taking the lock.
  std::vector<DecodedPartition> decoded;
  if (checked.ok()) {
    for (const proto::FetchPartitionResponse& p : checked->fetch().partitions())
      decoded.push_back(DecodeFetchPartition(p));
  }
  bool got_data = false;
  {
    MutexLock lock(&mu_);
    --in_flight_requests_;
    // The partitions this request still speaks for: same generation as when it was sent.
    std::map<TopicPartition, PartitionState*> current;
    for (const Requested& r : requested) {
      auto it = partitions_.find(r.tp);
      if (it == partitions_.end() || it->second.generation != r.generation) continue;
      it->second.in_flight = false;
      current[r.tp] = &it->second;
    }
    const ErrorCode code = checked.status().code();
    if (!checked.ok() && code != ErrorCode::kConnectionFailed && code != ErrorCode::kTimeout &&
        code != ErrorCode::kClosed) {
      for (auto& [tp, state] : current)
        state->error = checked.status();
    }
    for (DecodedPartition& d : decoded) {
      auto found = current.find(d.partition);
      if (found == current.end()) continue;
      PartitionState& state = *found->second;
      if (!d.error.ok()) {
        if (d.error.code() == ErrorCode::kOffsetOutOfRange && state.auto_reset) {
          const int64_t to =
              *state.auto_reset == StartFrom::kEarliest ? d.log_start_offset : d.high_watermark;
          buffered_bytes_ -= state.buffered_bytes;
          state.buffered_bytes = 0;
          state.records.clear();
          state.position = state.fetch_offset = to;
          continue;
        }
        std::string message =
            Describe(d.partition) + " at offset " + std::to_string(state.fetch_offset);
        if (d.error.code() == ErrorCode::kOffsetOutOfRange) {
          message += " (log start " + std::to_string(d.log_start_offset) + ", high watermark " +
                     std::to_string(d.high_watermark) + ")";
        }
        if (!d.error.message().empty()) message += ": " + d.error.message();
        state.error = Status(d.error.code(), std::move(message));
        continue;
      }
      // A batch may start below the fetch offset: those records are skipped.
      size_t first = 0;
      while (first < d.records.size() && d.records[first].offset < state.fetch_offset)
        ++first;
      for (size_t i = first; i < d.records.size(); ++i) {
        const uint64_t bytes = RecordBytes(d.records[i]);
        state.buffered_bytes += bytes;
        buffered_bytes_ += bytes;
      }
      if (first < d.records.size()) {
        state.fetch_offset = d.records.back().offset + 1;
        got_data = true;
      }
      state.records.Append(std::move(d.records), first);
    }
    changed_.SignalAll();
  }
  // Data is flowing: keep the pipeline full. After an empty long poll, the next Wait() sends.
  if (got_data) SendFetches();
}

}  // namespace choreo::client_internal

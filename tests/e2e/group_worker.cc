#include "tests/e2e/group_worker.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "client/consumer/consumer_impl.h"

namespace choreo::e2e {

using std::chrono::steady_clock;

void OwnershipLog::Assigned(const std::string& worker, const TopicPartition& tp) {
  std::lock_guard<std::mutex> lock(mu_);
  intervals_.push_back(OwnershipInterval{worker, tp, steady_clock::now()});
}

void OwnershipLog::Revoked(const std::string& worker, const TopicPartition& tp) {
  std::lock_guard<std::mutex> lock(mu_);
  for (OwnershipInterval& i : intervals_) {
    if (i.worker == worker && i.partition == tp && i.end == SteadyTime::max()) {
      i.end = steady_clock::now();
    }
  }
}

void OwnershipLog::EndAll(const std::string& worker) {
  std::lock_guard<std::mutex> lock(mu_);
  for (OwnershipInterval& i : intervals_) {
    if (i.worker == worker && i.end == SteadyTime::max()) i.end = steady_clock::now();
  }
}

void OwnershipLog::Processed(const std::string& worker, const ConsumedRecord& record) {
  std::lock_guard<std::mutex> lock(mu_);
  processed_.push_back(ProcessedRecord{worker, TopicPartition{record.topic, record.partition},
                                       record.offset, steady_clock::now()});
}

std::vector<OwnershipInterval> OwnershipLog::intervals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return intervals_;
}

std::vector<ProcessedRecord> OwnershipLog::processed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return processed_;
}

size_t OwnershipLog::processed_count(const std::string& worker) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (worker.empty()) return processed_.size();
  return std::count_if(processed_.begin(), processed_.end(),
                       [&](const ProcessedRecord& r) { return r.worker == worker; });
}

std::set<TopicPartition> OwnershipLog::Owned(const std::string& worker) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<TopicPartition> out;
  for (const OwnershipInterval& i : intervals_) {
    if (i.worker == worker && i.end == SteadyTime::max()) out.insert(i.partition);
  }
  return out;
}

SteadyTime OwnershipLog::FirstProcessed(const std::string& worker, const TopicPartition& tp,
                                        SteadyTime since) const {
  std::lock_guard<std::mutex> lock(mu_);
  SteadyTime first = SteadyTime::max();
  for (const ProcessedRecord& r : processed_) {
    if (r.worker == worker && r.partition == tp && r.at >= since) first = std::min(first, r.at);
  }
  return first;
}

void OwnershipLog::ExpectExclusiveAndComplete(
    const std::map<TopicPartition, int64_t>& end_offsets) const {
  const std::vector<OwnershipInterval> intervals = this->intervals();
  const std::vector<ProcessedRecord> processed = this->processed();
  std::map<TopicPartition, std::vector<OwnershipInterval>> by_partition;
  for (const OwnershipInterval& i : intervals)
    by_partition[i.partition].push_back(i);
  for (auto& [tp, list] : by_partition) {
    std::sort(list.begin(), list.end(),
              [](const auto& a, const auto& b) { return a.start < b.start; });
    for (size_t k = 1; k < list.size(); ++k) {
      EXPECT_LE(list[k - 1].end, list[k].start)
          << tp.topic << "/" << tp.partition << " owned by " << list[k - 1].worker << " and "
          << list[k].worker << " at the same time";
    }
  }
  std::map<TopicPartition, std::set<int64_t>> seen;
  for (const ProcessedRecord& r : processed) {
    seen[r.partition].insert(r.offset);
    const auto& list = by_partition[r.partition];
    const bool inside = std::any_of(list.begin(), list.end(), [&](const OwnershipInterval& i) {
      return i.worker == r.worker && i.start <= r.at && r.at <= i.end;
    });
    EXPECT_TRUE(inside) << r.worker << " processed " << r.partition.topic << "/"
                        << r.partition.partition << "@" << r.offset << " without owning it";
  }
  for (const auto& [tp, end] : end_offsets) {
    int64_t missing = 0;
    for (int64_t offset = 0; offset < end; ++offset)
      missing += seen[tp].count(offset) == 0 ? 1 : 0;
    EXPECT_EQ(missing, 0) << tp.topic << "/" << tp.partition << ": records never processed";
  }
}

GroupWorker::GroupWorker(Options options, OwnershipLog& log)
    : options_(std::move(options)), log_(log) {
  RebalanceListener& listener = options_.consumer.listener;
  listener.on_assigned = [this](const std::vector<TopicPartition>& partitions) {
    for (const TopicPartition& tp : partitions)
      log_.Assigned(options_.name, tp);
  };
  listener.on_revoked = [this](const std::vector<TopicPartition>& partitions) {
    // What the application processed is committed before the partitions move.
    const Status committed = consumer_->Commit();
    if (!committed.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      last_error_ = "commit in on_revoked: " + committed.ToString();
    }
    for (const TopicPartition& tp : partitions)
      log_.Revoked(options_.name, tp);
  };
  listener.on_lost = [this](const std::vector<TopicPartition>& partitions) {
    for (const TopicPartition& tp : partitions)
      log_.Revoked(options_.name, tp);
  };
}

GroupWorker::~GroupWorker() {
  Stop();
}

bool GroupWorker::Start() {
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(options_.consumer);
  if (!consumer.ok()) {
    ADD_FAILURE() << options_.name << ": " << consumer.status().ToString();
    return false;
  }
  consumer_ = std::move(consumer).value();
  const Status subscribed = consumer_->Subscribe(options_.topics);
  if (!subscribed.ok()) {
    ADD_FAILURE() << options_.name << ": " << subscribed.ToString();
    return false;
  }
  started_at_ = steady_clock::now();
  thread_ = std::thread([this] { Run(); });
  return true;
}

void GroupWorker::Run() {
  while (!stop_ && !frozen_) {
    Result<std::vector<ConsumedRecord>> records = consumer_->Poll(std::chrono::milliseconds(100));
    if (!records.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      last_error_ = records.status().ToString();
      continue;
    }
    if (frozen_) return;  // a hung process processes nothing more
    for (const ConsumedRecord& record : *records)
      log_.Processed(options_.name, record);
    if (!records->empty()) {
      const Status committed = consumer_->Commit();
      if (!committed.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        last_error_ = "commit: " + committed.ToString();
      }
    }
  }
}

void GroupWorker::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (consumer_ != nullptr) {
    // Explicitly, not through the destructor: on_revoked uses consumer_. A frozen worker's commit
    // here is rejected (it was removed from the group), as a zombie's should be.
    (void)consumer_->Close();
    consumer_.reset();
  }
  log_.EndAll(options_.name);
}

void GroupWorker::Freeze() {
  frozen_ = true;
  if (consumer_ != nullptr) client_internal::ConsumerTestPeer::PauseHeartbeats(*consumer_, true);
  if (thread_.joinable()) thread_.join();
  log_.EndAll(options_.name);
}

std::string GroupWorker::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

}  // namespace choreo::e2e

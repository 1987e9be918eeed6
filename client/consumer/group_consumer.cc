// The group half of Consumer::Impl: subscription, rebalance handling, commits and close.
#include <algorithm>
#include <utility>

#include "client/consumer/consumer_impl.h"
#include "client/requests.h"

namespace choreo {

using client_internal::Membership;
using client_internal::OffsetMap;

namespace {

std::vector<TopicPartition> Sorted(const std::set<TopicPartition>& partitions) {
  return std::vector<TopicPartition>(partitions.begin(), partitions.end());
}

}  // namespace

Status Consumer::Impl::CheckGroup() const {
  if (Status open = CheckOpen(); !open.ok()) return open;
  if (options_.group_id.empty()) {
    return Status(ErrorCode::kInvalidArgument, "ConsumerOptions::group_id is not set");
  }
  return OkStatus();
}

Status Consumer::Impl::Subscribe(std::vector<std::string> topics, std::string pattern) {
  if (Status group = CheckGroup(); !group.ok()) return group;
  topics.erase(std::remove(topics.begin(), topics.end(), std::string()), topics.end());
  if (topics.empty() && pattern.empty()) {
    return Status(ErrorCode::kInvalidArgument, "subscribe to at least one topic");
  }
  if (mode_ == Mode::kAssigned) {
    return Status(ErrorCode::kInvalidArgument, "the consumer has assigned partitions");
  }
  if (membership_ == nullptr) {
    membership_ = std::make_unique<Membership>(
        client_internal::MembershipOptions{.group_id = options_.group_id,
                                           .instance_id = options_.instance_id,
                                           .client_id = options_.client.client_id,
                                           .session_timeout = options_.session_timeout,
                                           .rebalance_timeout = options_.rebalance_timeout,
                                           .request_timeout = options_.client.request_timeout,
                                           .max_poll_interval = options_.max_poll_interval},
        connections_, [this](bool lost) {
          // On the heartbeat thread: stop fetching lost partitions at once; Poll() does the rest.
          if (lost) fetcher_.RemoveAll();
          fetcher_.Wakeup();
        });
    next_auto_commit_ = Clock::now() + options_.auto_commit_interval;
  }
  membership_->Subscribe(std::move(topics), std::move(pattern));
  mode_ = Mode::kSubscribed;
  return OkStatus();
}

Status Consumer::Impl::Unsubscribe() {
  if (Status open = CheckOpen(); !open.ok()) return open;
  if (mode_ != Mode::kSubscribed) return OkStatus();
  (void)DropIfLost();
  Revoke(owned_);
  const Status left = membership_->Leave(options_.client.request_timeout);
  membership_.reset();
  mode_ = Mode::kNone;
  return left;
}

std::string Consumer::Impl::MemberId() const {
  if (membership_ == nullptr) return "";
  Membership::View view = membership_->Current();
  return view.member_epoch > 0 ? view.member_id : "";
}

int32_t Consumer::Impl::MemberEpoch() const {
  return membership_ == nullptr ? 0 : membership_->Current().member_epoch;
}

void Consumer::Impl::Notify(const std::function<void(const std::vector<TopicPartition>&)>& callback,
                            const PartitionSet& partitions) {
  if (callback && !partitions.empty()) callback(Sorted(partitions));
}

Status Consumer::Impl::Reconcile() {
  Membership::View view = membership_->Current();
  if (!view.error.ok()) return view.error;
  if (view.lost || view.poll_expired) {
    // No commit: the partitions may belong to another member already.
    const PartitionSet lost = std::exchange(owned_, {});
    fetcher_.RemoveAll();
    Notify(options_.listener.on_lost ? options_.listener.on_lost : options_.listener.on_revoked,
           lost);
    membership_->AckLost();
    if (view.poll_expired) {
      return Status(ErrorCode::kMaxPollIntervalExceeded,
                    "this consumer left group '" + options_.group_id +
                        "' because Poll() was not called for max_poll_interval (" +
                        std::to_string(options_.max_poll_interval.count()) +
                        " ms): processing the records of one Poll() took too long; its " +
                        std::to_string(lost.size()) +
                        " partitions went to other members (on_lost). It rejoins now; raise "
                        "max_poll_interval or lower max_poll_records if this repeats");
    }
    return OkStatus();
  }
  PartitionSet revoked;
  for (const TopicPartition& tp : owned_) {
    if (view.assignment.count(tp) == 0) revoked.insert(tp);
  }
  Revoke(revoked);
  PartitionSet added;
  for (const TopicPartition& tp : view.assignment) {
    if (owned_.count(tp) == 0) added.insert(tp);
  }
  StartConsuming(added);
  return OkStatus();
}

Status Consumer::Impl::DropIfLost() {
  Status may = CheckMayCommit();
  if (may.ok() || owned_.empty()) return OkStatus();
  const PartitionSet lost = std::exchange(owned_, {});
  fetcher_.RemoveAll();
  Notify(options_.listener.on_lost ? options_.listener.on_lost : options_.listener.on_revoked,
         lost);
  return may;
}

void Consumer::Impl::Revoke(const PartitionSet& partitions) {
  if (partitions.empty()) return;
  // The callback runs while the partitions are still ours, so a commit in it is accepted.
  Notify(options_.listener.on_revoked, partitions);
  if (options_.enable_auto_commit) {
    OffsetMap offsets;
    for (const auto& [tp, offset] : PositionsToCommit()) {
      if (partitions.count(tp) > 0) offsets[tp] = offset;
    }
    // Best effort: if it fails the next owner starts at the previous commit (duplicates).
    (void)Commit(offsets);
  }
  std::vector<TopicPartition> list = Sorted(partitions);
  fetcher_.Remove(list);
  for (const TopicPartition& tp : partitions)
    owned_.erase(tp);
  membership_->Released(partitions);
}

void Consumer::Impl::StartConsuming(const PartitionSet& partitions) {
  if (partitions.empty()) return;
  // Only those still assigned: the membership reports them owned from now on.
  const PartitionSet accepted = membership_->BeginConsuming(partitions);
  if (accepted.empty()) return;
  std::shared_ptr<client_internal::Connection> connection = connections_.Get();
  Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> committed =
      client_internal::FetchCommitted(*connection, options_.group_id, Sorted(accepted),
                                      options_.client.request_timeout);
  std::vector<client_internal::OffsetQuery> queries;
  if (committed.ok()) {
    for (const TopicPartition& tp : accepted) {
      if (!(*committed)[tp]) {
        queries.push_back({tp, options_.auto_offset_reset == StartFrom::kEarliest
                                   ? OffsetSpec::kEarliest
                                   : OffsetSpec::kLatest});
      }
    }
  }
  Result<std::vector<int64_t>> reset = std::vector<int64_t>{};
  if (committed.ok() && !queries.empty()) {
    reset = client_internal::RequestOffsets(*connection, queries, options_.client.request_timeout);
  }
  if (!committed.ok() || !reset.ok()) {
    // Not started: give them back for now; the next Poll() tries again while they stay assigned.
    membership_->Released(accepted);
    return;
  }
  for (size_t i = 0; i < queries.size(); ++i)
    (*committed)[queries[i].partition] = OffsetAndMetadata{(*reset)[i], ""};
  for (const TopicPartition& tp : accepted) {
    // An out-of-range committed offset is repaired by the fetcher with the same policy.
    fetcher_.Seek(tp, (*committed)[tp]->offset, options_.auto_offset_reset);
    owned_.insert(tp);
  }
  Notify(options_.listener.on_assigned, accepted);
}

OffsetMap Consumer::Impl::PositionsToCommit() const {
  OffsetMap out;
  for (const auto& [tp, position] : fetcher_.Positions()) {
    if (mode_ != Mode::kSubscribed || owned_.count(tp) > 0)
      out[tp] = OffsetAndMetadata{position, ""};
  }
  return out;
}

Status Consumer::Impl::CommitPositions() {
  if (Status group = CheckGroup(); !group.ok()) return group;
  RunCompletions();
  return Commit(PositionsToCommit());
}

Status Consumer::Impl::CheckMayCommit() const {
  if (mode_ != Mode::kSubscribed) return OkStatus();
  const Membership::View view = membership_->Current();
  if (view.poll_expired) {
    return Status(ErrorCode::kMaxPollIntervalExceeded,
                  "commit refused: this consumer left group '" + options_.group_id +
                      "' because Poll() was not called for max_poll_interval (" +
                      std::to_string(options_.max_poll_interval.count()) +
                      " ms); its partitions went to other members");
  }
  if (view.lost) {
    return Status(ErrorCode::kUnknownMemberId,
                  "commit refused: this consumer lost its partitions (removed from group '" +
                      options_.group_id + "'); Poll() rejoins");
  }
  return OkStatus();
}

Status Consumer::Impl::Commit(const OffsetMap& offsets) {
  if (Status group = CheckGroup(); !group.ok()) return group;
  if (Status may = CheckMayCommit(); !may.ok()) return may;
  if (offsets.empty()) return OkStatus();
  return client_internal::CommitOutcome(
      connections_.Get()->Call(OffsetCommitRequest(offsets), options_.client.request_timeout));
}

proto::Request Consumer::Impl::OffsetCommitRequest(const OffsetMap& offsets) const {
  std::string member_id;
  int32_t epoch = 0;
  if (mode_ == Mode::kSubscribed) {
    Membership::View view = membership_->Current();
    member_id = view.member_id;
    epoch = view.member_epoch;
  }
  return client_internal::MakeOffsetCommit(options_.group_id, member_id, epoch, offsets);
}

void Consumer::Impl::CommitAsync(CommitCallback callback) {
  Status checked = CheckGroup();
  if (checked.ok()) checked = CheckMayCommit();
  const OffsetMap offsets = checked.ok() ? PositionsToCommit() : OffsetMap{};
  if (!checked.ok() || offsets.empty()) {
    if (callback) {
      MutexLock lock(&completions_mu_);
      completions_.push_back([callback, checked] { callback(checked); });
    }
    return;
  }
  {
    MutexLock lock(&completions_mu_);
    ++async_commits_in_flight_;
  }
  connections_.Get()->Send(OffsetCommitRequest(offsets), options_.client.request_timeout,
                           [this, callback](Result<proto::Response> response) {
                             const Status outcome =
                                 client_internal::CommitOutcome(std::move(response));
                             {
                               MutexLock lock(&completions_mu_);
                               if (callback)
                                 completions_.push_back([callback, outcome] { callback(outcome); });
                               --async_commits_in_flight_;
                               completions_changed_.SignalAll();
                             }
                             fetcher_.Wakeup();  // a waiting Poll() runs the callback
                           });
}

void Consumer::Impl::RunCompletions() {
  std::vector<std::function<void()>> ready;
  {
    MutexLock lock(&completions_mu_);
    ready.swap(completions_);
  }
  for (auto& completion : ready)
    completion();
}

void Consumer::Impl::MaybeAutoCommit() {
  if (!options_.enable_auto_commit || Clock::now() < next_auto_commit_) return;
  next_auto_commit_ = Clock::now() + options_.auto_commit_interval;
  CommitAsync(nullptr);
}

Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> Consumer::Impl::Committed(
    const std::vector<TopicPartition>& partitions) {
  if (Status group = CheckGroup(); !group.ok()) return group;
  Result<std::shared_ptr<client_internal::Connection>> connection = connections_.WaitConnected(
      client_internal::ConnectionHolder::Clock::now() + options_.client.request_timeout);
  if (!connection.ok()) return connection.status();
  return client_internal::FetchCommitted(**connection, options_.group_id, partitions,
                                         options_.client.request_timeout);
}

Status Consumer::Impl::Close() {
  if (closed_) return close_status_;
  Status result;
  if (mode_ == Mode::kSubscribed) {
    RunCompletions();
    if (Status lost = DropIfLost(); !lost.ok()) {
      if (options_.commit_on_close) result = lost;  // nothing committed: say so
    } else if (!owned_.empty()) {
      Notify(options_.listener.on_revoked, owned_);
      if (options_.commit_on_close) result = Commit(PositionsToCommit());
    }
    fetcher_.RemoveAll();
    owned_.clear();
    // Leaving at once lets the partitions move now instead of after the session timeout.
    (void)membership_->Leave(options_.client.request_timeout);
  }
  closed_ = true;
  close_status_ = result;
  // Fails whatever is still in flight (async commits, fetches), running their callbacks.
  connections_.Close();
  membership_.reset();
  {
    MutexLock lock(&completions_mu_);
    while (async_commits_in_flight_ > 0)
      completions_changed_.Wait(&completions_mu_);
  }
  RunCompletions();
  return result;
}

}  // namespace choreo

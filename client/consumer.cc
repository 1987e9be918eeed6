// Consumer facade, explicit assignment and the Poll loop. Group handling is in
// consumer/group_consumer.cc.
#include "choreo/client/consumer.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "client/consumer/consumer_impl.h"
#include "client/requests.h"

namespace choreo {

using client_internal::Connection;
using std::chrono::milliseconds;

namespace {

std::string Describe(const TopicPartition& tp) {
  return tp.topic + "/" + std::to_string(tp.partition);
}

client_internal::FetcherOptions FetcherOptionsFor(const ConsumerOptions& options) {
  return client_internal::FetcherOptions{
      .max_partition_fetch_bytes = options.max_partition_fetch_bytes,
      .max_fetch_bytes = options.max_fetch_bytes,
      .max_buffered_bytes = options.max_buffered_bytes,
      .max_wait = options.max_wait,
      .request_timeout = options.client.request_timeout};
}

Status ValidateOptions(const ConsumerOptions& options) {
  if (options.max_poll_records == 0 || options.max_buffered_bytes == 0 ||
      options.max_fetch_bytes == 0 || options.max_partition_fetch_bytes == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "max_poll_records and the fetch and buffer sizes must be positive");
  }
  if (options.session_timeout.count() <= 0 || options.rebalance_timeout.count() <= 0 ||
      options.auto_commit_interval.count() <= 0 || options.max_poll_interval.count() <= 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "session_timeout, rebalance_timeout, auto_commit_interval and max_poll_interval "
                  "must be positive");
  }
  if (!options.instance_id.empty() && options.group_id.empty()) {
    return Status(ErrorCode::kInvalidArgument, "instance_id needs a group_id");
  }
  return OkStatus();
}

}  // namespace

Consumer::Impl::Impl(const ConsumerOptions& options, std::unique_ptr<Connection> connection,
                     Status not_connected)
    : options_(options),
      connections_(options.client, std::move(connection), std::move(not_connected)),
      fetcher_(FetcherOptionsFor(options), connections_) {}

Consumer::Impl::~Impl() {
  (void)Close();
}

Status Consumer::Impl::CheckOpen() const {
  if (closed_) return Status(ErrorCode::kClosed, "consumer is closed");
  return OkStatus();
}

Status Consumer::Impl::NotConsumed(const TopicPartition& tp) const {
  return Status(ErrorCode::kInvalidArgument, Describe(tp) + " is not assigned");
}

Status Consumer::Impl::Assign(const std::vector<PartitionAssignment>& assignments) {
  if (Status open = CheckOpen(); !open.ok()) return open;
  if (mode_ == Mode::kSubscribed) {
    return Status(ErrorCode::kInvalidArgument, "the consumer is subscribed to a group");
  }
  std::set<std::string> topic_set;
  for (const PartitionAssignment& a : assignments)
    topic_set.insert(a.partition.topic);
  std::map<TopicPartition, int64_t> positions;
  if (!assignments.empty()) {
    Result<std::shared_ptr<Connection>> connected = connections_.WaitConnected(
        client_internal::ConnectionHolder::Clock::now() + options_.client.request_timeout);
    if (!connected.ok()) return connected.status();
    std::shared_ptr<Connection> connection = *std::move(connected);
    Result<std::vector<TopicDescription>> topics = client_internal::RequestMetadata(
        *connection, std::vector<std::string>(topic_set.begin(), topic_set.end()),
        options_.client.request_timeout);
    if (!topics.ok()) return topics.status();
    std::vector<client_internal::OffsetQuery> queries;
    for (const PartitionAssignment& a : assignments) {
      const auto topic = std::find_if(topics->begin(), topics->end(),
                                      [&](const auto& t) { return t.name == a.partition.topic; });
      if (topic == topics->end() || a.partition.partition >= topic->settings.partitions) {
        return Status(ErrorCode::kInvalidPartition, "topic '" + a.partition.topic +
                                                        "' has no partition " +
                                                        std::to_string(a.partition.partition));
      }
      if (a.offset.has_value()) {
        positions[a.partition] = *a.offset;
      } else {
        queries.push_back({a.partition, a.start_from == StartFrom::kEarliest
                                            ? OffsetSpec::kEarliest
                                            : OffsetSpec::kLatest});
      }
    }
    if (!queries.empty()) {
      Result<std::vector<int64_t>> offsets =
          client_internal::RequestOffsets(*connection, queries, options_.client.request_timeout);
      if (!offsets.ok()) return offsets.status();
      for (size_t i = 0; i < queries.size(); ++i)
        positions[queries[i].partition] = (*offsets)[i];
    }
  }
  fetcher_.RemoveAll();
  for (const auto& [tp, offset] : positions)
    fetcher_.Seek(tp, offset, std::nullopt);
  mode_ = positions.empty() ? Mode::kNone : Mode::kAssigned;
  return OkStatus();
}

std::vector<TopicPartition> Consumer::Impl::Assignment() const {
  if (mode_ == Mode::kSubscribed) return std::vector<TopicPartition>(owned_.begin(), owned_.end());
  return fetcher_.Partitions();
}

Status Consumer::Impl::Seek(const TopicPartition& tp, int64_t offset) {
  if (Status open = CheckOpen(); !open.ok()) return open;
  if (!fetcher_.Contains(tp)) return NotConsumed(tp);
  if (offset < 0) return Status(ErrorCode::kInvalidArgument, "offset must not be negative");
  std::optional<StartFrom> reset;
  if (mode_ == Mode::kSubscribed) reset = options_.auto_offset_reset;
  fetcher_.Seek(tp, offset, reset);
  return OkStatus();
}

Result<int64_t> Consumer::Impl::Position(const TopicPartition& tp) const {
  if (Status open = CheckOpen(); !open.ok()) return open;
  std::optional<int64_t> position = fetcher_.Position(tp);
  if (!position) return NotConsumed(tp);
  return *position;
}

Status Consumer::Impl::SetPaused(const std::vector<TopicPartition>& partitions, bool paused) {
  if (Status open = CheckOpen(); !open.ok()) return open;
  for (const TopicPartition& tp : partitions) {
    if (!fetcher_.Contains(tp)) return NotConsumed(tp);
  }
  for (const TopicPartition& tp : partitions)
    fetcher_.SetPaused(tp, paused);
  return OkStatus();
}

void Consumer::Impl::Wakeup() {
  wakeup_.store(true);
  fetcher_.Wakeup();
}

Result<std::vector<ConsumedRecord>> Consumer::Impl::Poll(milliseconds timeout) {
  if (Status open = CheckOpen(); !open.ok()) return open;
  if (wakeup_.exchange(false)) return Status(ErrorCode::kWakeup, "Poll() woken up by Wakeup()");
  if (mode_ != Mode::kSubscribed) return PollLoop(timeout);
  // While a Poll() runs the application is not hung: max_poll_interval counts between them.
  client_internal::Membership* membership = membership_.get();
  membership->PollStarted();
  Result<std::vector<ConsumedRecord>> result = PollLoop(timeout);
  // A callback may have called Close() or Unsubscribe(), ending that membership.
  if (membership_.get() == membership) membership->PollEnded();
  return result;
}

Result<std::vector<ConsumedRecord>> Consumer::Impl::PollLoop(milliseconds timeout) {
  RunCompletions();
  if (mode_ == Mode::kNone) return Status(ErrorCode::kInvalidArgument, "no partitions assigned");
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (mode_ == Mode::kSubscribed) {
      if (Status reconciled = Reconcile(); !reconciled.ok()) return reconciled;
      MaybeAutoCommit();
    }
    Result<std::vector<ConsumedRecord>> records = fetcher_.Take(options_.max_poll_records);
    if (!records.ok() || !records->empty()) return records;
    // A group consumer's heartbeat thread reconnects; an assigned one reconnects here.
    if (mode_ == Mode::kAssigned && !connections_.Get()->IsOpen()) {
      Result<std::shared_ptr<Connection>> reopened = connections_.Ensure();
      if (!reopened.ok()) return reopened.status();
    }
    if (Clock::now() >= deadline) return records;
    fetcher_.Wait(deadline);
    if (wakeup_.exchange(false)) return Status(ErrorCode::kWakeup, "Poll() woken up by Wakeup()");
    RunCompletions();
  }
}

Result<std::unique_ptr<Consumer>> Consumer::Create(const ConsumerOptions& options) {
  if (Status valid = ValidateOptions(options); !valid.ok()) return valid;
  if (Status valid = client_internal::ValidateClientOptions(options.client); !valid.ok()) {
    return valid;
  }
  // One attempt now; a broker that is not reachable yet is connected to later (by the heartbeat
  // thread, or by the first call that needs it).
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options.client);
  if (!connection.ok() && !client_internal::IsUnreachable(connection.status())) {
    return connection.status();
  }
  std::unique_ptr<Connection> first;
  Status why;
  if (connection.ok()) {
    first = std::move(connection).value();
  } else {
    why = connection.status();
  }
  return std::unique_ptr<Consumer>(
      new Consumer(std::make_unique<Impl>(options, std::move(first), std::move(why))));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() = default;

Status Consumer::Assign(const std::vector<PartitionAssignment>& assignments) {
  return impl_->Assign(assignments);
}
Status Consumer::Subscribe(const std::vector<std::string>& topics) {
  return impl_->Subscribe(topics, "");
}
Status Consumer::SubscribePattern(const std::string& pattern) {
  return impl_->Subscribe({}, pattern);
}
Status Consumer::Unsubscribe() {
  return impl_->Unsubscribe();
}
std::vector<TopicPartition> Consumer::Assignment() const {
  return impl_->Assignment();
}
std::string Consumer::MemberId() const {
  return impl_->MemberId();
}
int32_t Consumer::MemberEpoch() const {
  return impl_->MemberEpoch();
}
Status Consumer::Commit() {
  return impl_->CommitPositions();
}
Status Consumer::Commit(const std::map<TopicPartition, OffsetAndMetadata>& offsets) {
  return impl_->Commit(offsets);
}
void Consumer::CommitAsync(CommitCallback callback) {
  impl_->CommitAsync(std::move(callback));
}
Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> Consumer::Committed(
    const std::vector<TopicPartition>& partitions) {
  return impl_->Committed(partitions);
}
Status Consumer::Seek(const TopicPartition& tp, int64_t offset) {
  return impl_->Seek(tp, offset);
}
Result<int64_t> Consumer::Position(const TopicPartition& tp) const {
  return impl_->Position(tp);
}
Status Consumer::Pause(const std::vector<TopicPartition>& partitions) {
  return impl_->SetPaused(partitions, true);
}
Status Consumer::Resume(const std::vector<TopicPartition>& partitions) {
  return impl_->SetPaused(partitions, false);
}
Result<std::vector<ConsumedRecord>> Consumer::Poll(milliseconds timeout) {
  return impl_->Poll(timeout);
}
void Consumer::Wakeup() {
  impl_->Wakeup();
}
Status Consumer::Close() {
  return impl_->Close();
}

}  // namespace choreo

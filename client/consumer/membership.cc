#include "client/consumer/membership.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <utility>

#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

using std::chrono::milliseconds;

void AddPartitions(const Membership::PartitionSet& partitions,
                   google::protobuf::RepeatedPtrField<proto::TopicPartitions>* out) {
  proto::TopicPartitions* current = nullptr;
  for (const TopicPartition& tp : partitions) {  // sorted, so each topic is contiguous
    if (current == nullptr || current->topic() != tp.topic) {
      current = out->Add();
      current->set_topic(tp.topic);
    }
    current->add_partitions(tp.partition);
  }
}

Membership::PartitionSet FromProto(
    const google::protobuf::RepeatedPtrField<proto::TopicPartitions>& wire) {
  Membership::PartitionSet out;
  for (const proto::TopicPartitions& topic : wire) {
    for (uint32_t p : topic.partitions())
      out.insert(TopicPartition{topic.topic(), p});
  }
  return out;
}

bool IsFencing(ErrorCode code) {
  return code == ErrorCode::kUnknownMemberId || code == ErrorCode::kIllegalGeneration;
}

// Errors after which the same heartbeat is simply tried again.
bool IsTransient(const Status& status) {
  return status.IsRetriable() || status.code() == ErrorCode::kClosed;
}

}  // namespace

Membership::Membership(const MembershipOptions& options, ConnectionHolder& connections,
                       std::function<void(bool lost)> on_change)
    : options_(options), connections_(connections), on_change_(std::move(on_change)) {
  {
    MutexLock lock(&mu_);
    view_.member_id = NewMemberId();
  }
  thread_ = std::thread([this] { Run(); });
}

Membership::~Membership() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  thread_.join();
}

std::string Membership::NewMemberId() {
  // Client-chosen ids make a retried join idempotent: the broker recognises the same member.
  std::random_device device;
  char id[48];
  std::snprintf(id, sizeof(id), "c-%08x%08x%08x-%llu", device(), device(), device(),
                static_cast<unsigned long long>(++id_counter_));
  return id;
}

void Membership::Subscribe(std::vector<std::string> topics, std::string pattern) {
  MutexLock lock(&mu_);
  if (!subscribed_) last_poll_ = Clock::now();
  topics_ = std::move(topics);
  pattern_ = std::move(pattern);
  subscribed_ = true;
  view_.error = OkStatus();  // a new subscription may fix what the broker refused
  subscription_dirty_ = true;
  ++subscription_version_;
  urgent_ = true;
  wake_.SignalAll();
}

Membership::View Membership::Current() const {
  MutexLock lock(&mu_);
  return view_;
}

Membership::PartitionSet Membership::BeginConsuming(const PartitionSet& partitions) {
  MutexLock lock(&mu_);
  PartitionSet accepted;
  for (const TopicPartition& tp : partitions) {
    if (view_.assignment.count(tp) == 0) continue;
    consuming_.insert(tp);
    accepted.insert(tp);
  }
  return accepted;
}

void Membership::Released(const PartitionSet& partitions) {
  MutexLock lock(&mu_);
  for (const TopicPartition& tp : partitions)
    consuming_.erase(tp);
  urgent_ = true;
  wake_.SignalAll();
}

void Membership::AckLost() {
  MutexLock lock(&mu_);
  consuming_.clear();
  view_.lost = false;
  view_.poll_expired = false;
  urgent_ = true;
  wake_.SignalAll();
}

void Membership::PollStarted() {
  MutexLock lock(&mu_);
  in_poll_ = true;
}

void Membership::PollEnded() {
  MutexLock lock(&mu_);
  in_poll_ = false;
  last_poll_ = Clock::now();
  wake_.SignalAll();  // the heartbeat thread's wait may end at the new deadline
}

void Membership::SetPausedForTesting(bool paused) {
  MutexLock lock(&mu_);
  paused_ = paused;
  if (!paused) last_answered_send_ = Clock::now();
  wake_.SignalAll();
}

Status Membership::Leave(milliseconds timeout) {
  proto::Request request;
  {
    MutexLock lock(&mu_);
    if (left_ || !subscribed_) {
      left_ = true;
      return OkStatus();
    }
    left_ = true;
    wake_.SignalAll();
    proto::ConsumerGroupHeartbeatRequest* leave = request.mutable_group_heartbeat();
    leave->set_group_id(options_.group_id);
    leave->set_member_id(view_.member_id);
    leave->set_instance_id(options_.instance_id);
    leave->set_member_epoch(options_.instance_id.empty() ? -1 : -2);
    view_.assignment.clear();
    consuming_.clear();
  }
  return CheckResponse(connections_.Get()->Call(std::move(request), timeout),
                       proto::Response::kGroupHeartbeat)
      .status();
}

proto::Request Membership::BuildHeartbeat() {
  proto::Request request;
  proto::ConsumerGroupHeartbeatRequest* hb = request.mutable_group_heartbeat();
  hb->set_group_id(options_.group_id);
  hb->set_member_id(view_.member_id);
  hb->set_member_epoch(view_.member_epoch);
  hb->set_instance_id(options_.instance_id);
  hb->set_client_id(options_.client_id);
  if (view_.member_epoch == 0 || subscription_dirty_) {
    for (const std::string& topic : topics_)
      hb->add_subscribed_topics(topic);
    hb->set_subscribed_pattern(pattern_);
  }
  hb->set_session_timeout_ms(static_cast<uint32_t>(options_.session_timeout.count()));
  hb->set_rebalance_timeout_ms(static_cast<uint32_t>(options_.rebalance_timeout.count()));
  PartitionSet owned = view_.assignment;
  owned.insert(consuming_.begin(), consuming_.end());
  AddPartitions(owned, hb->mutable_owned_partitions());
  return request;
}

bool Membership::MarkLost(const std::string& why) {
  const bool owned_something = !view_.assignment.empty() || !consuming_.empty();
  view_.assignment.clear();
  view_.member_epoch = 0;
  view_.member_id = NewMemberId();
  subscription_dirty_ = true;
  if (owned_something) {
    view_.lost = true;  // wait for the consumer to stop consuming (AckLost)
  } else {
    urgent_ = true;  // nothing to give up: rejoin at once
  }
  return owned_something;
}

proto::Request Membership::LeaveForPollTimeout() {
  proto::Request request;
  proto::ConsumerGroupHeartbeatRequest* leave = request.mutable_group_heartbeat();
  leave->set_group_id(options_.group_id);
  leave->set_member_id(view_.member_id);
  leave->set_instance_id(options_.instance_id);
  leave->set_member_epoch(options_.instance_id.empty() ? -1 : -2);
  view_.assignment.clear();
  view_.member_epoch = 0;
  view_.member_id = NewMemberId();
  view_.poll_expired = true;
  subscription_dirty_ = true;
  return request;
}

bool Membership::HandleAnswer(const Result<proto::Response>& result, Clock::time_point sent) {
  Result<proto::Response> checked = CheckResponse(result, proto::Response::kGroupHeartbeat);
  if (!checked.ok()) {
    const Status& status = checked.status();
    if (IsFencing(status.code())) return MarkLost(status.message());
    if (IsTransient(status)) {
      next_due_ = Clock::now() + milliseconds(50);  // the session check bounds the retries
      return false;
    }
    view_.error = status;
    return true;
  }
  const proto::ConsumerGroupHeartbeatResponse& hb = checked->group_heartbeat();
  PartitionSet assignment = FromProto(hb.assignment());
  const bool changed = assignment != view_.assignment || view_.member_epoch == 0;
  view_.member_id = hb.member_id();
  view_.member_epoch = hb.member_epoch();
  view_.group_epoch = hb.group_epoch();
  view_.assignment = std::move(assignment);
  last_answered_send_ = sent;
  next_due_ = Clock::now() + milliseconds(std::max<uint32_t>(1, hb.heartbeat_interval_ms()));
  return changed;
}

void Membership::Run() {
  mu_.Lock();
  while (!stopping_) {
    if (!subscribed_ || left_ || paused_ || view_.lost || view_.poll_expired || !view_.error.ok()) {
      wake_.Wait(&mu_);
      continue;
    }
    const Clock::time_point now = Clock::now();
    const bool joined = view_.member_epoch > 0;
    const Clock::time_point poll_end = last_poll_ + options_.max_poll_interval;
    if (joined && !in_poll_ && now >= poll_end) {
      // The application is stuck (or too slow): give the partitions to the other members rather
      // than keep them unconsumed. Best effort: if the leave is lost, the broker's
      // rebalance or session timeout removes the member anyway.
      proto::Request leave = LeaveForPollTimeout();
      mu_.Unlock();
      on_change_(true);
      (void)connections_.Get()->Call(std::move(leave),
                                     std::min(options_.request_timeout, options_.session_timeout));
      mu_.Lock();
      continue;
    }
    const Clock::time_point session_end = last_answered_send_ + options_.session_timeout;
    if (joined && now >= session_end) {
      const bool notify = MarkLost("no heartbeat was answered within the session timeout");
      mu_.Unlock();
      if (notify) on_change_(true);
      mu_.Lock();
      continue;
    }
    if (!urgent_ && now < next_due_) {
      Clock::time_point until = next_due_;
      if (joined) until = std::min(until, session_end);
      if (joined && !in_poll_) until = std::min(until, poll_end);
      wake_.WaitUntil(&mu_, until);
      continue;
    }
    urgent_ = false;
    const uint64_t subscription_version = subscription_version_;
    proto::Request request = BuildHeartbeat();
    const milliseconds timeout =
        joined ? std::clamp(std::chrono::duration_cast<milliseconds>(session_end - now),
                            milliseconds(50), options_.request_timeout)
               : std::min(options_.request_timeout, options_.session_timeout);
    mu_.Unlock();

    bool notify = false;
    Result<std::shared_ptr<Connection>> connection = connections_.Ensure();
    if (!connection.ok()) {
      mu_.Lock();
      next_due_ = Clock::now() + milliseconds(100);
      continue;
    }
    Result<proto::Response> result = (*connection)->Call(std::move(request), timeout);
    connection = Status(ErrorCode::kClosed, "");  // drop the reference before locking
    mu_.Lock();
    if (stopping_ || left_ || paused_) continue;
    // The subscription went out with this heartbeat (a join always carries it).
    if (result.ok() && subscription_version == subscription_version_) subscription_dirty_ = false;
    notify = HandleAnswer(result, now);
    if (notify) {
      const bool lost = view_.lost;
      mu_.Unlock();
      on_change_(lost);
      mu_.Lock();
    }
  }
  mu_.Unlock();
}

}  // namespace choreo::client_internal

#include "tests/client/fake_group.h"

#include "choreo/proto/batch.h"

namespace choreo::testing {
namespace {

std::string Owned(const proto::ConsumerGroupHeartbeatRequest& hb) {
  std::string out;
  for (const auto& tps : hb.owned_partitions()) {
    for (uint32_t p : tps.partitions())
      out += (out.empty() ? "" : ",") + std::to_string(p);
  }
  return out;
}

}  // namespace

FakeGroupBroker::FakeGroupBroker(uint32_t partitions, int64_t records_per_partition)
    : log_start_(partitions, 0),
      log_end_(partitions, records_per_partition),
      broker_([this](const proto::Request& request, FakeSession& session) {
        session.Reply(Answer(request));
      }) {}

void FakeGroupBroker::SetAssignment(std::set<uint32_t> partitions) {
  std::lock_guard<std::mutex> lock(mu_);
  if (partitions != assignment_) assignment_changed_ = true;
  assignment_ = std::move(partitions);
}

void FakeGroupBroker::FailNextHeartbeat(proto::ErrorCode code) {
  std::lock_guard<std::mutex> lock(mu_);
  next_error_ = code;
}

void FakeGroupBroker::SetCommitted(uint32_t partition, int64_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  committed_[partition] = offset;
}

void FakeGroupBroker::SetLogStart(uint32_t partition, int64_t offset) {
  std::lock_guard<std::mutex> lock(mu_);
  log_start_[partition] = offset;
}

std::vector<proto::ConsumerGroupHeartbeatRequest> FakeGroupBroker::heartbeats() {
  std::lock_guard<std::mutex> lock(mu_);
  return heartbeats_;
}
std::vector<proto::OffsetCommitRequest> FakeGroupBroker::commits() {
  std::lock_guard<std::mutex> lock(mu_);
  return commits_;
}
std::vector<proto::FetchRequest> FakeGroupBroker::fetches() {
  std::lock_guard<std::mutex> lock(mu_);
  return fetches_;
}
std::vector<std::string> FakeGroupBroker::events() {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}
std::map<uint32_t, int64_t> FakeGroupBroker::committed() {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_;
}

proto::Response FakeGroupBroker::Answer(const proto::Request& request) {
  if (request.has_group_heartbeat()) return Heartbeat(request);
  if (request.has_fetch()) return Fetch(request);
  std::lock_guard<std::mutex> lock(mu_);
  proto::Response response = FakeBroker::ResponseTo(request);
  if (request.has_offset_commit()) {
    commits_.push_back(request.offset_commit());
    std::string event = "commit";
    for (const auto& p : request.offset_commit().partitions()) {
      committed_[p.partition()] = p.offset();
      event += " " + std::to_string(p.partition()) + "=" + std::to_string(p.offset());
      auto* out = response.mutable_offset_commit()->add_partitions();
      out->set_topic(p.topic());
      out->set_partition(p.partition());
    }
    events_.push_back(event);
  } else if (request.has_offset_fetch()) {
    for (const auto& tps : request.offset_fetch().partitions()) {
      for (uint32_t p : tps.partitions()) {
        auto* out = response.mutable_offset_fetch()->add_partitions();
        out->set_topic(tps.topic());
        out->set_partition(p);
        auto it = committed_.find(p);
        out->set_offset(it == committed_.end() ? -1 : it->second);
      }
    }
  } else if (request.has_list_offsets()) {
    for (const auto& q : request.list_offsets().partitions()) {
      auto* out = response.mutable_list_offsets()->add_partitions();
      out->set_topic(q.topic());
      out->set_partition(q.partition());
      out->set_offset(q.spec() == proto::ListOffsetsRequest::EARLIEST ? log_start_[q.partition()]
                                                                      : log_end_[q.partition()]);
    }
  }
  return response;
}

proto::Response FakeGroupBroker::Heartbeat(const proto::Request& request) {
  std::lock_guard<std::mutex> lock(mu_);
  const proto::ConsumerGroupHeartbeatRequest& hb = request.group_heartbeat();
  heartbeats_.push_back(hb);
  proto::Response response = FakeBroker::ResponseTo(request);
  if (hb.member_epoch() < 0) {
    events_.push_back("leave epoch=" + std::to_string(hb.member_epoch()));
    response.mutable_group_heartbeat()->set_member_epoch(hb.member_epoch());
    return response;
  }
  events_.push_back("heartbeat epoch=" + std::to_string(hb.member_epoch()) + " owned=" + Owned(hb));
  if (next_error_ != proto::NONE) {
    response.mutable_error()->set_code(std::exchange(next_error_, proto::NONE));
    response.mutable_error()->set_message("scripted");
    return response;
  }
  if (hb.member_epoch() == 0 || assignment_changed_) {
    ++epoch_;
    assignment_changed_ = false;
  }
  proto::ConsumerGroupHeartbeatResponse* out = response.mutable_group_heartbeat();
  out->set_member_id(hb.member_id());
  out->set_member_epoch(epoch_);
  out->set_heartbeat_interval_ms(20);
  out->set_group_epoch(epoch_);
  if (!assignment_.empty()) {
    proto::TopicPartitions* tps = out->add_assignment();
    tps->set_topic("t");
    for (uint32_t p : assignment_)
      tps->add_partitions(p);
  }
  return response;
}

proto::Response FakeGroupBroker::Fetch(const proto::Request& request) {
  std::lock_guard<std::mutex> lock(mu_);
  fetches_.push_back(request.fetch());
  proto::Response response = FakeBroker::ResponseTo(request);
  for (const auto& wanted : request.fetch().partitions()) {
    auto* p = response.mutable_fetch()->add_partitions();
    p->set_topic(wanted.topic());
    p->set_partition(wanted.partition());
    const uint32_t n = wanted.partition();
    p->set_log_start_offset(log_start_[n]);
    p->set_high_watermark(log_end_[n]);
    if (wanted.offset() < log_start_[n] || wanted.offset() > log_end_[n]) {
      p->mutable_error()->set_code(proto::OFFSET_OUT_OF_RANGE);
      continue;
    }
    if (wanted.offset() == log_end_[n]) continue;
    proto::RecordList list;
    for (int64_t o = wanted.offset(); o < log_end_[n]; ++o)
      list.add_records()->set_value("p" + std::to_string(n) + "-" + std::to_string(o));
    proto::FetchedBatch* batch = p->add_batches();
    batch->set_base_offset(wanted.offset());
    proto::EncodeBatch(list, proto::COMPRESSION_NONE, {}, batch->mutable_batch());
  }
  return response;
}

}  // namespace choreo::testing

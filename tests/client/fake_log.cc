#include "tests/client/fake_log.h"

#include "choreo/proto/batch.h"

namespace choreo::testing {

void FakeLog::CreateTopic(const std::string& name, uint32_t partitions) {
  std::lock_guard<std::mutex> lock(mu_);
  topics_[name].resize(partitions);
}

void FakeLog::SetProduceHook(ProduceHook hook) {
  std::lock_guard<std::mutex> lock(mu_);
  hook_ = std::move(hook);
}

void FakeLog::SetInitError(proto::ErrorCode code) {
  std::lock_guard<std::mutex> lock(mu_);
  init_error_ = code;
}

FakeBroker::Handler FakeLog::Handler() {
  return
      [this](const proto::Request& request, FakeSession& session) { OnRequest(request, session); };
}

std::vector<FakeLog::StoredRecord> FakeLog::Records(const std::string& topic, uint32_t partition) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition >= it->second.size()) return {};
  return it->second[partition].records;
}

std::vector<proto::ProduceRequest> FakeLog::ProduceRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  return produce_requests_;
}

std::vector<proto::InitProducerRequest> FakeLog::InitRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  return init_requests_;
}

int FakeLog::MetadataRequests() {
  std::lock_guard<std::mutex> lock(mu_);
  return metadata_requests_;
}

void FakeLog::OnRequest(const proto::Request& request, FakeSession& session) {
  proto::Response response = FakeBroker::ResponseTo(request);
  if (request.has_metadata()) {
    std::lock_guard<std::mutex> lock(mu_);
    ++metadata_requests_;
    for (const std::string& name : request.metadata().topics()) {
      proto::TopicMetadata* topic = response.mutable_metadata()->add_topics();
      topic->set_name(name);
      auto it = topics_.find(name);
      if (it == topics_.end()) {
        topic->mutable_error()->set_code(proto::UNKNOWN_TOPIC);
        continue;
      }
      topic->mutable_config()->set_partitions(static_cast<uint32_t>(it->second.size()));
      for (uint32_t p = 0; p < it->second.size(); ++p)
        topic->add_partitions()->set_partition(p);
    }
  } else if (request.has_init_producer()) {
    std::lock_guard<std::mutex> lock(mu_);
    const proto::InitProducerRequest& init = request.init_producer();
    init_requests_.push_back(init);
    if (init_error_ != proto::NONE) {
      response.mutable_error()->set_code(init_error_);
    } else if (init.producer_id() < 0) {
      const int64_t id = next_producer_id_++;
      producer_epochs_[id] = 0;
      response.mutable_init_producer()->set_producer_id(id);
      response.mutable_init_producer()->set_producer_epoch(0);
    } else if (!producer_epochs_.contains(init.producer_id())) {
      response.mutable_error()->set_code(proto::UNKNOWN_PRODUCER_ID);
    } else {
      response.mutable_init_producer()->set_producer_id(init.producer_id());
      response.mutable_init_producer()->set_producer_epoch(producer_epochs_[init.producer_id()]);
    }
  } else if (request.has_produce()) {
    Decision decision;
    {
      std::lock_guard<std::mutex> lock(mu_);
      const int n = static_cast<int>(produce_requests_.size());
      produce_requests_.push_back(request.produce());
      if (hook_) decision = hook_(request.produce(), n);
    }
    switch (decision.action) {
      case Action::kApply:
        response = Produce(request);
        break;
      case Action::kApplyAndDrop:
        Produce(request);
        session.Close();
        return;
      case Action::kDrop:
        session.Close();
        return;
      case Action::kHold:
        return;
      case Action::kFail:
        response.mutable_produce();
        response.mutable_error()->set_code(decision.error);
        response.mutable_error()->set_message("injected");
        break;
    }
  } else {
    response.mutable_error()->set_code(proto::INVALID_REQUEST);
  }
  session.Reply(response);
}

proto::Response FakeLog::Produce(const proto::Request& request) {
  const proto::ProduceRequest& produce = request.produce();
  proto::Response response = FakeBroker::ResponseTo(request);
  proto::ProduceResponse* body = response.mutable_produce();
  body->set_topic(produce.topic());
  body->set_partition(produce.partition());
  auto fail = [&](proto::ErrorCode code) {
    response.mutable_error()->set_code(code);
    return response;
  };
  proto::RecordBatch header;
  proto::RecordList list;
  std::string message;
  if (proto::DecodeBatch(produce.batch(), &header, &list, &message) != proto::NONE) {
    return fail(proto::CORRUPT_MESSAGE);
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto topic = topics_.find(produce.topic());
  if (topic == topics_.end()) return fail(proto::UNKNOWN_TOPIC);
  if (produce.partition() >= topic->second.size()) return fail(proto::INVALID_PARTITION);
  Partition& partition = topic->second[produce.partition()];
  const int64_t base_offset = static_cast<int64_t>(partition.records.size());
  const uint32_t count = header.record_count();
  if (header.producer_id() >= 0) {
    auto epoch = producer_epochs_.find(header.producer_id());
    if (epoch == producer_epochs_.end()) return fail(proto::UNKNOWN_PRODUCER_ID);
    if (epoch->second != header.producer_epoch()) return fail(proto::PRODUCER_FENCED);
    ProducerPartition& state = partition.producers[header.producer_id()];
    const int32_t base = header.base_sequence();
    for (const WindowEntry& entry : state.window) {
      if (entry.base_sequence == base && entry.count == count) {
        body->set_base_offset(entry.base_offset);
        body->set_duplicate(true);
        return response;
      }
    }
    if (base > state.last_sequence + 1) return fail(proto::OUT_OF_ORDER_SEQUENCE);
    if (base <= state.last_sequence) return fail(proto::DUPLICATE_SEQUENCE);
    state.last_sequence = base + static_cast<int32_t>(count) - 1;
    state.window.push_back({base, count, base_offset});
    if (state.window.size() > 5) state.window.erase(state.window.begin());
  }
  for (const proto::Record& record : list.records()) {
    partition.records.push_back(
        {static_cast<int64_t>(partition.records.size()), record.key(), record.value()});
  }
  body->set_base_offset(base_offset);
  return response;
}

}  // namespace choreo::testing

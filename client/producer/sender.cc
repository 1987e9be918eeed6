// The sender thread: turns accumulated records into requests, and keeps a connection.
#include <algorithm>
#include <limits>
#include <utility>

#include "client/producer/batch_encoding.h"
#include "client/producer/producer_core.h"
#include "client/producer/retry_policy.h"

namespace choreo::client_internal {

void ProducerCore::UpdateLimits(const BrokerInfo& broker) {
  frame_limit_ = options_.client.max_frame_bytes;
  if (broker.max_frame_bytes > 0) frame_limit_ = std::min(frame_limit_, broker.max_frame_bytes);
  broker_batch_limit_ =
      broker.max_batch_bytes > 0 ? broker.max_batch_bytes : std::numeric_limits<uint64_t>::max();
}

void ProducerCore::RunSender() {
  Lock lock(mu_);
  while (!stopping_) {
    wake_due_ = Clock::time_point::max();  // wake-ups asked for from now on are not scanned yet
    const Clock::time_point now = Clock::now();
    Clock::time_point next = Clock::time_point::max();
    const bool can_send = fatal_.ok() && !connection_broken_;
    if (fatal_.ok() && connection_broken_) {
      if (now >= reconnect_at_) {
        lock.unlock();
        Reconnect();
        lock.lock();
        continue;
      }
      next = reconnect_at_;
    }
    Work work;
    CollectWork(now, work, &next, can_send);
    const uint64_t generation = generation_;
    lock.unlock();
    completions_.Drain();
    Execute(work, generation);
    lock.lock();
    StoreEncoded(work);
    if (!work.empty()) continue;
    // Sleep until the earliest deadline seen, or one a Submit()/response asked for meanwhile;
    // WakeSender() lowers sender_wake_at_ and notifies.
    sender_wake_at_ = std::min(next, wake_due_);
    sender_waiting_ = true;
    while (!stopping_ && Clock::now() < sender_wake_at_) {
      if (sender_wake_at_ == Clock::time_point::max()) {
        wake_.wait(lock);
      } else {
        wake_.wait_until(lock, sender_wake_at_);
      }
    }
    sender_waiting_ = false;
  }
}

void ProducerCore::Reconnect() {
  // Every callback of the old connection has run once Close() returns, so nothing it carried is
  // still outstanding when the batches are resent on the new one.
  if (connection_) connection_->Close();
  connection_.reset();
  Result<std::unique_ptr<Connection>> opened = Connection::Open(options_.client);
  Status status = opened.status();
  if (opened.ok() && options_.enable_idempotence) {
    // The same id and epoch: the broker keeps the sequence state, so resent batches are
    // recognized as duplicates. The first connection (the broker was not reachable at Create())
    // asks for a new id.
    Result<ProducerIdentity> granted =
        InitProducer(**opened, identity_, options_.client.request_timeout);
    status = granted.status();
    if (granted.ok()) identity_ = *granted;
  }
  std::unique_ptr<Connection> unused;
  {
    Lock lock(mu_);
    if (status.ok()) {
      connection_ = std::move(opened).value();
      ++generation_;
      connection_broken_ = false;
      last_connect_error_ = OkStatus();
      UpdateLimits(connection_->broker());
      return;
    }
    last_connect_error_ = status;
    switch (status.code()) {
      case ErrorCode::kProducerFenced:
      case ErrorCode::kUnknownProducerId:
      case ErrorCode::kUnsupportedVersion:
        SetFatal(Status(status.code(), "reconnecting: " + status.message()));
        break;
      default:
        reconnect_at_ = Clock::now() + Backoff(options_.retry_backoff, options_.retry_backoff_max,
                                               ++reconnect_failures_);
        break;
    }
    if (opened.ok()) unused = std::move(opened).value();
  }
  unused.reset();  // closes it outside the lock
  completions_.Drain();
}

void ProducerCore::BreakConnection(Clock::time_point now) {
  connection_broken_ = true;
  // The first loss reconnects at once; repeated ones back off.
  reconnect_at_ = now;
  if (reconnect_failures_ > 0) {
    reconnect_at_ +=
        Backoff(options_.retry_backoff, options_.retry_backoff_max, reconnect_failures_);
  }
  ++reconnect_failures_;
  WakeSender();
}

void ProducerCore::Expire(TopicState& topic, Clock::time_point now) {
  const std::string timeout = std::to_string(options_.delivery_timeout.count()) + " ms";
  while (!topic.waiting.empty() && (topic.waiting.front().deadline <= now ||
                                    topic.waiting.front().metadata_deadline <= now)) {
    const bool delivery = topic.waiting.front().deadline <= now;
    std::string why =
        "no metadata for topic '" + topic.name + "' within " +
        (delivery ? "delivery_timeout (" + timeout + ")"
                  : "max_block (" + std::to_string(MetadataWait(options_).count()) + " ms)");
    if (connection_broken_ && !last_connect_error_.ok()) {
      why += ": not connected to the broker (" + last_connect_error_.message() + ")";
    }
    CompleteSubmission(topic.waiting.front(), Status(ErrorCode::kTimeout, std::move(why)));
    topic.waiting.pop_front();
  }
  const Status unsent(ErrorCode::kTimeout,
                      "record not sent within delivery_timeout (" + timeout + ")");
  for (auto& partition : topic.partitions) {
    if (partition->open && partition->open->deadline <= now) {
      partition->open->dropped = true;
      CompleteBatch(*partition->open, unsent, true);
      partition->open = nullptr;
    }
    while (!partition->ready.empty() && partition->ready.front()->deadline <= now) {
      partition->ready.front()->dropped = true;
      CompleteBatch(*partition->ready.front(), unsent, true);
      partition->ready.pop_front();
    }
    for (const BatchPtr& batch : partition->window.batches()) {
      if (batch->reported || batch->resolved || batch->deadline > now) continue;
      // Reported now, but kept (and resent) until resolved: later batches depend on its sequence.
      CompleteBatch(
          *batch,
          Status(ErrorCode::kTimeout, "record not acknowledged within delivery_timeout (" +
                                          timeout + "); it may have been appended"),
          /*release_memory=*/false);
    }
  }
}

void ProducerCore::CollectWork(Clock::time_point now, Work& work, Clock::time_point* next,
                               bool can_send) {
  const bool no_linger = flushing_ > 0 || closing_;
  auto at_most = [next](Clock::time_point t) { *next = std::min(*next, t); };
  for (auto& [name, topic] : accumulator_.topics()) {
    Expire(topic, now);
    TopicMetadataState& metadata = topic.metadata;
    if (!metadata.in_flight && fatal_.ok()) {
      const Clock::time_point stale = metadata.fetched_at + options_.metadata_max_age;
      if (metadata.partition_count > 0 && now >= stale) metadata.wanted = true;
      if (metadata.wanted && now >= metadata.not_before) {
        if (can_send) {
          metadata.in_flight = true;
          metadata.wanted = false;
          work.metadata.push_back(name);
        }
      } else if (metadata.wanted) {
        at_most(metadata.not_before);
      } else if (metadata.partition_count > 0) {
        at_most(stale);
      }
    }
    if (!topic.waiting.empty()) {
      at_most(std::min(topic.waiting.front().deadline, topic.waiting.front().metadata_deadline));
    }
    for (auto& partition_ptr : topic.partitions) {
      PartitionState& partition = *partition_ptr;
      if (partition.open) {
        const Clock::time_point due = partition.open->created + options_.linger;
        if (no_linger || now >= due || (options_.adaptive_linger && partition.Idle())) {
          Accumulator::CloseOpen(partition);
        } else {
          at_most(std::min(due, partition.open->deadline));
        }
      }
      for (const BatchPtr& batch : partition.ready) {
        if (batch->encoded_body || batch->encoding) continue;
        batch->encoding = true;
        work.to_encode.push_back(batch);
      }
      if (!partition.ready.empty()) at_most(partition.ready.front()->deadline);
      for (const BatchPtr& batch : partition.window.batches()) {
        if (!batch->reported && !batch->resolved) at_most(batch->deadline);
      }
      if (!can_send) continue;
      auto send = [&](const BatchPtr& batch) {
        partition.window.OnSent(*batch);
        work.sends.push_back(SendJob{
            batch, batch->encoded_body,
            options_.enable_idempotence ? SequenceSuffix(batch->base_sequence) : std::string()});
      };
      // Resends first: they hold the older sequences.
      for (const BatchPtr& batch : partition.window.TakeResends(now))
        send(batch);
      while (partition.window.HasRoom() && !partition.ready.empty() &&
             partition.ready.front()->encoded_body) {
        BatchPtr batch = std::move(partition.ready.front());
        partition.ready.pop_front();
        partition.window.Admit(batch);
        send(batch);
      }
      at_most(partition.window.ResendDue());
    }
  }
}

void ProducerCore::Execute(Work& work, uint64_t generation) {
  for (const std::string& topic : work.metadata) {
    proto::Request request;
    request.mutable_metadata()->add_topics(topic);
    connection_->Send(std::move(request), options_.client.request_timeout,
                      [this, topic, generation](Result<proto::Response> response) {
                        OnMetadataResponse(topic, generation, std::move(response));
                      });
  }
  for (SendJob& job : work.sends) {
    proto::Request request;
    proto::ProduceRequest* produce = request.mutable_produce();
    produce->set_topic(job.batch->topic);  // topic and partition never change: no lock needed
    produce->set_partition(job.batch->partition);
    std::string* bytes = produce->mutable_batch();
    bytes->reserve(job.body->size() + job.suffix.size());
    bytes->append(*job.body);
    bytes->append(job.suffix);
    produce->set_timeout_ms(static_cast<uint32_t>(options_.client.request_timeout.count()));
    connection_->Send(
        std::move(request), options_.client.request_timeout,
        [this, batch = std::move(job.batch), generation](Result<proto::Response> response) {
          OnProduceResponse(batch, generation, std::move(response));
        });
  }
  // Closed batches are touched only by this thread, so they are encoded without the lock.
  work.encoded.reserve(work.to_encode.size());
  for (const BatchPtr& batch : work.to_encode) {
    work.encoded.push_back(
        EncodeBatchBody(*batch, options_.compression, identity_.id, identity_.epoch));
  }
}

void ProducerCore::StoreEncoded(Work& work) {
  for (size_t i = 0; i < work.to_encode.size(); ++i) {
    ProducerBatch& batch = *work.to_encode[i];
    batch.encoding = false;
    if (work.encoded[i].ok()) {
      batch.encoded_body = std::make_shared<const std::string>(std::move(work.encoded[i]).value());
      continue;
    }
    if (batch.dropped) continue;
    TopicState* topic = accumulator_.FindTopic(batch.topic);
    if (topic == nullptr || batch.partition >= topic->partitions.size()) continue;
    std::deque<BatchPtr>& ready = topic->partitions[batch.partition]->ready;
    ready.erase(std::remove(ready.begin(), ready.end(), work.to_encode[i]), ready.end());
    batch.dropped = true;
    CompleteBatch(batch, work.encoded[i].status(), true);
  }
}

}  // namespace choreo::client_internal

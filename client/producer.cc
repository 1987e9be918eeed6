// Producer: the public class. Everything happens in ProducerCore (client/producer/).
#include "choreo/client/producer.h"

#include <utility>

#include "client/connection.h"
#include "client/producer/init_producer.h"
#include "client/producer/producer_core.h"
#include "client/producer/scheduled_sends.h"

namespace choreo {

using client_internal::Connection;
using client_internal::ProducerCore;
using client_internal::ProducerIdentity;

class Producer::Impl : public ProducerCore {
 public:
  Impl(const ProducerOptions& options, std::unique_ptr<Connection> connection,
       ProducerIdentity identity, Status not_connected)
      : ProducerCore(options, std::move(connection), identity, std::move(not_connected)),
        scheduled(options) {}

  // Schedule() and CancelScheduled(): outside the batching pipeline (scheduled_sends.h).
  client_internal::ScheduledSends scheduled;
};

namespace {

std::future<Result<RecordMetadata>> FutureFor(SendCallback* callback) {
  auto promise = std::make_shared<std::promise<Result<RecordMetadata>>>();
  *callback = [promise](const Result<RecordMetadata>& result) { promise->set_value(result); };
  return promise->get_future();
}

}  // namespace

Result<std::unique_ptr<Producer>> Producer::Create(const ProducerOptions& options) {
  if (Status valid = client_internal::ValidateProducerOptions(options); !valid.ok()) return valid;
  if (Status valid = client_internal::ValidateClientOptions(options.client); !valid.ok()) {
    return valid;
  }
  // One attempt now, so that a broker that refuses this producer (version, idempotence) fails
  // Create(); a broker that is not reachable yet is connected to by the sender thread.
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options.client);
  ProducerIdentity identity;
  Status not_connected = connection.status();
  if (connection.ok() && options.enable_idempotence) {
    Result<ProducerIdentity> granted =
        client_internal::InitProducer(**connection, identity, options.client.request_timeout);
    not_connected = granted.status();
    if (granted.ok()) identity = *granted;
  }
  if (!not_connected.ok() && !client_internal::IsUnreachable(not_connected)) return not_connected;
  std::unique_ptr<Connection> first;
  if (not_connected.ok()) first = std::move(connection).value();
  auto impl = std::make_unique<Impl>(options, std::move(first), identity, not_connected);
  impl->Start();
  return std::unique_ptr<Producer>(new Producer(std::move(impl)));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() = default;

std::future<Result<RecordMetadata>> Producer::Send(std::string_view topic, Record record,
                                                   std::optional<uint32_t> partition) {
  SendCallback callback;
  std::future<Result<RecordMetadata>> future = FutureFor(&callback);
  Send(topic, std::move(record), partition, std::move(callback));
  return future;
}

void Producer::Send(std::string_view topic, Record record, std::optional<uint32_t> partition,
                    SendCallback callback) {
  impl_->SubmitOne(topic, partition, std::move(record), std::move(callback));
}

std::future<Result<RecordMetadata>> Producer::SendBatch(std::string_view topic, uint32_t partition,
                                                        std::vector<Record> records) {
  SendCallback callback;
  std::future<Result<RecordMetadata>> future = FutureFor(&callback);
  impl_->SubmitBatch(topic, partition, std::move(records), std::move(callback));
  return future;
}

Status Producer::Flush(std::chrono::milliseconds timeout) {
  return impl_->Flush(timeout);
}

Status Producer::Close(std::chrono::milliseconds timeout) {
  impl_->scheduled.Close();
  return impl_->Close(timeout);
}

Result<ScheduledRecord> Producer::Schedule(std::string_view id,
                                           std::chrono::system_clock::time_point due,
                                           std::string_view topic, Record record,
                                           std::optional<uint32_t> partition) {
  return impl_->scheduled.Schedule(id, due, topic, std::move(record), partition);
}

Result<ScheduledRecord> Producer::ScheduleAfter(std::string_view id,
                                                std::chrono::milliseconds delay,
                                                std::string_view topic, Record record,
                                                std::optional<uint32_t> partition) {
  return Schedule(id, std::chrono::system_clock::now() + delay, topic, std::move(record),
                  partition);
}

Result<CancelOutcome> Producer::CancelScheduled(std::string_view id) {
  return impl_->scheduled.Cancel(id);
}

}  // namespace choreo

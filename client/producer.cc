#include "choreo/client/producer.h"

#include <condition_variable>
#include <mutex>
#include <utility>

#include "client/connection.h"
#include "client/record_codec.h"
#include "client/wire_status.h"

namespace choreo {

using client_internal::Connection;

// Each Send()/SendBatch() becomes one ProduceRequest carrying one RecordBatch, pipelined on the
// producer's connection. `outstanding_` counts requests whose outcome was not reported yet, so that
// Flush() can wait for them.
class Producer::Impl {
 public:
  Impl(const ProducerOptions& options, std::unique_ptr<Connection> connection)
      : options_(options), connection_(std::move(connection)) {}

  ~Impl() { Close(options_.client.request_timeout); }

  void Produce(std::string_view topic, uint32_t partition, const std::vector<Record>& records,
               SendCallback callback);
  Status Flush(std::chrono::milliseconds timeout);
  Status Close(std::chrono::milliseconds timeout);

 private:
  void Finish(const SendCallback& callback, const Result<RecordMetadata>& result);

  const ProducerOptions options_;
  const std::unique_ptr<Connection> connection_;
  std::mutex mu_;
  std::condition_variable idle_;
  uint64_t outstanding_ = 0;  // guarded by mu_
  bool closed_ = false;       // guarded by mu_
};

void Producer::Impl::Produce(std::string_view topic, uint32_t partition,
                             const std::vector<Record>& records, SendCallback callback) {
  if (topic.empty()) {
    callback(Status(ErrorCode::kInvalidArgument, "topic name is empty"));
    return;
  }
  Result<std::string> batch = client_internal::EncodeRecords(records);
  if (!batch.ok()) {
    callback(batch.status());
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      callback(Status(ErrorCode::kClosed, "producer is closed"));
      return;
    }
    ++outstanding_;
  }
  proto::Request request;
  proto::ProduceRequest* produce = request.mutable_produce();
  produce->set_topic(std::string(topic));
  produce->set_partition(partition);
  produce->set_batch(std::move(batch).value());
  produce->set_timeout_ms(static_cast<uint32_t>(options_.client.request_timeout.count()));
  connection_->Send(
      std::move(request), options_.client.request_timeout,
      [this, callback = std::move(callback), topic = std::string(topic),
       partition](Result<proto::Response> response) {
        response = client_internal::CheckResponse(std::move(response), proto::Response::kProduce);
        if (!response.ok()) {
          Finish(callback, response.status());
          return;
        }
        Finish(callback, RecordMetadata{topic, partition, response->produce().base_offset()});
      });
}

void Producer::Impl::Finish(const SendCallback& callback, const Result<RecordMetadata>& result) {
  callback(result);
  std::lock_guard<std::mutex> lock(mu_);
  if (--outstanding_ == 0) idle_.notify_all();
}

Status Producer::Impl::Flush(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!idle_.wait_for(lock, timeout, [this] { return outstanding_ == 0; })) {
    return Status(ErrorCode::kTimeout, std::to_string(outstanding_) +
                                           " records still unacknowledged after " +
                                           std::to_string(timeout.count()) + " ms");
  }
  return OkStatus();
}

Status Producer::Impl::Close(std::chrono::milliseconds timeout) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return OkStatus();
    closed_ = true;
  }
  Status flushed = Flush(timeout);
  // Fails whatever is still pending with kClosed; the callbacks run before Close() returns.
  connection_->Close();
  return flushed;
}

Result<std::unique_ptr<Producer>> Producer::Create(const ProducerOptions& options) {
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options.client);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<Producer>(
      new Producer(std::make_unique<Impl>(options, std::move(connection).value())));
}

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::~Producer() = default;

std::future<Result<RecordMetadata>> Producer::Send(std::string_view topic, Record record,
                                                   std::optional<uint32_t> partition) {
  auto promise = std::make_shared<std::promise<Result<RecordMetadata>>>();
  std::future<Result<RecordMetadata>> future = promise->get_future();
  Send(topic, std::move(record), partition,
       [promise](const Result<RecordMetadata>& result) { promise->set_value(result); });
  return future;
}

void Producer::Send(std::string_view topic, Record record, std::optional<uint32_t> partition,
                    SendCallback callback) {
  std::vector<Record> records;
  records.push_back(std::move(record));
  impl_->Produce(topic, partition.value_or(0), records, std::move(callback));
}

std::future<Result<RecordMetadata>> Producer::SendBatch(std::string_view topic, uint32_t partition,
                                                        std::vector<Record> records) {
  auto promise = std::make_shared<std::promise<Result<RecordMetadata>>>();
  std::future<Result<RecordMetadata>> future = promise->get_future();
  impl_->Produce(topic, partition, records,
                 [promise](const Result<RecordMetadata>& result) { promise->set_value(result); });
  return future;
}

Status Producer::Flush(std::chrono::milliseconds timeout) {
  return impl_->Flush(timeout);
}

Status Producer::Close(std::chrono::milliseconds timeout) {
  return impl_->Close(timeout);
}

}  // namespace choreo

#include "choreo/client/consumer.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "client/connection.h"
#include "client/fetch_decoder.h"
#include "client/requests.h"
#include "client/wire_status.h"

namespace choreo {

using client_internal::Connection;
using std::chrono::milliseconds;

class Consumer::Impl {
 public:
  Impl(const ConsumerOptions& options, std::unique_ptr<Connection> connection)
      : options_(options), connection_(std::move(connection)) {}

  Status Assign(const std::vector<PartitionAssignment>& assignments);
  Status Seek(const TopicPartition& tp, int64_t offset);
  Result<int64_t> Position(const TopicPartition& tp) const;
  Result<std::vector<ConsumedRecord>> Poll(milliseconds timeout);
  void Close() {
    closed_ = true;
    connection_->Close();
  }

 private:
  Status CheckOpen() const {
    if (closed_) return Status(ErrorCode::kClosed, "consumer is closed");
    return OkStatus();
  }
  Result<std::vector<ConsumedRecord>> FetchOnce(milliseconds max_wait);

  const ConsumerOptions options_;
  const std::unique_ptr<Connection> connection_;
  bool closed_ = false;
  // The next offset to return, per assigned partition. Ordered, so fetches list partitions in a
  // stable order.
  std::map<TopicPartition, int64_t> positions_;
};

Status Consumer::Impl::Assign(const std::vector<PartitionAssignment>& assignments) {
  if (Status open = CheckOpen(); !open.ok()) return open;
  std::set<std::string> topic_set;
  for (const PartitionAssignment& a : assignments)
    topic_set.insert(a.partition.topic);
  std::map<TopicPartition, int64_t> positions;
  if (!assignments.empty()) {
    Result<std::vector<TopicDescription>> topics = client_internal::RequestMetadata(
        *connection_, std::vector<std::string>(topic_set.begin(), topic_set.end()),
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
          client_internal::RequestOffsets(*connection_, queries, options_.client.request_timeout);
      if (!offsets.ok()) return offsets.status();
      for (size_t i = 0; i < queries.size(); ++i)
        positions[queries[i].partition] = (*offsets)[i];
    }
  }
  positions_ = std::move(positions);
  return OkStatus();
}

Status Consumer::Impl::Seek(const TopicPartition& tp, int64_t offset) {
  if (Status open = CheckOpen(); !open.ok()) return open;
  auto it = positions_.find(tp);
  if (it == positions_.end()) {
    return Status(ErrorCode::kInvalidArgument,
                  tp.topic + "/" + std::to_string(tp.partition) + " is not assigned");
  }
  if (offset < 0) return Status(ErrorCode::kInvalidArgument, "offset must not be negative");
  it->second = offset;
  return OkStatus();
}

Result<int64_t> Consumer::Impl::Position(const TopicPartition& tp) const {
  if (Status open = CheckOpen(); !open.ok()) return open;
  auto it = positions_.find(tp);
  if (it == positions_.end()) {
    return Status(ErrorCode::kInvalidArgument,
                  tp.topic + "/" + std::to_string(tp.partition) + " is not assigned");
  }
  return it->second;
}

Result<std::vector<ConsumedRecord>> Consumer::Impl::Poll(milliseconds timeout) {
  if (Status open = CheckOpen(); !open.ok()) return open;
  if (positions_.empty()) return Status(ErrorCode::kInvalidArgument, "no partitions assigned");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto remaining =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    Result<std::vector<ConsumedRecord>> records =
        FetchOnce(std::clamp(remaining, milliseconds(0), options_.max_wait));
    if (!records.ok() || !records->empty() || std::chrono::steady_clock::now() >= deadline) {
      return records;
    }
  }
}

Result<std::vector<ConsumedRecord>> Consumer::Impl::FetchOnce(milliseconds max_wait) {
  proto::Request request;
  proto::FetchRequest* fetch = request.mutable_fetch();
  for (const auto& [tp, offset] : positions_) {
    proto::FetchRequest::Partition* p = fetch->add_partitions();
    p->set_topic(tp.topic);
    p->set_partition(tp.partition);
    p->set_offset(offset);
    p->set_max_bytes(options_.max_partition_fetch_bytes);
  }
  fetch->set_max_wait_ms(static_cast<uint32_t>(max_wait.count()));
  fetch->set_min_bytes(1);
  fetch->set_max_bytes(options_.max_fetch_bytes);
  Result<proto::Response> response =
      client_internal::Roundtrip(*connection_, std::move(request), proto::Response::kFetch,
                                 options_.client.request_timeout + max_wait);
  if (!response.ok()) return response.status();
  return client_internal::DecodeFetch(response->fetch(), &positions_);
}

Result<std::unique_ptr<Consumer>> Consumer::Create(const ConsumerOptions& options) {
  Result<std::unique_ptr<Connection>> connection = Connection::Open(options.client);
  if (!connection.ok()) return connection.status();
  return std::unique_ptr<Consumer>(
      new Consumer(std::make_unique<Impl>(options, std::move(connection).value())));
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::~Consumer() = default;

Status Consumer::Assign(const std::vector<PartitionAssignment>& assignments) {
  return impl_->Assign(assignments);
}

Status Consumer::Seek(const TopicPartition& tp, int64_t offset) {
  return impl_->Seek(tp, offset);
}

Result<int64_t> Consumer::Position(const TopicPartition& tp) const {
  return impl_->Position(tp);
}

Result<std::vector<ConsumedRecord>> Consumer::Poll(milliseconds timeout) {
  return impl_->Poll(timeout);
}

void Consumer::Close() {
  impl_->Close();
}

}  // namespace choreo

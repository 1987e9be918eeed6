#include "client/producer/scheduled_sends.h"

#include <thread>
#include <utility>
#include <vector>

#include "choreo/client/partitioner.h"
#include "choreo/proto/batch.h"
#include "client/producer/batch_encoding.h"
#include "client/requests.h"

namespace choreo::client_internal {
namespace {

using proto::kScheduledEventsMinor;
constexpr size_t kMaxIdBytes = 512;

// Worth resending: nothing (or nothing definite) reached the broker, or it is restarting.
bool Transient(const Status& status) {
  return status.code() == ErrorCode::kConnectionFailed || status.code() == ErrorCode::kTimeout ||
         status.code() == ErrorCode::kShuttingDown;
}

Status CheckId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return Status(
        ErrorCode::kInvalidArgument,
        "a scheduled record's id must be 1 to 512 bytes, not " + std::to_string(id.size()));
  }
  return OkStatus();
}

int64_t ToMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void ScheduledSends::Close() {
  MutexLock lock(&mu_);
  closed_ = true;
  connection_.reset();
}

Result<Connection*> ScheduledSends::Connected() {
  if (closed_) return Status(ErrorCode::kClosed, "the producer is closed");
  if (connection_ == nullptr || !connection_->IsOpen()) {
    Result<std::unique_ptr<Connection>> opened = Connection::Open(options_.client);
    if (!opened.ok()) return opened.status();
    connection_ = std::move(opened).value();
  }
  if (Status s = RequireProtocolMinor(*connection_, kScheduledEventsMinor, "scheduling records");
      !s.ok()) {
    return s;
  }
  return connection_.get();
}

Result<proto::Response> ScheduledSends::Call(const proto::Request& request,
                                             proto::Response::BodyCase expected,
                                             Clock::time_point deadline) {
  uint32_t failures = 0;
  while (true) {
    Result<Connection*> connection = Connected();
    Status status = connection.status();
    if (connection.ok()) {
      Result<proto::Response> response =
          Roundtrip(**connection, request, expected, options_.client.request_timeout);
      if (response.ok() || !Transient(response.status())) return response;
      status = response.status();
      if (status.code() != ErrorCode::kShuttingDown) connection_.reset();
    } else if (!Transient(status)) {
      return status;
    }
    ++failures;
    const auto backoff = std::min(options_.retry_backoff * (1u << std::min(failures - 1, 10u)),
                                  options_.retry_backoff_max);
    if (Clock::now() + backoff >= deadline) {
      return Status(ErrorCode::kTimeout,
                    "gave up after " + std::to_string(failures) +
                        " attempts within delivery_timeout: " + status.message());
    }
    std::this_thread::sleep_for(backoff);
  }
}

Result<uint32_t> ScheduledSends::PartitionFor(std::string_view topic, std::string_view key,
                                              Clock::time_point deadline) {
  auto cached = partitions_.find(std::string(topic));
  if (cached == partitions_.end() ||
      Clock::now() - cached->second.fetched > options_.metadata_max_age) {
    Result<Connection*> connection = Connected();
    if (!connection.ok()) return connection.status();
    Result<std::vector<TopicDescription>> described =
        RequestMetadata(**connection, {std::string(topic)}, options_.client.request_timeout);
    if (!described.ok()) return described.status();
    if (described->empty() || described->front().partitions.empty()) {
      return Status(ErrorCode::kUnknownTopic, "unknown topic '" + std::string(topic) + "'");
    }
    cached =
        partitions_
            .insert_or_assign(
                std::string(topic),
                PartitionCount{.count = static_cast<uint32_t>(described->front().partitions.size()),
                               .fetched = Clock::now()})
            .first;
  }
  const uint32_t count = cached->second.count;
  if (key.empty()) return next_unkeyed_++ % count;
  if (options_.partitioner != nullptr) return options_.partitioner->Partition(topic, key, count);
  return DefaultPartitionForKey(key, count);
}

Result<ScheduledRecord> ScheduledSends::Schedule(std::string_view id,
                                                 std::chrono::system_clock::time_point due,
                                                 std::string_view topic, Record record,
                                                 std::optional<uint32_t> partition) {
  if (Status s = CheckId(id); !s.ok()) return s;
  const int64_t due_ms = ToMs(due);
  if (due_ms < 0) return Status(ErrorCode::kInvalidArgument, "a due time before 1970");
  if (topic.empty()) return Status(ErrorCode::kInvalidArgument, "empty topic name");
  if (record.timestamp_ms == 0) record.timestamp_ms = due_ms;

  proto::RecordList records;
  proto::Record* wire = records.add_records();
  wire->set_key(std::move(record.key));
  wire->set_value(std::move(record.value));
  wire->set_timestamp_ms(record.timestamp_ms);
  for (Header& header : record.headers) {
    proto::Header* h = wire->add_headers();
    h->set_key(std::move(header.key));
    h->set_value(std::move(header.value));
  }
  proto::Request request;
  proto::ScheduleEventRequest* body = request.mutable_schedule_event();
  if (!proto::EncodeBatch(records, ToProto(options_.compression), proto::BatchProducerFields{},
                          body->mutable_batch())) {
    return Status(ErrorCode::kInvalidArgument, "the record could not be encoded");
  }
  body->set_id(std::string(id));
  body->set_due_time_ms(due_ms);
  body->set_topic(std::string(topic));

  const Clock::time_point deadline = Clock::now() + options_.delivery_timeout;
  MutexLock lock(&mu_);
  if (!partition.has_value()) {
    Result<uint32_t> chosen = PartitionFor(topic, wire->key(), deadline);
    if (!chosen.ok()) return chosen.status();
    partition = *chosen;
  }
  body->set_partition(*partition);
  Result<proto::Response> response = Call(request, proto::Response::kScheduleEvent, deadline);
  if (!response.ok()) {
    // A partition count learnt before partitions were added is refreshed on the next call.
    if (response.status().code() == ErrorCode::kInvalidPartition) {
      partitions_.erase(std::string(topic));
    }
    return response.status();
  }
  const proto::ScheduleEventResponse& answer = response->schedule_event();
  return ScheduledRecord{
      .already_scheduled = answer.already_scheduled(),
      .due = std::chrono::system_clock::time_point(std::chrono::milliseconds(answer.due_time_ms())),
      .partition = *partition};
}

Result<CancelOutcome> ScheduledSends::Cancel(std::string_view id) {
  if (Status s = CheckId(id); !s.ok()) return s;
  proto::Request request;
  request.mutable_cancel_scheduled_event()->set_id(std::string(id));
  MutexLock lock(&mu_);
  Result<proto::Response> response = Call(request, proto::Response::kCancelScheduledEvent,
                                          Clock::now() + options_.delivery_timeout);
  if (!response.ok()) return response.status();
  switch (response->cancel_scheduled_event().outcome()) {
    case proto::CANCEL_CANCELLED:
      return CancelOutcome::kCancelled;
    case proto::CANCEL_ALREADY_CANCELLED:
      return CancelOutcome::kAlreadyCancelled;
    case proto::CANCEL_DELIVERED:
      return CancelOutcome::kDelivered;
    default:
      return CancelOutcome::kNotFound;
  }
}

}  // namespace choreo::client_internal

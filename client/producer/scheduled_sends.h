// ScheduledSends: Producer::Schedule and CancelScheduled (protocol 1.3). They are one request
// each, answered once the broker has stored (or removed) the record, so they do not go through the
// producer's batching pipeline: they use a connection of their own, opened on first use and
// reopened after a loss, and retry transport failures until delivery_timeout (safe: the id makes
// a repeated schedule or cancel change nothing).
//
// Threading: thread-safe; calls are serialized on the connection's mutex (each waits for its
// answer anyway).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "choreo/client/producer.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/common/mutex.h"
#include "client/connection.h"

namespace choreo::client_internal {

class ScheduledSends {
 public:
  explicit ScheduledSends(const ProducerOptions& options) : options_(options) {}

  Result<ScheduledRecord> Schedule(std::string_view id, std::chrono::system_clock::time_point due,
                                   std::string_view topic, Record record,
                                   std::optional<uint32_t> partition);
  Result<CancelOutcome> Cancel(std::string_view id);
  // Later calls fail with kClosed.
  void Close();

 private:
  using Clock = std::chrono::steady_clock;

  // Sends `request`, reconnecting and resending after a transport failure until `deadline`.
  Result<proto::Response> Call(const proto::Request& request, proto::Response::BodyCase expected,
                               Clock::time_point deadline) CHOREO_REQUIRES(mu_);
  // The (open) connection; opens it if needed.
  Result<Connection*> Connected() CHOREO_REQUIRES(mu_);
  // The partition a record of `topic` with `key` goes to.
  Result<uint32_t> PartitionFor(std::string_view topic, std::string_view key,
                                Clock::time_point deadline) CHOREO_REQUIRES(mu_);

  const ProducerOptions options_;
  Mutex mu_;
  bool closed_ CHOREO_GUARDED_BY(mu_) = false;
  std::unique_ptr<Connection> connection_ CHOREO_GUARDED_BY(mu_);
  struct PartitionCount {
    uint32_t count = 0;
    Clock::time_point fetched;
  };
  std::unordered_map<std::string, PartitionCount> partitions_ CHOREO_GUARDED_BY(mu_);
  uint32_t next_unkeyed_ CHOREO_GUARDED_BY(mu_) = 0;
};

}  // namespace choreo::client_internal

// FakeGroupBroker: a scripted broker for group-consumer tests. Topic "t" has `partitions`
// partitions holding offsets [log_start, log_end) with values "p<partition>-<offset>". Heartbeats
// are answered with the assignment the test sets (the member epoch bumps when it changes), or
// with a scripted error; commits and offset fetches use an in-memory map. Every group request is
// recorded in arrival order. Fetches are answered at once (no long poll).
//
// Thread-safe: requests are handled on the FakeBroker's thread, accessors run on the test's.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "choreo/proto/choreo.pb.h"
#include "tests/client/fake_broker.h"

namespace choreo::testing {

class FakeGroupBroker {
 public:
  explicit FakeGroupBroker(uint32_t partitions, int64_t records_per_partition);

  std::string address() const { return broker_.address(); }

  // What the next heartbeat answers assign (epoch bumps on change).
  void SetAssignment(std::set<uint32_t> partitions);
  // The next heartbeat (only) is answered with this error.
  void FailNextHeartbeat(proto::ErrorCode code);
  void SetCommitted(uint32_t partition, int64_t offset);
  void SetLogStart(uint32_t partition, int64_t offset);

  std::vector<proto::ConsumerGroupHeartbeatRequest> heartbeats();
  std::vector<proto::OffsetCommitRequest> commits();
  std::vector<proto::FetchRequest> fetches();
  // Group requests in arrival order: "heartbeat epoch=E owned=0,1", "commit 1=5,2=7",
  // "leave epoch=-1".
  std::vector<std::string> events();
  std::map<uint32_t, int64_t> committed();

 private:
  proto::Response Answer(const proto::Request& request);
  proto::Response Heartbeat(const proto::Request& request);
  proto::Response Fetch(const proto::Request& request);

  std::mutex mu_;
  std::vector<int64_t> log_start_;
  std::vector<int64_t> log_end_;
  std::set<uint32_t> assignment_;
  int32_t epoch_ = 0;
  bool assignment_changed_ = true;
  proto::ErrorCode next_error_ = proto::NONE;
  std::map<uint32_t, int64_t> committed_;
  std::vector<proto::ConsumerGroupHeartbeatRequest> heartbeats_;
  std::vector<proto::OffsetCommitRequest> commits_;
  std::vector<proto::FetchRequest> fetches_;
  std::vector<std::string> events_;
  FakeBroker broker_;  // last: its thread starts once the state above exists
};

}  // namespace choreo::testing

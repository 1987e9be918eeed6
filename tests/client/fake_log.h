// FakeLog: the produce side of a broker, in memory, for producer tests behind FakeBroker.
//
// Answers Metadata (for topics created with CreateTopic), InitProducer and Produce with the
// broker's idempotence rules (those of storage::LogStore::Append): per producer and partition, the
// first sequence is 0, the next batch must continue the last one, an exact repeat of one of the
// last 5 batches is answered as a success with `duplicate` and the original offset, a gap is
// OUT_OF_ORDER_SEQUENCE, an older repeat DUPLICATE_SEQUENCE. A hook may intercept each produce
// request to inject faults. Thread-safe: the handler runs on the FakeBroker's thread, accessors on
// the test's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "choreo/proto/choreo.pb.h"
#include "tests/client/fake_broker.h"

namespace choreo::testing {

class FakeLog {
 public:
  // What to do with one produce request.
  enum class Action {
    kApply,         // append (or reject per the rules) and answer
    kApplyAndDrop,  // append, then close the connection without answering
    kDrop,          // close the connection without appending
    kHold,          // never answer (the request is ignored)
    kFail,          // answer with `hook_error` without appending
  };
  struct Decision {
    Action action = Action::kApply;
    proto::ErrorCode error = proto::NONE;  // for kFail
  };
  // Sees every produce request (number n counts from 0) before it is applied. Runs under the
  // FakeLog's lock: it must not call the FakeLog.
  using ProduceHook = std::function<Decision(const proto::ProduceRequest&, int n)>;

  void CreateTopic(const std::string& name, uint32_t partitions);
  void SetProduceHook(ProduceHook hook);
  // InitProducer answers with this error from now on (NONE: grant).
  void SetInitError(proto::ErrorCode code);

  // The handler to give to FakeBroker.
  FakeBroker::Handler Handler();

  struct StoredRecord {
    int64_t offset = 0;
    std::string key;
    std::string value;
  };
  // Records appended to a partition, in offset order.
  std::vector<StoredRecord> Records(const std::string& topic, uint32_t partition);
  // Every produce request received, in arrival order.
  std::vector<proto::ProduceRequest> ProduceRequests();
  std::vector<proto::InitProducerRequest> InitRequests();
  int MetadataRequests();

 private:
  struct WindowEntry {
    int32_t base_sequence = 0;
    uint32_t count = 0;
    int64_t base_offset = 0;
  };
  struct ProducerPartition {
    int32_t last_sequence = -1;
    std::vector<WindowEntry> window;  // last 5 appended batches
  };
  struct Partition {
    std::vector<StoredRecord> records;
    std::map<int64_t, ProducerPartition> producers;
  };

  void OnRequest(const proto::Request& request, FakeSession& session);
  proto::Response Produce(const proto::Request& request);

  std::mutex mu_;
  std::map<std::string, std::vector<Partition>> topics_;
  ProduceHook hook_;
  proto::ErrorCode init_error_ = proto::NONE;
  int64_t next_producer_id_ = 1000;
  std::map<int64_t, int32_t> producer_epochs_;
  std::vector<proto::ProduceRequest> produce_requests_;
  std::vector<proto::InitProducerRequest> init_requests_;
  int metadata_requests_ = 0;
};

}  // namespace choreo::testing

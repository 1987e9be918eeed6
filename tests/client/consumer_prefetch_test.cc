// The consumer's fetch pipeline: records are fetched ahead of Poll() while data flows, up to the
// buffer bound, and fetching resumes once the application takes records.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "choreo/client/consumer.h"
#include "choreo/proto/batch.h"
#include "tests/client/fake_broker.h"

namespace choreo {
namespace {

using std::chrono::milliseconds;
using testing::FakeBroker;
using testing::FakeSession;

constexpr int kRecordsPerFetch = 10;
constexpr size_t kValueBytes = 1000;

// Partition t/0 never ends: every fetch gets the next 10 records of 1000 bytes.
class EndlessBroker {
 public:
  EndlessBroker()
      : broker_([this](const proto::Request& request, FakeSession& session) {
          session.Reply(Answer(request));
        }) {}
  std::string address() const { return broker_.address(); }
  int fetched_records() const { return fetched_records_; }

 private:
  proto::Response Answer(const proto::Request& request) {
    proto::Response response = FakeBroker::ResponseTo(request);
    if (request.has_metadata()) {
      proto::TopicMetadata* topic = response.mutable_metadata()->add_topics();
      topic->set_name("t");
      topic->mutable_config()->set_partitions(1);
      topic->add_partitions();
    } else if (request.has_fetch()) {
      for (const auto& wanted : request.fetch().partitions()) {
        auto* p = response.mutable_fetch()->add_partitions();
        p->set_topic(wanted.topic());
        p->set_partition(wanted.partition());
        proto::RecordList list;
        for (int i = 0; i < kRecordsPerFetch; ++i)
          list.add_records()->set_value(std::string(kValueBytes, 'v'));
        proto::FetchedBatch* batch = p->add_batches();
        batch->set_base_offset(wanted.offset());
        proto::EncodeBatch(list, proto::COMPRESSION_NONE, {}, batch->mutable_batch());
        fetched_records_ += kRecordsPerFetch;
      }
    }
    return response;
  }

  std::atomic<int> fetched_records_{0};
  FakeBroker broker_;
};

// Waits until `value()` has not changed for `quiet`; false at the deadline.
template <typename Value>
bool Settles(Value value, milliseconds quiet) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  auto last = value();
  auto since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));  // sampling a counter
    if (value() != last) {
      last = value();
      since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - since >= quiet) {
      return true;
    }
  }
  return false;
}

TEST(ConsumerPrefetchTest, FetchesAheadUpToTheBufferBound) {
  EndlessBroker broker;
  ConsumerOptions options;
  options.client.broker = broker.address();
  options.max_buffered_bytes = 50 * kValueBytes;  // about 50 records
  options.max_poll_records = 5;
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(options);
  ASSERT_TRUE(consumer.ok());
  ASSERT_TRUE((*consumer)->Assign({{{"t", 0}, int64_t{0}, StartFrom::kEarliest}}).ok());

  Result<std::vector<ConsumedRecord>> first = (*consumer)->Poll(milliseconds(5000));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 5u);
  // While the application does not poll, the pipeline fills the buffer, then stops.
  ASSERT_TRUE(Settles([&] { return broker.fetched_records(); }, milliseconds(200)));
  const int prefetched = broker.fetched_records();
  EXPECT_GT(prefetched, 2 * kRecordsPerFetch) << "nothing was fetched ahead";
  EXPECT_LE(prefetched, 5 + 50 + 2 * kRecordsPerFetch) << "the buffer bound was not respected";

  // Taking records makes room: fetching resumes, and offsets continue without a gap.
  int64_t next = 5;
  for (int i = 0; i < 40; ++i) {
    Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(milliseconds(5000));
    ASSERT_TRUE(records.ok());
    for (const ConsumedRecord& r : *records)
      EXPECT_EQ(r.offset, next++);
  }
  EXPECT_GT(broker.fetched_records(), prefetched);
}

}  // namespace
}  // namespace choreo

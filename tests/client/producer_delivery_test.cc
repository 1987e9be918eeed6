// Producer: delivery guarantees against a FakeLog with injected faults — resends after a lost
// connection or a retriable error carry the same bytes and sequence and are reported once, a
// definitive failure does not block later batches, fencing is fatal, and the buffer, Flush(),
// Close() and delivery_timeout bound what the caller waits for.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "client/producer/batch_encoding.h"
#include "tests/client/producer_test_util.h"

namespace choreo::testing {
namespace {

using Action = FakeLog::Action;

// Sends `count` single-record batches with SendBatch (each its own batch, in order) to partition 0.
std::vector<std::future<Result<RecordMetadata>>> SendBatches(Producer& producer, int count) {
  std::vector<std::future<Result<RecordMetadata>>> futures;
  for (int i = 0; i < count; ++i)
    futures.push_back(producer.SendBatch("t", 0, {ValueRecord("k", std::to_string(i))}));
  return futures;
}

// The stored values of partition 0 of "t".
std::vector<std::string> StoredValues(FakeLog& log) {
  std::vector<std::string> values;
  for (const FakeLog::StoredRecord& record : log.Records("t", 0))
    values.push_back(record.value);
  return values;
}

TEST(ProducerDeliveryTest, ResendsTheSameBytesAfterALostConnectionAndReportsOnce) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  // Batch 1 is appended, then the connection drops before the answer.
  fake.log.SetProduceHook([](const proto::ProduceRequest&, int n) {
    return FakeLog::Decision{n == 1 ? Action::kApplyAndDrop : Action::kApply};
  });
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());
  ASSERT_NE(producer, nullptr);
  std::vector<std::future<Result<RecordMetadata>>> futures = SendBatches(*producer, 3);
  for (int i = 0; i < 3; ++i) {
    Result<RecordMetadata> result = futures[i].get();
    ASSERT_TRUE(result.ok()) << i << ": " << result.status().ToString();
    EXPECT_EQ(result->offset, i);  // batch 1 keeps the offset of its first append
  }
  ASSERT_TRUE(producer->Close(kLong).ok());
  EXPECT_EQ(StoredValues(fake.log), (std::vector<std::string>{"0", "1", "2"}));

  // The reconnect kept the producer id and epoch, and the resent batch 1 is byte-identical.
  const std::vector<proto::InitProducerRequest> inits = fake.log.InitRequests();
  ASSERT_EQ(inits.size(), 2u);
  EXPECT_EQ(inits[1].producer_id(), 1000);
  EXPECT_EQ(inits[1].producer_epoch(), 0);
  EXPECT_FALSE(inits[1].bump_epoch());
  std::vector<std::string> sent_of_batch1;
  for (const proto::ProduceRequest& request : fake.log.ProduceRequests()) {
    proto::RecordBatch header;
    if (DecodeRecords(request.batch(), &header).records(0).value() == "1") {
      EXPECT_EQ(header.base_sequence(), 1);
      sent_of_batch1.push_back(request.batch());
    }
  }
  ASSERT_EQ(sent_of_batch1.size(), 2u);
  EXPECT_EQ(sent_of_batch1[0], sent_of_batch1[1]);
}

TEST(ProducerDeliveryTest, ResendsAccumulatedRecordsAsTheSameProtobufBytes) {
  for (Compression codec : {Compression::kNone, Compression::kZstd}) {
    LogBroker fake;
    fake.log.CreateTopic("t", 1);
    // The second batch (sequence 1) is appended, then the connection drops before the answer.
    fake.log.SetProduceHook([](const proto::ProduceRequest&, int n) {
      return FakeLog::Decision{n == 1 ? Action::kApplyAndDrop : Action::kApply};
    });
    ProducerOptions options = fake.LingeringOptions(std::chrono::minutes(10));
    options.compression = codec;
    std::unique_ptr<Producer> producer = fake.Create(options);
    ASSERT_NE(producer, nullptr);
    ASSERT_TRUE(producer->SendBatch("t", 0, {ValueRecord("k", "first")}).get().ok());
    Outcomes outcomes;
    for (int i = 0; i < 5; ++i) {
      Record record{"key-" + std::to_string(i), std::string(100, 'a' + i), {}, 1000 + i};
      record.headers = {{"type", "Created"}, {"n", std::to_string(i)}};
      producer->Send("t", std::move(record), 0, outcomes.For(i));
    }
    ASSERT_TRUE(producer->Flush(kLong).ok());
    const auto results = outcomes.Get();
    ASSERT_EQ(results.size(), 5u);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(results.at(i).ok()) << results.at(i).status().ToString();
      EXPECT_EQ(results.at(i)->offset, 1 + i);
      EXPECT_EQ(results.at(i)->topic, "t");
    }
    ASSERT_TRUE(producer->Close(kLong).ok());
    ASSERT_EQ(StoredValues(fake.log).size(), 6u);

    const std::vector<proto::ProduceRequest> requests = fake.log.ProduceRequests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_EQ(requests[1].batch(), requests[2].batch());  // the resend is byte-identical
    // And it is what protobuf encodes for these records, with base_sequence 1 appended.
    proto::RecordBatch header;
    const proto::RecordList records = DecodeRecords(requests[1].batch(), &header);
    ASSERT_EQ(records.records_size(), 5);
    EXPECT_EQ(header.base_sequence(), 1);
    EXPECT_EQ(records.records(3).headers(1).value(), "3");
    std::string expected;
    ASSERT_TRUE(proto::EncodeBatch(records, client_internal::ToProto(codec),
                                   {.producer_id = 1000, .producer_epoch = 0, .base_sequence = 0},
                                   &expected));
    EXPECT_EQ(requests[1].batch(), expected + client_internal::SequenceSuffix(1));
  }
}

TEST(ProducerDeliveryTest, ResendsInSequenceOrderAfterARetriableError) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  // The first attempt of batch 0 fails with STORAGE_ERROR; batches behind it then see a gap.
  fake.log.SetProduceHook([](const proto::ProduceRequest&, int n) {
    return n == 0 ? FakeLog::Decision{Action::kFail, proto::STORAGE_ERROR}
                  : FakeLog::Decision{Action::kApply};
  });
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());
  ASSERT_NE(producer, nullptr);
  std::vector<std::future<Result<RecordMetadata>>> futures = SendBatches(*producer, 5);
  for (int i = 0; i < 5; ++i) {
    Result<RecordMetadata> result = futures[i].get();
    ASSERT_TRUE(result.ok()) << i << ": " << result.status().ToString();
    EXPECT_EQ(result->offset, i);
  }
  EXPECT_EQ(StoredValues(fake.log), (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST(ProducerDeliveryTest, ADefinitiveFailureDoesNotBlockLaterBatches) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  // Batch 1 is refused for good; later batches must be re-sequenced to close the gap.
  fake.log.SetProduceHook([](const proto::ProduceRequest& request, int) {
    proto::RecordBatch header;
    const bool refused = DecodeRecords(request.batch(), &header).records(0).value() == "1";
    return refused ? FakeLog::Decision{Action::kFail, proto::MESSAGE_TOO_LARGE}
                   : FakeLog::Decision{Action::kApply};
  });
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());
  ASSERT_NE(producer, nullptr);
  std::vector<std::future<Result<RecordMetadata>>> futures = SendBatches(*producer, 4);
  EXPECT_TRUE(futures[0].get().ok());
  EXPECT_EQ(futures[1].get().status().code(), ErrorCode::kMessageTooLarge);
  for (int i : {2, 3}) {
    Result<RecordMetadata> result = futures[i].get();
    ASSERT_TRUE(result.ok()) << i << ": " << result.status().ToString();
    EXPECT_EQ(result->offset, i - 1);
  }
  EXPECT_EQ(StoredValues(fake.log), (std::vector<std::string>{"0", "2", "3"}));
}

TEST(ProducerDeliveryTest, ChecksMetadataAndResendsAfterUnknownTopicOrPartition) {
  LogBroker fake;
  fake.log.CreateTopic("t", 2);
  // The broker briefly does not know the topic (as right after it was created elsewhere).
  fake.log.SetProduceHook([](const proto::ProduceRequest&, int n) {
    return n == 0   ? FakeLog::Decision{Action::kFail, proto::UNKNOWN_TOPIC}
           : n == 1 ? FakeLog::Decision{Action::kFail, proto::INVALID_PARTITION}
                    : FakeLog::Decision{Action::kApply};
  });
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());
  ASSERT_NE(producer, nullptr);
  Result<RecordMetadata> result = producer->Send("t", ValueRecord("", "v"), 1).get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(fake.log.MetadataRequests(), 3);  // the first lookup, then one check per error
  EXPECT_EQ(fake.log.Records("t", 1).size(), 1u);
}

TEST(ProducerDeliveryTest, FencingFailsEveryRecordNowAndLater) {
  LogBroker fake;
  fake.log.CreateTopic("t", 2);
  fake.log.SetProduceHook([](const proto::ProduceRequest&, int) {
    return FakeLog::Decision{Action::kFail, proto::PRODUCER_FENCED};
  });
  ProducerOptions options = fake.Options();
  options.linger = milliseconds(50);
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  for (int i = 0; i < 10; ++i)
    producer->Send("t", ValueRecord("", "v"), i % 2, outcomes.For(i));
  ASSERT_TRUE(outcomes.WaitFor(10));
  for (const auto& [i, result] : outcomes.Get())
    EXPECT_EQ(result.status().code(), ErrorCode::kProducerFenced) << i;
  EXPECT_EQ(producer->Send("t", ValueRecord("", "late")).get().status().code(),
            ErrorCode::kProducerFenced);
  EXPECT_TRUE(producer->Close(kLong).ok());
  EXPECT_EQ(outcomes.repeated(), 0);
}

TEST(ProducerDeliveryTest, AFullBufferBlocksUpToMaxBlockThenFails) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  fake.log.SetProduceHook(
      [](const proto::ProduceRequest&, int) { return FakeLog::Decision{Action::kHold}; });
  ProducerOptions options = fake.Options();
  options.buffer_memory_bytes = 4096;  // three 1000-byte records
  options.max_block = milliseconds(200);
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  const std::string value(1000, 'v');
  std::vector<std::future<Result<RecordMetadata>>> held;
  for (int i = 0; i < 3; ++i)
    held.push_back(producer->Send("t", ValueRecord("", value)));
  const auto start = std::chrono::steady_clock::now();
  std::future<Result<RecordMetadata>> blocked = producer->Send("t", ValueRecord("", value));
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(150));   // it waited
  ASSERT_EQ(blocked.wait_for(milliseconds(0)), std::future_status::ready);  // then failed inline
  Result<RecordMetadata> full = blocked.get();
  EXPECT_EQ(full.status().code(), ErrorCode::kResourceExhausted);
  EXPECT_NE(full.status().message().find("buffer_memory_bytes"), std::string::npos);

  EXPECT_EQ(producer->Close(milliseconds(100)).code(), ErrorCode::kTimeout);
  for (auto& future : held)
    EXPECT_EQ(future.get().status().code(), ErrorCode::kClosed);
  EXPECT_EQ(producer->Send("t", ValueRecord("", "v")).get().status().code(), ErrorCode::kClosed);
}

TEST(ProducerDeliveryTest, AFullBufferFailsAtOnceWithoutMaxBlock) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  fake.log.SetProduceHook(
      [](const proto::ProduceRequest&, int) { return FakeLog::Decision{Action::kHold}; });
  ProducerOptions options = fake.Options();
  options.buffer_memory_bytes = 4096;
  options.max_block = milliseconds(0);
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  const std::string value(1000, 'v');
  for (int i = 0; i < 3; ++i)
    producer->Send("t", ValueRecord("", value));
  EXPECT_EQ(producer->Send("t", ValueRecord("", value)).get().status().code(),
            ErrorCode::kResourceExhausted);
  EXPECT_EQ(producer->Send("t", ValueRecord("", std::string(5000, 'v'))).get().status().code(),
            ErrorCode::kMessageTooLarge);  // could never fit
  EXPECT_EQ(producer->Close(milliseconds(10)).code(), ErrorCode::kTimeout);
}

TEST(ProducerDeliveryTest, RecordsFailAfterDeliveryTimeout) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  fake.log.SetProduceHook(
      [](const proto::ProduceRequest&, int) { return FakeLog::Decision{Action::kHold}; });
  ProducerOptions options = fake.Options();
  options.client.request_timeout = milliseconds(100);  // each attempt; then reconnect and resend
  options.delivery_timeout = milliseconds(400);
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  Result<RecordMetadata> result = producer->Send("t", ValueRecord("", "v")).get();
  EXPECT_EQ(result.status().code(), ErrorCode::kTimeout) << result.status().ToString();
  EXPECT_GE(fake.log.ProduceRequests().size(), 2u);  // it was resent before giving up
}

TEST(ProducerDeliveryTest, FlushAndCloseWaitForAcknowledgements) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  std::atomic<bool> hold{true};
  fake.log.SetProduceHook([&hold](const proto::ProduceRequest&, int) {
    return FakeLog::Decision{hold ? Action::kHold : Action::kApply};
  });
  ProducerOptions options = fake.Options();
  options.client.request_timeout = milliseconds(300);
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  std::future<Result<RecordMetadata>> pending = producer->Send("t", ValueRecord("", "v"));
  EXPECT_EQ(producer->Flush(milliseconds(50)).code(), ErrorCode::kTimeout);
  hold = false;  // the next attempt (after the request timeout) is answered
  EXPECT_TRUE(producer->Flush(kLong).ok());
  ASSERT_EQ(pending.wait_for(milliseconds(0)), std::future_status::ready);
  EXPECT_TRUE(pending.get().ok());
  EXPECT_EQ(StoredValues(fake.log), std::vector<std::string>{"v"});
  EXPECT_TRUE(producer->Close(kLong).ok());
  EXPECT_TRUE(producer->Close(kLong).ok());  // idempotent
}

TEST(ProducerDeliveryTest, CallbacksMaySendButNotFlush) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  std::unique_ptr<Producer> producer = fake.Create(fake.Options());
  ASSERT_NE(producer, nullptr);
  Outcomes outcomes;
  std::promise<Status> flushed;
  producer->Send("t", ValueRecord("", "first"), 0, [&](const Result<RecordMetadata>& result) {
    EXPECT_TRUE(result.ok());
    flushed.set_value(producer->Flush(kLong));
    producer->Send("t", ValueRecord("", "second"), 0, outcomes.For(1));
  });
  EXPECT_EQ(flushed.get_future().get().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(outcomes.WaitFor(1));
  EXPECT_TRUE(outcomes.Get().at(1).ok());
}

TEST(ProducerDeliveryTest, NeedsInitProducerUnlessIdempotenceIsOff) {
  LogBroker fake;
  fake.log.CreateTopic("t", 1);
  fake.log.SetInitError(proto::INVALID_REQUEST);  // a broker without InitProducer
  Result<std::unique_ptr<Producer>> refused = Producer::Create(fake.Options());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kUnsupportedVersion);
  EXPECT_NE(refused.status().message().find("enable_idempotence"), std::string::npos);

  ProducerOptions options = fake.Options();
  options.enable_idempotence = false;
  std::unique_ptr<Producer> producer = fake.Create(options);
  ASSERT_NE(producer, nullptr);
  ASSERT_TRUE(producer->Send("t", ValueRecord("", "v")).get().ok());
  proto::RecordBatch header;
  DecodeRecords(fake.log.ProduceRequests().at(0).batch(), &header);
  EXPECT_EQ(header.producer_id(), -1);
}

TEST(ProducerDeliveryTest, RejectsInvalidOptions) {
  LogBroker fake;
  ProducerOptions options = fake.Options();
  options.max_in_flight_per_partition = 6;  // beyond the broker's duplicate window
  EXPECT_EQ(Producer::Create(options).status().code(), ErrorCode::kInvalidArgument);
  options.enable_idempotence = false;
  EXPECT_TRUE(Producer::Create(options).ok());
  options.batch_bytes = 0;
  EXPECT_EQ(Producer::Create(options).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo::testing

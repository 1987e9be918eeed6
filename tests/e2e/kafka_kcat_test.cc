// The Kafka listener against a real Kafka client nobody here wrote: kcat (librdkafka 2.0.2 on
// Debian 12) produces and consumes on a real choreod started with --kafka-listen, and records cross
// between kcat and choreo's own client in both directions with key, value, headers and timestamp
// intact. Skipped where kcat is not installed (scripts/install-deps.sh installs it).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {
namespace {

constexpr char kKcat[] = "/usr/bin/kcat";

class KafkaKcatTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.fsync = "never";
    options.extra_flags = {"--kafka-listen=127.0.0.1:0",
                           "--kafka-port-file=" + (dir_.path() / "kafka.port").string(),
                           "--auto-create-topics"};
    return options;
  }

  void SetUp() override {
    if (!std::filesystem::exists(kKcat)) GTEST_SKIP() << "kcat is not installed";
    BrokerTest::SetUp();
    // choreod writes the Kafka port file before --port-file, which Start() waited for.
    kafka_address_ = "127.0.0.1:" + ReadFile(dir_.path() / "kafka.port");
    while (!kafka_address_.empty() && kafka_address_.back() == '\n')
      kafka_address_.pop_back();
  }

  // Runs kcat with `args` (after -b), failing the test on a non-zero exit; returns its stdout.
  std::string Kcat(std::vector<std::string> args, const std::string& input = "") {
    std::vector<std::string> argv = {kKcat, "-b", kafka_address_};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult result =
        RunProcess(argv, input, dir_.path(), std::chrono::milliseconds(20000));
    EXPECT_EQ(result.exit_code, 0) << "kcat failed: " << result.err << "\nbroker log:\n"
                                   << broker_->LogTail();
    return result.out;
  }

  // Every record of `topic` through kcat, one line each as `format` says (-e: stop at the end).
  std::string KcatConsume(const std::string& topic, const std::string& format) {
    return Kcat({"-C", "-t", topic, "-f", format, "-e", "-q"});
  }

  std::string kafka_address_;
};

// kcat produces keyed records with headers, uncompressed and with each codec; kcat and choreo's
// client read them back with key, value, headers and the same timestamps.
TEST_F(KafkaKcatTest, KcatRoundTripWithHeadersAndEveryCodec) {
  for (const std::string codec : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    SCOPED_TRACE(codec);
    const std::string topic = "kcat-" + codec;
    Kcat({"-P", "-t", topic, "-K", "\t", "-H", "event=OrderCreated", "-H", "codec=" + codec, "-z",
          codec},
         "order-1\tfirst " + codec + "\norder-2\tsecond " + codec + "\n");
    std::map<uint32_t, std::vector<ConsumedRecord>> read = ReadTopic(Client(), topic);
    ASSERT_EQ(read[0].size(), 2u);
    // Timestamps are librdkafka's create times: kcat must read back the ones choreo stored.
    EXPECT_EQ(KcatConsume(topic, "%k %s %h %T\n"),
              "order-1 first " + codec + " event=OrderCreated,codec=" + codec + " " +
                  std::to_string(read[0][0].record.timestamp_ms) + "\n" + "order-2 second " +
                  codec + " event=OrderCreated,codec=" + codec + " " +
                  std::to_string(read[0][1].record.timestamp_ms) + "\n");
    EXPECT_GT(read[0][0].record.timestamp_ms, 0);
    EXPECT_EQ(read[0][1].record.key, "order-2");
    EXPECT_EQ(read[0][1].record.value, "second " + codec);
    ASSERT_EQ(read[0][1].record.headers.size(), 2u);
    EXPECT_EQ(read[0][1].record.headers[0].key, "event");
    EXPECT_EQ(read[0][1].record.headers[0].value, "OrderCreated");
    EXPECT_EQ(read[0][1].record.headers[1].value, codec);
  }
}

// Records choreo's client produced (with explicit timestamps) are read by kcat intact.
TEST_F(KafkaKcatTest, KcatConsumesWhatChoreoProduced) {
  CreateTopic("from-choreo", 1);
  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);
  for (int i = 0; i < 3; ++i) {
    Result<RecordMetadata> sent =
        producer
            ->Send("from-choreo",
                   Record{"saga-" + std::to_string(i),
                          "payload " + std::to_string(i),
                          {{"ce_type", "PaymentFailed"}, {"traceparent", "00-abc-01"}},
                          1'700'000'000'000 + i},
                   0)
            .get();
    ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  }
  ASSERT_TRUE(producer->Close(std::chrono::seconds(10)).ok());
  EXPECT_EQ(KcatConsume("from-choreo", "%o %k %s %h %T\n"),
            "0 saga-0 payload 0 ce_type=PaymentFailed,traceparent=00-abc-01 1700000000000\n"
            "1 saga-1 payload 1 ce_type=PaymentFailed,traceparent=00-abc-01 1700000000001\n"
            "2 saga-2 payload 2 ce_type=PaymentFailed,traceparent=00-abc-01 1700000000002\n");
}

// An idempotent kcat producer (InitProducerId, sequences) over several batches: every record once,
// in order; the producer id and sequences pass the same store rules as choreo's.
TEST_F(KafkaKcatTest, IdempotentKcatProducerKeepsOrder) {
  std::string input;
  for (int i = 0; i < 500; ++i)
    input += "k" + std::to_string(i % 7) + "\t" + std::to_string(i) + "\n";
  Kcat({"-P", "-t", "idempotent", "-K", "\t", "-X", "enable.idempotence=true", "-X",
        "batch.num.messages=50"},
       input);
  std::string expected;
  for (int i = 0; i < 500; ++i)
    expected += std::to_string(i) + " " + std::to_string(i) + "\n";
  EXPECT_EQ(KcatConsume("idempotent", "%o %s\n"), expected);
}

// kcat's metadata view: one broker, the leader of every partition of a topic created by choreo.
TEST_F(KafkaKcatTest, MetadataShowsOneBrokerLeadingEveryPartition) {
  CreateTopic("three", 3);
  const std::string listing = Kcat({"-L", "-t", "three"});
  EXPECT_NE(listing.find("1 brokers:"), std::string::npos) << listing;
  EXPECT_NE(listing.find("topic \"three\" with 3 partitions:"), std::string::npos) << listing;
  EXPECT_NE(listing.find("partition 2, leader 0, replicas: 0, isrs: 0"), std::string::npos)
      << listing;
}

}  // namespace
}  // namespace choreo::e2e

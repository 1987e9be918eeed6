// The Kafka listener against a second real client that shares no code with librdkafka:
// kafka-python (Debian's python3-kafka, the protocol written in pure Python), driven by
// kafka_python_client.py. It creates topics, produces keyed records with headers (uncompressed,
// gzip and lz4), reads them back, looks offsets up by timestamp, and consumes as a group member;
// every answer is compared with what choreo's own client reads from the same broker. Skipped where
// python3-kafka is missing (scripts/install-deps.sh installs it, with python3-lz4 for lz4).
#include <gtest/gtest.h>

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {
namespace {

// Debian's interpreter, which sees Debian's python3-kafka (a python3 earlier on PATH may not).
constexpr char kPython[] = "/usr/bin/python3";
constexpr char kKafkaPythonModule[] = "/usr/lib/python3/dist-packages/kafka/__init__.py";

class KafkaPythonTest : public BrokerTest {
 protected:
  BrokerProcess::Options BrokerOptions() const override {
    BrokerProcess::Options options;
    options.fsync = "never";
    options.extra_flags = {"--kafka-listen=127.0.0.1:0",
                           "--kafka-port-file=" + (dir_.path() / "kafka.port").string()};
    return options;
  }

  void SetUp() override {
    if (!std::filesystem::exists(kPython) || !std::filesystem::exists(kKafkaPythonModule)) {
      GTEST_SKIP() << "python3-kafka is not installed";
    }
    BrokerTest::SetUp();
    kafka_address_ = "127.0.0.1:" + std::to_string(ReadKafkaPort(dir_.path() / "kafka.port"));
  }

  // Runs kafka_python_client.py with `args`, failing the test on a non-zero exit; its stdout.
  std::string Python(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {kPython, KAFKA_PYTHON_CLIENT, kafka_address_};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult result = RunProcess(argv, "", dir_.path(), std::chrono::seconds(60));
    EXPECT_EQ(result.exit_code, 0) << "kafka-python failed: " << result.err << "\nbroker log:\n"
                                   << broker_->LogTail();
    return result.out;
  }

  // A record as kafka_python_client.py prints it (json.dumps with sorted keys).
  static std::string AsPythonJson(const ConsumedRecord& r) {
    std::vector<std::string> headers;
    for (const auto& h : r.record.headers)
      headers.push_back(absl::StrCat("[\"", h.key, "\", \"", h.value, "\"]"));
    return absl::StrCat(
        "{\"headers\": [", absl::StrJoin(headers, ", "), "], \"key\": \"", r.record.key,
        "\", \"offset\": ", r.offset, ", \"partition\": ", r.partition,
        ", \"timestamp\": ", r.record.timestamp_ms, ", \"value\": \"", r.record.value, "\"}\n");
  }

  // What choreo's client reads of `topic`, in kafka_python_client.py's format and order.
  std::string ChoreoView(const std::string& topic) {
    std::string out;
    for (const auto& [partition, records] : ReadTopic(Client(), topic)) {
      for (const ConsumedRecord& r : records)
        out += AsPythonJson(r);
    }
    return out;
  }

  std::string kafka_address_;
};

// kafka-python creates a topic, produces keyed records with headers under each codec it has, and
// reads them back: the same partitions, offsets, keys, values, headers and timestamps that
// choreo's client reads.
TEST_F(KafkaPythonTest, ProducesAndConsumesWithEveryCodec) {
  constexpr int kRecords = 20;
  for (const std::string codec : {"none", "gzip", "lz4"}) {
    SCOPED_TRACE(codec);
    const std::string topic = "python-" + codec;
    Python({"create", topic, "3"});
    const std::string acknowledged = Python({"produce", topic, codec, std::to_string(kRecords)});
    const std::vector<std::string> acks = absl::StrSplit(acknowledged, '\n', absl::SkipEmpty());
    EXPECT_EQ(acks.size(), static_cast<size_t>(kRecords));
    const std::string choreo_view = ChoreoView(topic);
    std::vector<std::string> lines = absl::StrSplit(choreo_view, '\n', absl::SkipEmpty());
    ASSERT_EQ(lines.size(), static_cast<size_t>(kRecords)) << choreo_view;
    // Each acknowledged (partition, offset) is where choreo stored a record.
    for (const std::string& line : acks) {
      std::vector<std::string> at = absl::StrSplit(line, ' ');
      ASSERT_EQ(at.size(), 2u) << line;
      EXPECT_NE(choreo_view.find(absl::StrCat("\"offset\": ", at[1], ", \"partition\": ", at[0])),
                std::string::npos)
          << line;
    }
    EXPECT_NE(choreo_view.find(absl::StrCat("\"key\": \"order-7\"")), std::string::npos);
    EXPECT_NE(
        choreo_view.find(absl::StrCat("[[\"ce_type\", \"OrderCreated\"], [\"ce_id\", \"evt-7\"]]")),
        std::string::npos);
    EXPECT_NE(choreo_view.find(codec + " payload 7"), std::string::npos);
    EXPECT_EQ(Python({"consume", topic}), choreo_view);
  }
}

// Records choreo's client produced, with their own timestamps, read by kafka-python intact; and
// ListOffsets by timestamp finds the first record at or after a time.
TEST_F(KafkaPythonTest, ConsumesWhatChoreoProducedAndFindsOffsetsByTime) {
  CreateTopic("from-choreo", 1);
  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);
  constexpr int64_t kBaseMs = 1'700'000'000'000;
  for (int i = 0; i < 3; ++i) {
    Result<RecordMetadata> sent =
        producer
            ->Send("from-choreo",
                   Record{"saga-" + std::to_string(i),
                          "payload " + std::to_string(i),
                          {{"ce_type", "PaymentFailed"}, {"traceparent", "00-abc-01"}},
                          kBaseMs + 1000 * i},
                   0)
            .get();
    ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  }
  ASSERT_TRUE(producer->Close(std::chrono::seconds(10)).ok());
  EXPECT_EQ(Python({"consume", "from-choreo"}),
            "{\"headers\": [[\"ce_type\", \"PaymentFailed\"], [\"traceparent\", \"00-abc-01\"]], "
            "\"key\": \"saga-0\", \"offset\": 0, \"partition\": 0, \"timestamp\": 1700000000000, "
            "\"value\": \"payload 0\"}\n"
            "{\"headers\": [[\"ce_type\", \"PaymentFailed\"], [\"traceparent\", \"00-abc-01\"]], "
            "\"key\": \"saga-1\", \"offset\": 1, \"partition\": 0, \"timestamp\": 1700000001000, "
            "\"value\": \"payload 1\"}\n"
            "{\"headers\": [[\"ce_type\", \"PaymentFailed\"], [\"traceparent\", \"00-abc-01\"]], "
            "\"key\": \"saga-2\", \"offset\": 2, \"partition\": 0, \"timestamp\": 1700000002000, "
            "\"value\": \"payload 2\"}\n");
  const auto offset_for = [&](int64_t ms) {
    return Python({"offsets-for-time", "from-choreo", "0", std::to_string(ms)});
  };
  EXPECT_EQ(offset_for(0), "0\n");
  EXPECT_EQ(offset_for(kBaseMs), "0\n");
  EXPECT_EQ(offset_for(kBaseMs + 1), "1\n");
  EXPECT_EQ(offset_for(kBaseMs + 2000), "2\n");
  EXPECT_EQ(offset_for(kBaseMs + 2001), "none\n");
}

// kafka-python as a group member (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit,
// OffsetFetch, LeaveGroup): it consumes every record, commits, and choreo's admin API shows the
// committed offsets at the end of each partition; a second run of the group gets only what was
// produced after the commit.
TEST_F(KafkaPythonTest, AGroupConsumesCommitsAndResumesFromItsCommit) {
  Python({"create", "grouped", "3"});
  Python({"produce", "grouped", "none", "12"});
  std::string expected;
  std::vector<std::string> values;
  for (int i = 0; i < 12; ++i)
    values.push_back("none payload " + std::to_string(i));
  std::sort(values.begin(), values.end());
  for (const std::string& v : values)
    expected += v + "\n";
  EXPECT_EQ(Python({"group", "grouped", "py-group", "12"}), expected);

  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  Result<GroupDescription> group = (*admin)->DescribeGroup("py-group");
  ASSERT_TRUE(group.ok()) << group.status().ToString();
  ASSERT_EQ(group->offsets.size(), 3u);
  int64_t committed = 0;
  for (const GroupPartitionOffset& offset : group->offsets) {
    EXPECT_EQ(offset.committed_offset, offset.log_end_offset)
        << "partition " << offset.partition.partition;
    committed += offset.committed_offset;
  }
  EXPECT_EQ(committed, 12);

  // Produced after the commit: the only records the group's next run gets.
  Python({"produce", "grouped", "gzip", "3"});
  EXPECT_EQ(Python({"group", "grouped", "py-group", "3"}),
            "gzip payload 0\ngzip payload 1\ngzip payload 2\n");
}

}  // namespace
}  // namespace choreo::e2e

// The Kafka listener against a real Kafka client nobody here wrote: kcat (librdkafka 2.0.2 on
// Debian 12) produces and consumes on a real choreod started with --kafka-listen, and records cross
// between kcat and choreo's own client in both directions with key, value, headers and timestamp
// intact, and kcat consumer groups (-G) share partitions and commit offsets. Skipped where kcat is
// not installed (scripts/install-deps.sh installs it).
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <signal.h>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "broker/kafka/request.h"
#include "tests/e2e/broker_test_base.h"
#include "tests/e2e/raw_kafka.h"

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
    kafka_address_ = "127.0.0.1:" + std::to_string(ReadKafkaPort(dir_.path() / "kafka.port"));
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

  uint16_t kafka_port() const {
    return static_cast<uint16_t>(std::stoi(kafka_address_.substr(kafka_address_.rfind(':') + 1)));
  }

  std::string kafka_address_;
};

// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// One `kcat -G` consumer running in the background: each record it prints is a line
// "<partition> <offset> <value>" in <name>.out (-u: unbuffered); its notes go to <name>.err.
class KcatGroupMember {
 public:
  // `extra`: more kcat arguments (-X settings).
  KcatGroupMember(const std::filesystem::path& dir, const std::string& name,
                  const std::string& address, const std::string& group, const std::string& topic,
                  const std::vector<std::string>& extra = {})
      : out_(dir / (name + ".out")), err_(dir / (name + ".err")) {
    std::vector<std::string> argv = {kKcat, "-b", address, "-G",        group,
                                     topic, "-u", "-f",    "%p %o %s\n"};
    for (const char* setting : {"auto.offset.reset=earliest", "heartbeat.interval.ms=250",
                                "auto.commit.interval.ms=250"}) {
      argv.push_back("-X");
      argv.push_back(setting);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = Spawn(argv, "/dev/null", out_, err_);
    EXPECT_GT(pid_, 0);
  }
  ~KcatGroupMember() { Stop(); }

  // SIGKILL: no last commit, no LeaveGroup.
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    WaitForExit(pid_, std::chrono::seconds(10));
    pid_ = -1;
  }

  // SIGTERM: kcat closes its consumer (a last commit, LeaveGroup) and exits.
  int Stop() {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGTERM);
    exit_code_ = WaitForExit(pid_, std::chrono::seconds(30));
    if (exit_code_ == -1) {
      kill(pid_, SIGKILL);
      WaitForExit(pid_, std::chrono::seconds(10));
    }
    pid_ = -1;
    return exit_code_;
  }

  // The complete lines printed so far.
  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    std::istringstream in(ReadFile(out_));
    std::string all = in.str();
    size_t start = 0;
    for (size_t end; (end = all.find('\n', start)) != std::string::npos; start = end + 1)
      lines.push_back(all.substr(start, end - start));
    return lines;
  }
  std::string Notes() const { return ReadFile(err_); }

 private:
  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

// The value column of "<partition> <offset> <value>" lines.
std::set<std::string> Values(const std::vector<std::string>& lines) {
  std::set<std::string> values;
  for (const std::string& line : lines) {
    const size_t second = line.find(' ', line.find(' ') + 1);
    if (second != std::string::npos) values.insert(line.substr(second + 1));
  }
  return values;
}

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

// acks=0: the broker answers nothing (librdkafka counts a record delivered once it is sent), yet
// stores every record; a connection that keeps producing this way is served in order.
TEST_F(KafkaKcatTest, AcksZeroRecordsAreStoredWithoutAnAnswer) {
  CreateTopic("fire-and-forget", 1);
  std::string input;
  for (int i = 0; i < 200; ++i)
    input += std::to_string(i) + "\n";
  Kcat({"-P", "-t", "fire-and-forget", "-X", "acks=0", "-X", "batch.num.messages=20"}, input);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<ConsumedRecord> stored;
  while (stored.size() < 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    stored = ReadTopic(Client(), "fire-and-forget")[0];
  }
  ASSERT_EQ(stored.size(), 200u) << broker_->LogTail();
  for (size_t i = 0; i < stored.size(); ++i)
    EXPECT_EQ(stored[i].record.value, std::to_string(i));
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

// Two kcat -G consumers share a 4-partition topic (Kafka's classic group protocol: JoinGroup,
// SyncGroup with the leader's range assignment, heartbeats): between them they consume every
// record, each from its own partitions; their offsets are committed to the same store choreo's
// groups use (choreo's Admin sees them); and a consumer started later continues where they left
// off.
TEST_F(KafkaKcatTest, TwoKcatGroupMembersShareATopicAndCommitTheirOffsets) {
  CreateTopic("shared", 4);
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  KcatGroupMember a(dir_.path(), "a", kafka_address_, "sharers", "shared");
  KcatGroupMember b(dir_.path(), "b", kafka_address_, "sharers", "shared");
  // Both members in one stable generation, two partitions each (choreo's describe decodes the
  // consumer protocol's assignments).
  const bool shared = WaitFor([&] {
    Result<GroupDescription> group = admin->DescribeGroup("sharers");
    if (!group.ok() || group->state != "stable" || group->members.size() != 2) return false;
    return group->members[0].assignment.size() == 2 && group->members[1].assignment.size() == 2;
  });
  ASSERT_TRUE(shared) << "a:\n" << a.Notes() << "b:\n" << b.Notes() << broker_->LogTail();

  std::unique_ptr<Producer> producer = CreateProducer();
  ASSERT_NE(producer, nullptr);
  std::set<std::string> sent;
  for (int i = 0; i < 100; ++i) {
    const std::string value = "v" + std::to_string(i);
    ASSERT_TRUE(producer->Send("shared", Record{"", value, {}, 0}, i % 4).get().ok());
    sent.insert(value);
  }
  const bool consumed = WaitFor([&] {
    std::set<std::string> seen = Values(a.Lines());
    for (const std::string& v : Values(b.Lines()))
      seen.insert(v);
    return seen == sent;
  });
  ASSERT_TRUE(consumed) << "a:\n" << a.Notes() << "b:\n" << b.Notes();
  EXPECT_FALSE(a.Lines().empty()) << "each member consumes its own partitions";
  EXPECT_FALSE(b.Lines().empty()) << "each member consumes its own partitions";

  // Auto-commits reach the shared offset store: 25 records per partition, lag 0.
  const bool committed = WaitFor([&] {
    Result<GroupDescription> group = admin->DescribeGroup("sharers");
    if (!group.ok() || group->offsets.size() != 4) return false;
    return std::all_of(group->offsets.begin(), group->offsets.end(),
                       [](const GroupPartitionOffset& o) { return o.committed_offset == 25; });
  });
  EXPECT_TRUE(committed);
  EXPECT_NE(a.Stop(), -1);
  EXPECT_NE(b.Stop(), -1);
  // They left (LeaveGroup): the group has no members.
  EXPECT_TRUE(WaitFor([&] {
    Result<GroupDescription> group = admin->DescribeGroup("sharers");
    return group.ok() && group->members.empty();
  }));

  // A later consumer of the group continues after the committed offsets.
  for (uint32_t p = 0; p < 4; ++p)
    ASSERT_TRUE(
        producer->Send("shared", Record{"", "late" + std::to_string(p), {}, 0}, p).get().ok());
  std::vector<std::string> later;
  std::istringstream out(Kcat({"-G", "sharers", "shared", "-e", "-q", "-f", "%p %o %s\n"}));
  for (std::string line; std::getline(out, line);)
    later.push_back(line);
  std::sort(later.begin(), later.end());
  EXPECT_EQ(later,
            (std::vector<std::string>{"0 25 late0", "1 25 late1", "2 25 late2", "3 25 late3"}));
}

// Static membership (group.instance.id, JoinGroup v5): a member killed and restarted with the
// same instance id within its session timeout gets a new member id but the same generation and
// partitions: nothing is rebalanced (it is not the group's leader).
TEST_F(KafkaKcatTest, AStaticKcatMemberRestartsWithoutARebalance) {
  CreateTopic("static", 4);
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  auto settings = [](const std::string& instance) {
    // A long session timeout: the restart below must come back within it.
    return std::vector<std::string>{"-X", "group.instance.id=" + instance, "-X",
                                    "session.timeout.ms=60000"};
  };
  KcatGroupMember one(dir_.path(), "one", kafka_address_, "statics", "static", settings("w1"));
  // "one" alone first, so that it is the leader (kept while it stays): a static *leader* that
  // comes back does rebalance, as on Kafka, so that the leader learns the new member id.
  ASSERT_TRUE(WaitFor([&] {
    Result<GroupDescription> group = admin->DescribeGroup("statics");
    return group.ok() && group->state == "stable" && group->members.size() == 1 &&
           group->members[0].assignment.size() == 4;
  })) << one.Notes()
      << broker_->LogTail();
  auto two = std::make_unique<KcatGroupMember>(dir_.path(), "two", kafka_address_, "statics",
                                               "static", settings("w2"));
  // The member of instance `instance` in a stable group of two, two partitions each.
  auto stable_member = [&](const std::string& instance) -> std::optional<GroupMemberDescription> {
    Result<GroupDescription> group = admin->DescribeGroup("statics");
    if (!group.ok() || group->state != "stable" || group->members.size() != 2) return std::nullopt;
    std::optional<GroupMemberDescription> found;
    for (const GroupMemberDescription& m : group->members) {
      if (m.assignment.size() != 2) return std::nullopt;
      if (m.instance_id == instance) found = m;
    }
    return found;
  };
  std::optional<GroupMemberDescription> before;
  ASSERT_TRUE(WaitFor([&] { return (before = stable_member("w2")).has_value(); }))
      << two->Notes() << broker_->LogTail();
  two->Kill();
  two = std::make_unique<KcatGroupMember>(dir_.path(), "two-again", kafka_address_, "statics",
                                          "static", settings("w2"));
  std::optional<GroupMemberDescription> after;
  ASSERT_TRUE(WaitFor([&] {
    after = stable_member("w2");
    return after.has_value() && after->member_id != before->member_id;
  })) << two->Notes()
      << broker_->LogTail();
  EXPECT_EQ(after->member_epoch, before->member_epoch) << "the generation did not move";
  EXPECT_EQ(after->assignment, before->assignment);
}

// A raw Kafka connection with a JoinGroup helper.
class GroupKafka : public RawKafka {
 public:
  using RawKafka::RawKafka;

  // A JoinGroup v5 of a "consumer" member with one protocol.
  std::optional<kafka::Struct> Join(const std::string& group, const std::string& member_id,
                                    const std::string& metadata = "m") {
    kafka::Struct join = Request(kafka::api_key::kJoinGroup);
    join.SetString("group_id", group);
    join.SetInt("session_timeout_ms", 60000);  // the test's member must not expire meanwhile
    join.SetInt("rebalance_timeout_ms", 60000);
    join.SetString("member_id", member_id);
    join.SetString("protocol_type", "consumer");
    kafka::Struct& protocol = join.AddStruct("protocols");
    protocol.SetString("name", "range");
    protocol.SetString("metadata", metadata);
    return Call(kafka::api_key::kJoinGroup, 5, join);
  }
};

// Hostile or stale group requests get Kafka's error codes, and the connection stays usable.
TEST_F(KafkaKcatTest, BadGroupRequestsGetClearErrors) {
  GroupKafka raw(kafka_port());
  constexpr int kInvalidGroupId = 24, kUnknownMemberId = 25, kIllegalGeneration = 22,
                kInvalidRequest = 42, kMemberIdRequired = 79, kInconsistentGroupProtocol = 23;
  std::optional<kafka::Struct> r = raw.Join("", "");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->GetInt("error_code"), kInvalidGroupId);
  r = raw.Join(std::string(300, 'g'), "");
  EXPECT_EQ(r->GetInt("error_code"), kInvalidGroupId);
  r = raw.Join("g", "", std::string(300 * 1024, 'x'));  // metadata over 256 KiB
  EXPECT_EQ(r->GetInt("error_code"), kInvalidRequest);
  r = raw.Join("g", "nobody");
  EXPECT_EQ(r->GetInt("error_code"), kUnknownMemberId);

  // A real member (two-step join), then stale and unknown requests.
  r = raw.Join("g", "");
  ASSERT_EQ(r->GetInt("error_code"), kMemberIdRequired);
  const std::string member = r->GetString("member_id");
  r = raw.Join("g", member);
  ASSERT_EQ(r->GetInt("error_code"), 0);
  const int64_t generation = r->GetInt("generation_id");
  EXPECT_EQ(r->GetString("leader"), member);
  kafka::Struct heartbeat = RawKafka::Request(kafka::api_key::kHeartbeat);
  heartbeat.SetString("group_id", "g");
  heartbeat.SetString("member_id", member);
  heartbeat.SetInt("generation_id", generation + 7);
  EXPECT_EQ(raw.Call(kafka::api_key::kHeartbeat, 3, heartbeat)->GetInt("error_code"),
            kIllegalGeneration);
  heartbeat.SetString("member_id", "nobody");
  heartbeat.SetInt("generation_id", generation);
  EXPECT_EQ(raw.Call(kafka::api_key::kHeartbeat, 3, heartbeat)->GetInt("error_code"),
            kUnknownMemberId);
  kafka::Struct sync = RawKafka::Request(kafka::api_key::kSyncGroup);
  sync.SetString("group_id", "g");
  sync.SetString("member_id", member);
  sync.SetInt("generation_id", generation - 1);
  EXPECT_EQ(raw.Call(kafka::api_key::kSyncGroup, 3, sync)->GetInt("error_code"),
            kIllegalGeneration);
  // A commit from outside the group, and a simple consumer's commit while it has a member.
  kafka::Struct commit = RawKafka::Request(kafka::api_key::kOffsetCommit);
  commit.SetString("group_id", "g");
  commit.SetString("member_id", "nobody");
  commit.SetInt("generation_id", generation);
  kafka::Struct& topic = commit.AddStruct("topics");
  topic.SetString("name", "anything");
  topic.AddStruct("partitions").SetInt("committed_offset", 1);
  std::optional<kafka::Struct> committed = raw.Call(kafka::api_key::kOffsetCommit, 7, commit);
  ASSERT_TRUE(committed.has_value());
  EXPECT_EQ(committed->GetStructs("topics")[0].GetStructs("partitions")[0].GetInt("error_code"),
            kUnknownMemberId);
  commit.SetString("member_id", "");
  commit.SetInt("generation_id", -1);
  committed = raw.Call(kafka::api_key::kOffsetCommit, 7, commit);
  EXPECT_EQ(committed->GetStructs("topics")[0].GetStructs("partitions")[0].GetInt("error_code"),
            kUnknownMemberId);
  // A choreo consumer cannot join a Kafka group, nor a Kafka consumer a choreo group.
  ConsumerOptions options;
  options.client = Client();
  options.group_id = "g";
  Result<std::unique_ptr<Consumer>> native = Consumer::Create(options);
  ASSERT_TRUE(native.ok());
  ASSERT_TRUE((*native)->Subscribe({"anything"}).ok());
  Status refused;
  EXPECT_TRUE(WaitFor([&] {
    Result<std::vector<ConsumedRecord>> polled = (*native)->Poll(std::chrono::milliseconds(100));
    refused = polled.status();
    return !polled.ok();
  }));
  EXPECT_NE(refused.message().find("Kafka"), std::string::npos) << refused.ToString();
  (void)(*native)->Close();
  options.group_id = "n";
  native = Consumer::Create(options);
  ASSERT_TRUE(native.ok());
  ASSERT_TRUE((*native)->Subscribe({"anything"}).ok());
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  ASSERT_TRUE(WaitFor([&] {
    (void)(*native)->Poll(std::chrono::milliseconds(100));
    Result<GroupDescription> group = admin->DescribeGroup("n");
    return group.ok() && group->members.size() == 1;
  }));
  EXPECT_EQ(raw.Join("n", "")->GetInt("error_code"), kInconsistentGroupProtocol);
  (void)(*native)->Close();

  // The member leaves; the connection still answers.
  kafka::Struct leave = RawKafka::Request(kafka::api_key::kLeaveGroup);
  leave.SetString("group_id", "g");
  kafka::Struct& leaving = leave.AddStruct("members");
  leaving.SetString("member_id", member);
  leave.AddStruct("members").SetString("member_id", "nobody");
  std::optional<kafka::Struct> left = raw.Call(kafka::api_key::kLeaveGroup, 3, leave);
  ASSERT_TRUE(left.has_value());
  ASSERT_EQ(left->GetStructs("members").size(), 2u);
  EXPECT_EQ(left->GetStructs("members")[0].GetInt("error_code"), 0);
  EXPECT_EQ(left->GetStructs("members")[1].GetInt("error_code"), kUnknownMemberId);
}

// A JoinGroup held at the barrier does not hold up a shutdown: the broker stops cleanly, and the
// waiting connection is closed.
TEST_F(KafkaKcatTest, TheBrokerStopsCleanlyWhileAJoinGroupWaits) {
  GroupKafka first(kafka_port());
  const std::string a = first.Join("held", "")->GetString("member_id");
  ASSERT_EQ(first.Join("held", a)->GetInt("error_code"), 0);  // generation 1, alone
  GroupKafka second(kafka_port());
  const std::string b = second.Join("held", "")->GetString("member_id");
  std::optional<kafka::Struct> held;
  std::thread joining([&] { held = second.Join("held", b); });  // waits for `a` to rejoin
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  const bool waiting = WaitFor([&] {
    Result<GroupDescription> group = admin->DescribeGroup("held");
    return group.ok() && group->state == "rebalancing" && group->members.size() == 2;
  });
  EXPECT_TRUE(waiting);
  EXPECT_TRUE(broker_->Stop());
  joining.join();
  if (held) {
    EXPECT_NE(held->GetInt("error_code"), 0) << "the barrier never completed";
  }
}

}  // namespace
}  // namespace choreo::e2e

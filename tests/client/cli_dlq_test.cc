// `choreo dlq ...` against a real (in-process) broker, on a dead-letter topic filled by hand with
// the records a saga service writes (dead_letters.h). The end-to-end test with a real service is
// the saga layer's.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "choreo/client/producer.h"
#include "choreo/saga/dead_letters.h"
#include "choreo/saga/envelope.h"
#include "choreo/testing/test_broker.h"
#include "client/cli/cli.h"
#include "tests/client/cli_output.h"

namespace choreo::cli {
namespace {

using saga::DeadLetterKind;

constexpr char kTopic[] = "payment-service.dlq";
constexpr int64_t kDeadAtMs = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

// The original event as the service consumed it: a saga event with an envelope.
ConsumedRecord Original(const std::string& saga_id, const std::string& type, int64_t offset) {
  saga::Envelope envelope;
  envelope.id = "evt-" + saga_id + "-" + std::to_string(offset);
  envelope.source = "order-service";
  envelope.type = type;
  envelope.time_ms = kDeadAtMs - 1000;
  envelope.saga_id = saga_id;
  ConsumedRecord original;
  original.topic = "orders";
  original.partition = 2;
  original.offset = offset;
  original.record.key = saga_id;
  original.record.value = "payload";
  original.record.headers = saga::EnvelopeHeaders(envelope);
  return original;
}

class DlqCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // choreod's default: a dlq command on a missing topic must not create it.
    testing::TestBrokerOptions options;
    options.auto_create_topics = false;
    Result<std::unique_ptr<testing::TestBroker>> broker = testing::TestBroker::Start(options);
    ASSERT_TRUE(broker.ok()) << broker.status().ToString();
    broker_ = std::move(broker).value();
    ASSERT_TRUE(broker_->CreateTopic(kTopic, 2).ok());
    Result<std::unique_ptr<Producer>> producer =
        Producer::Create(ProducerOptions{.client = broker_->client_options()});
    ASSERT_TRUE(producer.ok()) << producer.status().ToString();
    producer_ = std::move(producer).value();
  }

  void TearDown() override {
    if (producer_) {
      EXPECT_TRUE(producer_->Close(std::chrono::seconds(10)).ok());
    }
  }

  // Appends `record` (keyed by its saga id) and returns its offset in the dead-letter topic.
  int64_t Append(Record record) {
    Result<RecordMetadata> sent = producer_->Send(kTopic, std::move(record)).get();
    EXPECT_TRUE(sent.ok()) << sent.status().ToString();
    return sent.ok() ? sent->offset : -1;
  }

  int64_t Dead(const std::string& saga_id, const std::string& type, int64_t offset,
               const std::string& error) {
    return Append(saga::MakeDeadLetterRecord(DeadLetterKind::kDead, Original(saga_id, type, offset),
                                             saga_id, error, 5, "payment-service/" + type,
                                             kDeadAtMs));
  }

  int64_t Parked(const std::string& saga_id, const std::string& type, int64_t offset) {
    return Append(saga::MakeDeadLetterRecord(DeadLetterKind::kParked,
                                             Original(saga_id, type, offset), saga_id, "", 0,
                                             "payment-service/" + type, kDeadAtMs + 2000));
  }

  CliResult Choreo(std::vector<std::string> args) {
    args.push_back("--broker");
    args.push_back(broker_->address());
    std::istringstream in;
    std::ostringstream out, err;
    CliResult result;
    result.exit_code = cli::Run(args, in, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }

  // order-1: dead, then one parked event. order-2: dead, replay requested. order-3: dead, then
  // resolved (a discard carried out): not parked.
  void FillDeadLetterTopic() {
    Dead("order-1", "order.v1.OrderCreated", 10, "UNKNOWN: card declined\tcode 51");
    Parked("order-1", "order.v1.OrderCancelled", 11);
    Dead("order-2", "order.v1.OrderCreated", 20, "DEADLINE_EXCEEDED: bank");
    Append(saga::MakeControlRecord(DeadLetterKind::kReplay, "order-2"));
    const int64_t through = Dead("order-3", "order.v1.OrderCreated", 30, "UNKNOWN: oops");
    Append(saga::MakeControlRecord(DeadLetterKind::kDiscard, "order-3"));
    Append(saga::MakeResolvedRecord("order-3", DeadLetterKind::kDiscard, through));
  }

  std::unique_ptr<testing::TestBroker> broker_;
  std::unique_ptr<Producer> producer_;
};

#define EXPECT_SUCCEEDS(result) \
  EXPECT_EQ((result).exit_code, 0) << "stderr: " << (result).err << "\nstdout: " << (result).out

TEST_F(DlqCliTest, ListShowsParkedSagasOnly) {
  FillDeadLetterTopic();
  CliResult list = Choreo({"dlq", "list", "--group", "payment-service"});
  EXPECT_SUCCEEDS(list);
  std::vector<std::string> lines = Lines(list.out);
  ASSERT_EQ(lines.size(), 3u) << list.out;
  EXPECT_EQ(lines[0], "SAGA\tDEAD\tPARKED\tAGE\tREQUESTED\tFIRST_ERROR");
  EXPECT_EQ(lines[1].rfind("order-1\t1\t1\t", 0), 0u) << lines[1];
  // AGE: since 2023, so days and hours ("812d04h").
  const std::vector<std::string> fields = Fields(lines[1]);
  ASSERT_EQ(fields.size(), 6u) << lines[1];
  EXPECT_TRUE(std::regex_match(fields[3], std::regex("[0-9]+d[0-9]{2}h"))) << fields[3];
  EXPECT_TRUE(lines[1].ends_with("\t-\tUNKNOWN: card declined\\tcode 51")) << lines[1];
  EXPECT_EQ(lines[2].rfind("order-2\t1\t0\t", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find("\treplay\tDEADLINE_EXCEEDED: bank"), std::string::npos) << lines[2];

  CliResult same = Choreo({"dlq", "list", "--topic", kTopic});
  EXPECT_SUCCEEDS(same);
  EXPECT_EQ(Lines(same.out).size(), 3u);
}

TEST_F(DlqCliTest, ListAsJson) {
  FillDeadLetterTopic();
  CliResult list = Choreo({"dlq", "list", "--group", "payment-service", "--format", "json"});
  EXPECT_SUCCEEDS(list);
  EXPECT_EQ(
      list.out.rfind("{\"topic\":\"payment-service.dlq\",\"sagas\":[{\"saga_id\":\"order-1\","
                     "\"dead\":1,\"parked\":1,\"first_error\":\"UNKNOWN: card declined\\tcode "
                     "51\",\"first_time\":\"2023-11-14T22:13:20.000Z\",\"age_ms\":",
                     0),
      0u)
      << list.out;
  EXPECT_NE(list.out.find("\"requested\":null},{\"saga_id\":\"order-2\""), std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("\"requested\":\"replay\"}]}\n"), std::string::npos) << list.out;
}

TEST_F(DlqCliTest, ListOfAnEmptyTopicAndOfAMissingOne) {
  CliResult empty = Choreo({"dlq", "list", "--group", "payment-service"});
  EXPECT_SUCCEEDS(empty);
  EXPECT_EQ(empty.out, "SAGA\tDEAD\tPARKED\tAGE\tREQUESTED\tFIRST_ERROR\n");
  CliResult json = Choreo({"dlq", "list", "--group", "payment-service", "--format", "json"});
  EXPECT_SUCCEEDS(json);
  EXPECT_EQ(json.out, "{\"topic\":\"payment-service.dlq\",\"sagas\":[]}\n");
  CliResult missing = Choreo({"dlq", "list", "--group", "no-such-service"});
  EXPECT_EQ(missing.exit_code, kExitError);
  EXPECT_EQ(missing.err.rfind("error: UNKNOWN_TOPIC", 0), 0u) << missing.err;
}

TEST_F(DlqCliTest, ShowPrintsDeadAndParkedEventsInOrder) {
  FillDeadLetterTopic();
  CliResult show = Choreo({"dlq", "show", "--group", "payment-service", "order-1"});
  EXPECT_SUCCEEDS(show);
  std::vector<std::string> lines = Lines(show.out);
  ASSERT_EQ(lines.size(), 6u) << show.out;
  EXPECT_EQ(lines[0], "saga: order-1");
  EXPECT_EQ(lines[1], "topic: payment-service.dlq");
  EXPECT_EQ(lines[2], "requested: -");
  EXPECT_EQ(lines[3],
            "DLQ_OFFSET\tKIND\tCE_TYPE\tCE_ID\tTOPIC\tPARTITION\tOFFSET\tATTEMPTS\tHANDLER\tTIME\t"
            "ERROR");
  // The two records are in one partition (same key), at consecutive offsets.
  const std::string dead_suffix =
      "\tdead\torder.v1.OrderCreated\tevt-order-1-10\torders\t2\t10\t5\t"
      "payment-service/order.v1.OrderCreated\t2023-11-14T22:13:20.000Z\t"
      "UNKNOWN: card declined\\tcode 51";
  const std::string parked_suffix =
      "\tparked\torder.v1.OrderCancelled\tevt-order-1-11\torders\t2\t11\t0\t"
      "payment-service/order.v1.OrderCancelled\t2023-11-14T22:13:22.000Z\t-";
  ASSERT_GT(lines[4].size(), dead_suffix.size());
  EXPECT_EQ(lines[4].substr(lines[4].find('\t')), dead_suffix);
  EXPECT_EQ(lines[5].substr(lines[5].find('\t')), parked_suffix);
  EXPECT_EQ(std::stoll(lines[5]), std::stoll(lines[4]) + 1);

  CliResult json = Choreo({"dlq", "show", "--topic", kTopic, "order-2", "--format", "json"});
  EXPECT_SUCCEEDS(json);
  EXPECT_EQ(json.out.rfind("{\"topic\":\"payment-service.dlq\",\"saga_id\":\"order-2\","
                           "\"requested\":\"replay\",\"events\":[{\"dlq_partition\":",
                           0),
            0u)
      << json.out;
  EXPECT_NE(json.out.find("\"kind\":\"dead\",\"ce_type\":\"order.v1.OrderCreated\","
                          "\"ce_id\":\"evt-order-2-20\",\"topic\":\"orders\",\"partition\":2,"
                          "\"offset\":20,\"attempts\":5,\"handler\":\"payment-service/"
                          "order.v1.OrderCreated\",\"error\":\"DEADLINE_EXCEEDED: bank\","
                          "\"time\":\"2023-11-14T22:13:20.000Z\"}]}\n"),
            std::string::npos)
      << json.out;
}

TEST_F(DlqCliTest, ShowOfASagaThatIsNotParkedFails) {
  FillDeadLetterTopic();
  for (const char* saga : {"order-3", "order-404"}) {
    CliResult show = Choreo({"dlq", "show", "--group", "payment-service", saga});
    EXPECT_EQ(show.exit_code, kExitError);
    EXPECT_EQ(show.err, "error: saga '" + std::string(saga) +
                            "' is not parked in payment-service.dlq (no dead letters since its "
                            "last replay or discard)\n");
    EXPECT_TRUE(show.out.empty()) << show.out;
  }
}

TEST_F(DlqCliTest, ReplayAndDiscardAppendARequestOnlyForParkedSagas) {
  FillDeadLetterTopic();
  Result<std::vector<ConsumedRecord>> before = broker_->ReadAll(kTopic);
  ASSERT_TRUE(before.ok()) << before.status().ToString();

  CliResult refused = Choreo({"dlq", "replay", "--group", "payment-service", "order-3"});
  EXPECT_EQ(refused.exit_code, kExitError);
  EXPECT_NE(refused.err.find("is not parked"), std::string::npos) << refused.err;
  CliResult refused_discard = Choreo({"dlq", "discard", "--group", "payment-service", "order-9"});
  EXPECT_EQ(refused_discard.exit_code, kExitError);
  Result<std::vector<ConsumedRecord>> unchanged = broker_->ReadAll(kTopic);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->size(), before->size());

  CliResult replay = Choreo({"dlq", "replay", "--group", "payment-service", "order-1"});
  EXPECT_SUCCEEDS(replay);
  EXPECT_EQ(replay.out.rfind("requested replay of saga 'order-1' in payment-service.dlq: the "
                             "service will handle its 2 events (1 dead, 1 parked) again, in order",
                             0),
            0u)
      << replay.out;
  EXPECT_TRUE(replay.err.empty()) << replay.err;

  Result<std::vector<ConsumedRecord>> after = broker_->ReadAll(kTopic);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before->size() + 1);
  int replays_of_order_1 = 0;
  for (const ConsumedRecord& r : *after) {
    if (r.record.key == "order-1" &&
        saga::FindHeader(r.record.headers, saga::dlq_headers::kKind) == "replay") {
      ++replays_of_order_1;
    }
  }
  EXPECT_EQ(replays_of_order_1, 1);

  CliResult list = Choreo({"dlq", "list", "--group", "payment-service"});
  EXPECT_SUCCEEDS(list);
  EXPECT_NE(list.out.find("order-1\t1\t1\t"), std::string::npos);
  EXPECT_NE(list.out.find("\treplay\tUNKNOWN: card declined"), std::string::npos) << list.out;

  // A second request for a saga with one pending is appended, with a note.
  CliResult discard = Choreo({"dlq", "discard", "--group", "payment-service", "order-2"});
  EXPECT_SUCCEEDS(discard);
  EXPECT_EQ(discard.err,
            "note: a replay of this saga was already requested and has not been carried out "
            "yet\n");
  EXPECT_NE(discard.out.find("drop its 1 event (1 dead, 0 parked) unhandled"), std::string::npos)
      << discard.out;
}

}  // namespace
}  // namespace choreo::cli

#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {

void BrokerTest::SetUp() {
  broker_ = std::make_unique<BrokerProcess>(dir_.path(), BrokerOptions());
  ASSERT_TRUE(broker_->Start());
}

ClientOptions BrokerTest::Client() const {
  ClientOptions options;
  options.broker = broker_->address();
  options.client_id = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  options.request_timeout = std::chrono::seconds(30);
  return options;
}

std::unique_ptr<Admin> BrokerTest::ConnectAdmin() const {
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(Client());
  EXPECT_TRUE(admin.ok()) << admin.status().ToString() << "\n" << broker_->LogTail();
  return admin.ok() ? std::move(admin).value() : nullptr;
}

std::unique_ptr<Producer> BrokerTest::CreateProducer() const {
  Result<std::unique_ptr<Producer>> producer = Producer::Create({.client = Client()});
  EXPECT_TRUE(producer.ok()) << producer.status().ToString();
  return producer.ok() ? std::move(producer).value() : nullptr;
}

void BrokerTest::CreateTopic(const std::string& topic, uint32_t partitions) const {
  std::unique_ptr<Admin> admin = ConnectAdmin();
  ASSERT_NE(admin, nullptr);
  const Status created = admin->CreateTopic(topic, {.partitions = partitions});
  ASSERT_TRUE(created.ok()) << created.ToString();
}

std::map<uint32_t, std::vector<ConsumedRecord>> ReadTopic(const ClientOptions& options,
                                                          const std::string& topic,
                                                          std::chrono::milliseconds timeout) {
  std::map<uint32_t, std::vector<ConsumedRecord>> out;
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(options);
  if (!admin.ok()) {
    ADD_FAILURE() << admin.status().ToString();
    return out;
  }
  Result<TopicDescription> description = (*admin)->DescribeTopic(topic);
  if (!description.ok()) {
    ADD_FAILURE() << description.status().ToString();
    return out;
  }
  std::map<TopicPartition, int64_t> end;
  std::vector<PartitionAssignment> assignments;
  for (const PartitionDescription& p : description->partitions) {
    end[{topic, p.partition}] = p.high_watermark;
    assignments.push_back({{topic, p.partition}, std::nullopt, StartFrom::kEarliest});
    out[p.partition];
  }
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create({.client = options});
  if (!consumer.ok()) {
    ADD_FAILURE() << consumer.status().ToString();
    return out;
  }
  if (Status assigned = (*consumer)->Assign(assignments); !assigned.ok()) {
    ADD_FAILURE() << assigned.ToString();
    return out;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    bool done = true;
    for (const auto& [tp, end_offset] : end)
      done = done && *(*consumer)->Position(tp) >= end_offset;
    if (done) return out;
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "reading " << topic << " timed out";
      return out;
    }
    Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(std::chrono::milliseconds(500));
    if (!records.ok()) {
      ADD_FAILURE() << records.status().ToString();
      return out;
    }
    for (ConsumedRecord& record : *records) {
      if (record.offset < end[{record.topic, record.partition}]) {
        out[record.partition].push_back(std::move(record));
      }
    }
  }
}

uint16_t ReadKafkaPort(const std::filesystem::path& port_file) {
  const std::string text = ReadFile(port_file);
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9') break;
    port = port * 10 + (c - '0');
    if (port > 65535) return 0;
  }
  return static_cast<uint16_t>(port);
}

}  // namespace choreo::e2e

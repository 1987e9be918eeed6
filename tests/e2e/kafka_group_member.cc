// A consumer-group member for kafka_librdkafka_test: librdkafka's C++ KafkaConsumer in a group
// (the classic protocol: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit/Fetch) on
// choreod's Kafka listener. Every record it consumes is appended to OUTPUT as "partition offset
// value" (flushed at once, so what a SIGKILLed member consumed is on disk); it commits every 100
// records, and on SIGTERM commits, leaves the group and exits 0.
//
// Usage: kafka_group_member BOOTSTRAP TOPIC GROUP OUTPUT
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) {
  g_stop = true;
}

int Fail(const std::string& why) {
  std::cerr << "kafka_group_member: " << why << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) return Fail("usage: kafka_group_member BOOTSTRAP TOPIC GROUP OUTPUT");
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"bootstrap.servers", argv[1]},
      {"group.id", argv[3]},
      {"auto.offset.reset", "earliest"},
      {"enable.auto.commit", "false"},
      // A killed member's partitions move after its session timeout: keep the test short.
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "500"},
  };
  for (const auto& [name, value] : settings) {
    if (conf->set(name, value, error) != RdKafka::Conf::CONF_OK) return Fail(name + ": " + error);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), error));
  if (!consumer) return Fail("create: " + error);
  if (RdKafka::ErrorCode err = consumer->subscribe({argv[2]}); err != RdKafka::ERR_NO_ERROR) {
    return Fail("subscribe: " + RdKafka::err2str(err));
  }
  FILE* output = std::fopen(argv[4], "a");
  if (output == nullptr) return Fail(std::string("cannot open ") + argv[4]);

  int since_commit = 0;
  while (!g_stop) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(100));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR:
        std::fprintf(output, "%d %lld %.*s\n", message->partition(),
                     static_cast<long long>(message->offset()), static_cast<int>(message->len()),
                     static_cast<const char*>(message->payload()));
        std::fflush(output);
        if (++since_commit >= 100) {
          consumer->commitSync();
          since_commit = 0;
        }
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        break;
      default:
        std::cerr << "kafka_group_member: consume: " << message->errstr() << "\n";
        break;
    }
  }
  RdKafka::ErrorCode committed = consumer->commitSync();
  consumer->close();
  std::fclose(output);
  // Nothing consumed since the last commit is "no offset" (a no-op commit), not a failure.
  if (committed != RdKafka::ERR_NO_ERROR && committed != RdKafka::ERR__NO_OFFSET) {
    return Fail("final commit: " + RdKafka::err2str(committed));
  }
  return 0;
}

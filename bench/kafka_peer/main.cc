// choreo-kafka-peer: the throughput of choreod's Kafka listener as a real Kafka client sees it.
// librdkafka (Debian's, the library behind kcat) produces --records records to a new topic, then
// reads them all back from the beginning, and the tool prints both rates. Run it and
// `choreo-bench --backlog` with the same record count, size, keys and partitions against one
// choreod, back to back, to compare the Kafka path with choreo's own client (issue 12; the
// commands and figures are in bench/RESULTS.md, "Kafka clients against the native client").
//
// The producer is configured as choreo's own producer is by default: idempotent (acks=all),
// 5 ms linger, 256 KiB batches, no compression. The consumer is librdkafka's simple consumer
// (every partition from the beginning into one queue, no group), which is what kcat -C does.
#include <absl/flags/flag.h>
#include <absl/flags/usage.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "bench/common/command_line.h"
#include "bench/common/value_source.h"

ABSL_FLAG(std::string, bootstrap, "localhost:9092", "the Kafka listener, host:port");
ABSL_FLAG(std::string, topic, "", "topic to create and use; default: choreo-kafka-peer-<pid>");
ABSL_FLAG(uint32_t, partitions, 8, "partitions of the topic created for the run");
ABSL_FLAG(int64_t, records, 2000000, "records to produce, then to consume");
ABSL_FLAG(int, record_size, 100, "value bytes per record");
ABSL_FLAG(int64_t, keys, 100000, "distinct keys; 0 sends records without keys");
ABSL_FLAG(int, linger_ms, 5, "librdkafka linger.ms");
ABSL_FLAG(int, batch_bytes, 256 * 1024, "librdkafka batch.size");
ABSL_FLAG(std::string, compression, "none", "librdkafka compression.codec");
ABSL_FLAG(double, timeout, 300, "seconds either phase may take before the run fails");
ABSL_FLAG(bool, json, false, "print the summary as one JSON object");

namespace choreo::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

[[noreturn]] void Fail(const std::string& why) {
  std::cerr << "choreo-kafka-peer: " << why << "\n";
  std::exit(1);
}

// A configuration with `settings` applied; exits naming the setting librdkafka refused.
rd_kafka_conf_t* MakeConf(const std::vector<std::pair<std::string, std::string>>& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::array<char, 512> error{};
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error.data(), error.size()) !=
        RD_KAFKA_CONF_OK) {
      Fail(absl::StrCat(name, "=", value, ": ", error.data()));
    }
  }
  return conf;
}

KafkaHandle MakeHandle(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  std::array<char, 512> error{};
  rd_kafka_t* rk = rd_kafka_new(type, conf, error.data(), error.size());
  if (rk == nullptr) Fail(absl::StrCat("rd_kafka_new: ", error.data()));
  return KafkaHandle(rk);
}

void CreateTopic(rd_kafka_t* rk, const std::string& topic, uint32_t partitions, double timeout_s) {
  std::array<char, 512> error{};
  rd_kafka_NewTopic_t* new_topic = rd_kafka_NewTopic_new(
      topic.c_str(), static_cast<int>(partitions), 1, error.data(), error.size());
  if (new_topic == nullptr) Fail(absl::StrCat("topic ", topic, ": ", error.data()));
  std::unique_ptr<rd_kafka_queue_t, KafkaDeleter> queue(rd_kafka_queue_new(rk));
  rd_kafka_CreateTopics(rk, &new_topic, 1, nullptr, queue.get());
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout_s * 1000));
  rd_kafka_NewTopic_destroy(new_topic);
  if (event == nullptr) Fail("CreateTopics: no answer");
  std::string failure;
  if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failure = rd_kafka_event_error_string(event);
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    if (count == 1 && rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      failure = rd_kafka_topic_result_error_string(results[0]);
    }
  }
  rd_kafka_event_destroy(event);
  if (!failure.empty()) Fail(absl::StrCat("CreateTopics ", topic, ": ", failure));
}

struct Delivered {
  int64_t ok = 0;
  int64_t failed = 0;
  std::string first_error;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* delivered = static_cast<Delivered*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++delivered->ok;
  } else {
    if (delivered->failed++ == 0) delivered->first_error = rd_kafka_err2str(message->err);
  }
}

// Produces every record and waits for all delivery reports. Returns the seconds it took.
double Produce(const std::string& bootstrap, const std::string& topic) {
  const int64_t records = absl::GetFlag(FLAGS_records);
  const int64_t keys = absl::GetFlag(FLAGS_keys);
  const double timeout_s = absl::GetFlag(FLAGS_timeout);
  Delivered delivered;
  rd_kafka_conf_t* conf = MakeConf({
      {"bootstrap.servers", bootstrap},
      {"enable.idempotence", "true"},
      {"linger.ms", absl::StrCat(absl::GetFlag(FLAGS_linger_ms))},
      {"batch.size", absl::StrCat(absl::GetFlag(FLAGS_batch_bytes))},
      {"compression.codec", absl::GetFlag(FLAGS_compression)},
      // Room for ~1 s of records in flight at the rates measured here.
      {"queue.buffering.max.messages", "2000000"},
      {"queue.buffering.max.kbytes", "1048576"},
  });
  rd_kafka_conf_set_opaque(conf, &delivered);
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  KafkaHandle producer = MakeHandle(RD_KAFKA_PRODUCER, conf);
  CreateTopic(producer.get(), topic, absl::GetFlag(FLAGS_partitions), timeout_s);

  ValueSource values(static_cast<size_t>(absl::GetFlag(FLAGS_record_size)));
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(timeout_s);
  std::string key;
  for (int64_t i = 0; i < records; ++i) {
    std::string_view value = values.Next();
    if (keys > 0) key = absl::StrCat("key-", i % keys);
    // Variables, not expressions: librdkafka's macros do not parenthesize their arguments.
    char* key_data = keys > 0 ? key.data() : nullptr;
    const size_t key_size = keys > 0 ? key.size() : 0;
    char* value_data = const_cast<char*>(value.data());
    while (true) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
          RD_KAFKA_V_VALUE(value_data, value.size()), RD_KAFKA_V_KEY(key_data, key_size),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
        Fail(absl::StrCat("produce: ", rd_kafka_err2str(err)));
      rd_kafka_poll(producer.get(), 10);  // full: serve delivery reports, which frees room
      if (Clock::now() > deadline) Fail("produce: timed out with the local queue full");
    }
    if ((i & 0x3ff) == 0) rd_kafka_poll(producer.get(), 0);
  }
  while (delivered.ok + delivered.failed < records) {
    rd_kafka_poll(producer.get(), 100);
    if (Clock::now() > deadline) {
      Fail(absl::StrCat("produce: ", records - delivered.ok - delivered.failed,
                        " records without a delivery report after ", timeout_s, " s"));
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (delivered.failed > 0) {
    Fail(absl::StrCat("produce: ", delivered.failed,
                      " records failed, first: ", delivered.first_error));
  }
  return seconds;
}

// Reads every partition from the beginning until `records` records arrived. Returns the seconds.
double Consume(const std::string& bootstrap, const std::string& topic) {
  const int64_t records = absl::GetFlag(FLAGS_records);
  const uint32_t partitions = absl::GetFlag(FLAGS_partitions);
  KafkaHandle consumer = MakeHandle(RD_KAFKA_CONSUMER, MakeConf({
                                                           {"bootstrap.servers", bootstrap},
                                                           {"enable.partition.eof", "false"},
                                                       }));
  std::unique_ptr<rd_kafka_topic_t, KafkaDeleter> rkt(
      rd_kafka_topic_new(consumer.get(), topic.c_str(), nullptr));
  std::unique_ptr<rd_kafka_queue_t, KafkaDeleter> queue(rd_kafka_queue_new(consumer.get()));
  const auto start = Clock::now();
  for (uint32_t p = 0; p < partitions; ++p) {
    if (rd_kafka_consume_start_queue(rkt.get(), static_cast<int32_t>(p), RD_KAFKA_OFFSET_BEGINNING,
                                     queue.get()) != 0) {
      Fail(absl::StrCat("consume start, partition ", p, ": ",
                        rd_kafka_err2str(rd_kafka_last_error())));
    }
  }
  const auto deadline = start + std::chrono::duration<double>(absl::GetFlag(FLAGS_timeout));
  std::vector<rd_kafka_message_t*> batch(10000);
  int64_t consumed = 0;
  while (consumed < records) {
    const ssize_t n = rd_kafka_consume_batch_queue(queue.get(), 100, batch.data(), batch.size());
    if (n < 0) Fail(absl::StrCat("consume: ", rd_kafka_err2str(rd_kafka_last_error())));
    for (ssize_t i = 0; i < n; ++i) {
      if (batch[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++consumed;
      } else if (batch[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Fail(absl::StrCat("consume: ", rd_kafka_message_errstr(batch[i])));
      }
      rd_kafka_message_destroy(batch[i]);
    }
    if (Clock::now() > deadline) {
      Fail(absl::StrCat("consume: ", consumed, " of ", records, " records before the timeout"));
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (uint32_t p = 0; p < partitions; ++p)
    rd_kafka_consume_stop(rkt.get(), static_cast<int32_t>(p));
  return seconds;
}

int Run() {
  const std::string bootstrap = absl::GetFlag(FLAGS_bootstrap);
  std::string topic = absl::GetFlag(FLAGS_topic);
  if (topic.empty()) topic = absl::StrCat("choreo-kafka-peer-", getpid());
  const int64_t records = absl::GetFlag(FLAGS_records);
  const int record_size = absl::GetFlag(FLAGS_record_size);
  if (records < 1) Fail("--records must be at least 1");
  if (record_size < 1) Fail("--record_size must be at least 1");
  if (absl::GetFlag(FLAGS_partitions) < 1) Fail("--partitions must be at least 1");
  if (absl::GetFlag(FLAGS_keys) < 0) Fail("--keys must be >= 0");

  const double produce_s = Produce(bootstrap, topic);
  const double consume_s = Consume(bootstrap, topic);
  const double produce_rate = static_cast<double>(records) / produce_s;
  const double consume_rate = static_cast<double>(records) / consume_s;
  const double mb = static_cast<double>(record_size) / 1e6;
  if (absl::GetFlag(FLAGS_json)) {
    std::cout << absl::StrFormat(
        "{\"records\":%d,\"record_size\":%d,\"produce_records_per_s\":%.0f,"
        "\"consume_records_per_s\":%.0f,\"librdkafka\":\"%s\"}\n",
        records, record_size, produce_rate, consume_rate, rd_kafka_version_str());
  } else {
    std::cout << absl::StrFormat(
        "librdkafka %s, topic %s, %d records of %d bytes\n"
        "produce: %.0f rec/s, %.1f MB/s (%.2f s)\n"
        "consume: %.0f rec/s, %.1f MB/s (%.2f s)\n",
        rd_kafka_version_str(), topic, records, record_size, produce_rate, produce_rate * mb,
        produce_s, consume_rate, consume_rate * mb, consume_s);
  }
  return 0;
}

}  // namespace
}  // namespace choreo::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Produces --records records through a Kafka listener with librdkafka, then consumes them "
      "from the beginning, and prints both rates.\nUsage: choreo-kafka-peer --bootstrap "
      "host:port [flags]");
  choreo::bench::ParseBenchCommandLine(argc, argv, "choreo-kafka-peer");
  return choreo::bench::Run();
}

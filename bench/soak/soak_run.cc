#include "bench/soak/soak_run.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/spawned_broker.h"
#include "bench/soak/broker_supervisor.h"
#include "bench/soak/soak_ledger.h"
#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "choreo/client/producer.h"

namespace choreo::soak {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kAuditTopic[] = "soak.audit";
constexpr char kChurnTopic[] = "soak.churn";
constexpr char kGroup[] = "soak";

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Log(Clock::time_point start, const std::string& line) {
  std::printf("[%7.1fs] %s\n", SecondsSince(start), line.c_str());
  std::fflush(stdout);
}

int64_t OpenFiles(pid_t pid) {
  std::error_code ec;
  int64_t n = 0;
  for (auto it = std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/fd"), ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return ec ? -1 : n;
}

// Sends keyed records at a steady rate from its own thread, replacing its Producer (and so its
// producer id) every `restart_every`, as a service that is redeployed would.
class ProducerLoop {
 public:
  ProducerLoop(const SoakOptions& options, std::string broker, SoakLedger& ledger,
               Clock::time_point start)
      : options_(options), broker_(std::move(broker)), ledger_(ledger), start_(start) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ProducerLoop() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int64_t producers_created() const { return producers_created_; }

 private:
  std::unique_ptr<Producer> Create() {
    ProducerOptions po;
    po.client.broker = broker_;
    po.client.client_id = "soak-producer";
    while (!stop_) {
      auto producer = Producer::Create(po);
      if (producer.ok()) {
        ++producers_created_;
        return std::move(producer).value();
      }
      std::this_thread::sleep_for(milliseconds(200));  // the broker is restarting
    }
    return nullptr;
  }

  void Close(std::unique_ptr<Producer>& producer) {
    if (!producer) return;
    // delivery_timeout (2 min) bounds every record's outcome; give Close a little more so that
    // each record is reported acknowledged or failed before the next producer takes over its keys.
    const Status closed = producer->Close(milliseconds(150000));
    if (!closed.ok()) Log(start_, "producer close: " + closed.ToString());
    producer.reset();
  }

  void Run() {
    std::unique_ptr<Producer> producer = Create();
    auto producer_started = Clock::now();
    const auto rate_start = Clock::now();
    int64_t sent = 0;
    int next_key = 0;
    const std::string padding(static_cast<size_t>(options_.value_bytes), 'x');
    const std::string churn_value(1024, 'c');
    while (!stop_ && producer) {
      if (Clock::now() - producer_started >= options_.producer_restart_every) {
        Close(producer);
        producer = Create();
        producer_started = Clock::now();
        if (!producer) break;
      }
      const auto due = static_cast<int64_t>(SecondsSince(rate_start) * options_.records_per_second);
      if (sent >= due) {
        std::this_thread::sleep_for(milliseconds(2));
        continue;
      }
      for (; sent < due && !stop_; ++sent) {
        const int key = next_key;
        next_key = (next_key + 1) % options_.keys;
        const int64_t seq = ledger_.NextSeq(key);
        Record record;
        record.key = RecordKey(key);
        record.value = RecordValuePrefix(key, seq) + padding;
        producer->Send(kAuditTopic, std::move(record), std::nullopt,
                       [this, key, seq](const Result<RecordMetadata>& result) {
                         if (result.ok()) {
                           ledger_.Acked(key, seq);
                         } else {
                           ledger_.Failed(key, seq);
                         }
                       });
        if (options_.churn_topic && sent % 4 == 0) {
          Record churn;
          churn.value = churn_value;
          producer->Send(kChurnTopic, std::move(churn), std::nullopt,
                         [](const Result<RecordMetadata>&) {});
        }
      }
    }
    Close(producer);
  }

  const SoakOptions& options_;
  const std::string broker_;
  SoakLedger& ledger_;
  const Clock::time_point start_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> producers_created_{0};
  std::thread thread_;
};

// One member of the consumer group, polling on its own thread until stopped; then it closes
// (commits and leaves), as a scaled-down service instance would.
class Member {
 public:
  Member(std::string broker, std::string name, SoakLedger& ledger)
      : broker_(std::move(broker)), name_(std::move(name)), ledger_(ledger) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Member() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  const std::string& name() const { return name_; }
  int64_t poll_errors() const { return poll_errors_; }

 private:
  void Run() {
    ConsumerOptions co;
    co.client.broker = broker_;
    co.client.client_id = name_;
    co.group_id = kGroup;
    co.auto_commit_interval = milliseconds(1000);
    std::unique_ptr<Consumer> consumer;
    while (!stop_ && !consumer) {
      auto created = Consumer::Create(co);
      if (created.ok() && created.value()->Subscribe({kAuditTopic}).ok()) {
        consumer = std::move(created).value();
      } else {
        std::this_thread::sleep_for(milliseconds(200));
      }
    }
    while (!stop_ && consumer) {
      auto polled = consumer->Poll(milliseconds(200));
      if (!polled.ok()) {
        ++poll_errors_;  // the broker is restarting, or a rebalance is under way
        std::this_thread::sleep_for(milliseconds(100));
        continue;
      }
      for (const ConsumedRecord& r : polled.value()) {
        if (auto parsed = ParseRecordValue(r.record.value)) {
          ledger_.Consumed(r.partition, r.offset, parsed->first, parsed->second);
        }
      }
    }
    // A commit failing here only means some records are delivered again to the next owner.
    if (consumer) consumer->Close().IgnoreError();
  }

  const std::string broker_;
  const std::string name_;
  SoakLedger& ledger_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> poll_errors_{0};
  std::thread thread_;
};

struct Sample {
  double at_s = 0;
  int epoch = 0;  // which broker process (0 = the first start)
  int64_t rss = -1;
  int64_t open_files = -1;
  int64_t disk = -1;
  int64_t acked_not_consumed = 0;
};

// Peak values of one broker lifetime.
struct EpochPeak {
  int64_t rss = 0;
  int64_t open_files = 0;
  int64_t disk = 0;
};

std::string Mib(int64_t bytes) {
  return absl::StrFormat("%.1f MiB", static_cast<double>(bytes) / (1 << 20));
}

absl::Status CreateTopics(const SoakOptions& options, const std::string& broker) {
  ClientOptions co;
  co.broker = broker;
  auto admin = Admin::Connect(co);
  if (!admin.ok()) return absl::UnavailableError(admin.status().ToString());
  TopicSettings settings;
  settings.partitions = static_cast<uint32_t>(options.partitions);
  settings.retention_ms = options.retention_ms;
  for (const char* topic : {kAuditTopic, kChurnTopic}) {
    const Status created = admin.value()->CreateTopic(topic, settings);
    if (!created.ok() && created.code() != ErrorCode::kTopicAlreadyExists) {
      return absl::InternalError(absl::StrCat("create ", topic, ": ", created.ToString()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

int RunSoak(const SoakOptions& options) {
  const auto start = Clock::now();
  BrokerSupervisor broker(options.choreod, options.data_dir, options.broker_flags);
  if (absl::Status started = broker.Start(); !started.ok()) {
    std::fprintf(stderr, "choreo-soak: %s\n", started.ToString().c_str());
    return 2;
  }
  if (absl::Status created = CreateTopics(options, broker.address()); !created.ok()) {
    std::fprintf(stderr, "choreo-soak: %s\n", created.ToString().c_str());
    return 2;
  }
  Log(start, absl::StrCat("broker ", broker.address(), " pid ", broker.pid(), ", data ",
                          options.data_dir, "; soaking for ", options.duration.count(), " s"));

  SoakLedger ledger(options.keys);
  auto producer = std::make_unique<ProducerLoop>(options, broker.address(), ledger, start);
  std::vector<std::unique_ptr<Member>> members;
  int member_names = 0;
  for (int i = 0; i < options.members; ++i) {
    members.push_back(std::make_unique<Member>(broker.address(),
                                               absl::StrCat("member-", member_names++), ledger));
  }

  std::vector<Sample> samples;
  int epoch = 0;
  int restarts = 0;
  std::mt19937 rng(20261204);
  auto last_churn = Clock::now();
  auto last_restart = Clock::now();
  auto last_sample = Clock::now() - options.sample_every;
  std::printf("%8s %5s %10s %6s %11s %10s\n", "t_s", "epoch", "rss", "fds", "disk", "unconsumed");
  while (Clock::now() - start < options.duration) {
    const auto now = Clock::now();
    if (now - last_sample >= options.sample_every) {
      last_sample = now;
      Sample s{SecondsSince(start),
               epoch,
               bench::ProcessRssBytes(broker.pid()),
               OpenFiles(broker.pid()),
               bench::DirectoryBytes(options.data_dir),
               ledger.AckedNotConsumed()};
      samples.push_back(s);
      std::printf("%8.0f %5d %10s %6lld %11s %10lld\n", s.at_s, s.epoch, Mib(s.rss).c_str(),
                  static_cast<long long>(s.open_files), Mib(s.disk).c_str(),
                  static_cast<long long>(s.acked_not_consumed));
      std::fflush(stdout);
    }
    if (now - last_churn >= options.member_churn_every && !members.empty()) {
      last_churn = now;
      const size_t victim = std::uniform_int_distribution<size_t>(0, members.size() - 1)(rng);
      Log(start, absl::StrCat(members[victim]->name(), " leaves; member-", member_names, " joins"));
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(victim));
      members.push_back(std::make_unique<Member>(broker.address(),
                                                 absl::StrCat("member-", member_names++), ledger));
    }
    if (now - last_restart >= options.broker_restart_every) {
      last_restart = now;
      const int signal = restarts % 2 == 0 ? SIGKILL : SIGTERM;
      const int status = broker.Stop(signal);
      ++restarts;
      ++epoch;
      const auto down = Clock::now();
      if (absl::Status started = broker.Start(); !started.ok()) {
        Log(start, "broker restart failed: " + started.ToString());
        return 1;
      }
      Log(start,
          absl::StrCat("broker ", signal == SIGKILL ? "killed (SIGKILL)" : "stopped (SIGTERM)",
                       ", wait status ", status, "; back in ",
                       absl::StrFormat("%.2f s", SecondsSince(down)), " as pid ", broker.pid()));
    }
    std::this_thread::sleep_for(milliseconds(200));
  }

  Log(start, "stopping the producer");
  producer->Stop();
  const int64_t producers = producer->producers_created();
  producer.reset();
  const auto drain_deadline = Clock::now() + options.drain_timeout;
  while (ledger.AckedNotConsumed() > 0 && Clock::now() < drain_deadline) {
    std::this_thread::sleep_for(milliseconds(200));
  }
  Log(start, absl::StrCat("drained; ", ledger.AckedNotConsumed(), " acknowledged not consumed"));
  int64_t poll_errors = 0;
  for (const auto& m : members)
    poll_errors += m->poll_errors();
  members.clear();

  const SoakLedger::Summary sum = ledger.Summarize();
  std::printf(
      "\nrecords: %lld sent, %lld acknowledged, %lld failed (not acknowledged), %lld consumed, "
      "%lld redelivered\n",
      static_cast<long long>(sum.sent), static_cast<long long>(sum.acked),
      static_cast<long long>(sum.failed), static_cast<long long>(sum.consumed),
      static_cast<long long>(sum.redelivered));
  std::printf(
      "events: %d broker restarts, %lld producers, %d group members, %lld poll errors "
      "(members polling of the last set)\n",
      restarts, static_cast<long long>(producers), member_names,
      static_cast<long long>(poll_errors));
  for (const std::string& e : sum.examples)
    std::printf("  %s\n", e.c_str());

  // Flatness: compare each broker lifetime's peaks. The first lifetime is the warm-up (memtables
  // and caches filling); a leak shows as later lifetimes peaking higher than the second.
  std::vector<EpochPeak> peaks(static_cast<size_t>(epoch) + 1);
  for (const Sample& s : samples) {
    EpochPeak& p = peaks[static_cast<size_t>(s.epoch)];
    p.rss = std::max(p.rss, s.rss);
    p.open_files = std::max(p.open_files, s.open_files);
    p.disk = std::max(p.disk, s.disk);
  }
  std::printf("\nper broker lifetime (peaks):\n");
  for (size_t i = 0; i < peaks.size(); ++i) {
    std::printf("  %zu: rss %s, open files %lld, disk %s\n", i, Mib(peaks[i].rss).c_str(),
                static_cast<long long>(peaks[i].open_files), Mib(peaks[i].disk).c_str());
  }
  bool flat = true;
  if (peaks.size() >= 3) {
    const EpochPeak& base = peaks[1];
    const EpochPeak& last = peaks.back();
    // Allowances: caches may still be filling in the second lifetime; RocksDB opens a few more
    // files as levels fill; disk moves with compaction timing.
    flat = last.rss <= base.rss * 5 / 4 + (32 << 20) && last.open_files <= base.open_files + 16 &&
           last.disk <= base.disk * 3 / 2 + (64 << 20);
    std::printf("flat (last lifetime against the second): %s\n", flat ? "yes" : "NO");
  } else {
    std::printf("flat: not judged (fewer than three broker lifetimes; lengthen --duration)\n");
  }
  const bool ok = sum.lost == 0 && sum.unknown == 0 && sum.order_violations == 0 && flat;
  std::printf("\n%s: %lld lost, %lld unknown, %lld out of order\n", ok ? "PASS" : "FAIL",
              static_cast<long long>(sum.lost), static_cast<long long>(sum.unknown),
              static_cast<long long>(sum.order_violations));
  return ok ? 0 : 1;
}

}  // namespace choreo::soak

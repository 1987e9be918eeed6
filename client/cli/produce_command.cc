#include <chrono>
#include <istream>
#include <random>
#include <string>

#include "choreo/client/producer.h"
#include "choreo/common/mutex.h"
#include "choreo/common/rfc3339.h"
#include "client/cli/commands.h"
#include "client/cli/record_format.h"
#include "client/cli/time_format.h"

namespace choreo::cli {
namespace {

// Records sent but not yet acknowledged, at most. Bounds memory for large inputs while keeping the
// connection busy.
constexpr uint64_t kMaxInFlight = 1024;

// Outcomes of the records sent so far. Updated by producer callbacks on the producer's I/O thread.
class Acknowledgements {
 public:
  void Sent() {
    MutexLock lock(&mu_);
    while (in_flight_ >= kMaxInFlight)
      slot_free_.Wait(&mu_);
    ++in_flight_;
  }
  void Done(uint64_t line, const Result<RecordMetadata>& result) {
    MutexLock lock(&mu_);
    --in_flight_;
    if (!result.ok()) {
      if (failed_ == 0 || line < first_failed_line_) {
        first_failed_line_ = line;
        first_failure_ = result.status();
      }
      ++failed_;
    }
    slot_free_.SignalAll();
  }
  bool AnyFailed() {
    MutexLock lock(&mu_);
    return failed_ > 0;
  }
  // Call once every outcome is in.
  Status Summary(uint64_t lines) {
    MutexLock lock(&mu_);
    if (failed_ == 0) return OkStatus();
    return Status(first_failure_.code(), std::to_string(failed_) + " of " + std::to_string(lines) +
                                             " records failed; line " +
                                             std::to_string(first_failed_line_) + ": " +
                                             first_failure_.message());
  }

 private:
  Mutex mu_;
  CondVar slot_free_;
  uint64_t in_flight_ CHOREO_GUARDED_BY(mu_) = 0;
  uint64_t failed_ CHOREO_GUARDED_BY(mu_) = 0;
  uint64_t first_failed_line_ CHOREO_GUARDED_BY(mu_) = 0;
  Status first_failure_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace

namespace {

// "cli-<12 random hex digits>".
std::string RandomId() {
  std::random_device device;
  std::mt19937_64 rng(device());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "cli-";
  for (int i = 0; i < 12; ++i)
    id += kHex[rng() % 16];
  return id;
}

// --delay / --at: each line is one scheduled record, stored before the next is read.
Status RunScheduledProduce(const ClientOptions& options, const ProduceArgs& args, Io& io) {
  ProducerOptions producer_options{.client = options};
  producer_options.enable_idempotence = false;  // scheduling needs no producer id
  Result<std::unique_ptr<Producer>> producer = Producer::Create(producer_options);
  if (!producer.ok()) return producer.status();
  const std::string base = args.id.value_or(RandomId());
  const auto due =
      args.at_ms
          ? std::chrono::system_clock::time_point(std::chrono::milliseconds(*args.at_ms))
          : std::chrono::system_clock::now() + std::chrono::milliseconds(args.delay_ms.value_or(0));
  uint64_t lines = 0;
  std::string line;
  while (std::getline(io.in, line)) {
    const uint64_t n = ++lines;
    const std::string id = n == 1 ? base : base + "/" + std::to_string(n);
    Result<ScheduledRecord> scheduled = (*producer)->Schedule(
        id, due, args.topic, ParseInputLine(line, args.key_separator, args.headers),
        args.partition);
    if (!scheduled.ok()) {
      return Status(scheduled.status().code(),
                    "line " + std::to_string(n) + ": " + scheduled.status().message());
    }
    const int64_t due_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(scheduled->due.time_since_epoch())
            .count();
    io.out << (scheduled->already_scheduled ? "already scheduled " : "scheduled ") << id << " due "
           << FormatRfc3339Millis(due_ms) << " partition " << scheduled->partition << "\n";
  }
  return (*producer)->Close(options.request_timeout);
}

}  // namespace

Status RunScheduledCancel(const ClientOptions& options, const ScheduledCancelArgs& args, Io& io) {
  ProducerOptions producer_options{.client = options};
  producer_options.enable_idempotence = false;
  Result<std::unique_ptr<Producer>> producer = Producer::Create(producer_options);
  if (!producer.ok()) return producer.status();
  Result<CancelOutcome> outcome = (*producer)->CancelScheduled(args.id);
  if (!outcome.ok()) return outcome.status();
  switch (*outcome) {
    case CancelOutcome::kCancelled:
      io.out << "cancelled " << args.id << "\n";
      return OkStatus();
    case CancelOutcome::kAlreadyCancelled:
      io.out << "already cancelled " << args.id << "\n";
      return OkStatus();
    case CancelOutcome::kDelivered:
      return CommandFailure("scheduled record '" + args.id + "' was delivered already");
    case CancelOutcome::kNotFound:
      break;
  }
  return CommandFailure("no scheduled record '" + args.id +
                        "' (never scheduled, or ended more than 7 days ago)");
}

// Sends every line as its own record through one producer, pipelined. Stops reading at the first
// failure it has seen (the exit status is 1 either way), then waits for all outcomes.
Status RunProduce(const ClientOptions& options, const ProduceArgs& args, Io& io) {
  if (args.delay_ms || args.at_ms) return RunScheduledProduce(options, args, io);
  Result<std::unique_ptr<Producer>> producer = Producer::Create(ProducerOptions{.client = options});
  if (!producer.ok()) return producer.status();
  Acknowledgements acks;
  uint64_t lines = 0;
  std::string line;
  while (!acks.AnyFailed() && std::getline(io.in, line)) {
    const uint64_t line_number = ++lines;
    acks.Sent();
    (*producer)->Send(args.topic, ParseInputLine(line, args.key_separator, args.headers),
                      args.partition, [&acks, line_number](const Result<RecordMetadata>& result) {
                        acks.Done(line_number, result);
                      });
  }
  // Every record has its own request timeout, so this only bounds a broker that stops answering.
  const Status closed = (*producer)->Close(options.request_timeout * 2);
  Status summary = acks.Summary(lines);
  if (!summary.ok()) return summary;
  return closed;
}

}  // namespace choreo::cli

// `choreo consume TOPIC --group G`: consumes as a member of G, printing records and committing
// what it printed after every batch (and before giving partitions up). SIGINT/SIGTERM end it
// cleanly: it commits, leaves the group (its partitions move at once) and exits 0.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <map>
#include <ostream>

#include "choreo/client/consumer.h"
#include "client/cli/commands.h"
#include "client/cli/record_format.h"

namespace choreo::cli {
namespace {

constexpr std::chrono::milliseconds kPollTimeout{500};
// Without --follow: stop after this many empty polls in a row once joined (caught up).
constexpr int kIdlePollsBeforeExit = 2;

std::atomic<bool> interrupted{false};

extern "C" void OnInterrupt(int) {
  interrupted = true;
}

// Turns SIGINT/SIGTERM into `interrupted` for the life of the command.
class InterruptScope {
 public:
  InterruptScope() {
    interrupted = false;
    struct sigaction action {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~InterruptScope() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace

Status RunGroupConsume(const ClientOptions& options, const ConsumeArgs& args, Io& io) {
  // Offsets of printed records not yet committed: exactly what was output, never more.
  std::map<TopicPartition, OffsetAndMetadata> printed;
  Consumer* consumer_ptr = nullptr;
  ConsumerOptions consumer_options{.client = options};
  consumer_options.group_id = *args.group;
  consumer_options.auto_offset_reset =
      args.from_beginning ? StartFrom::kEarliest : StartFrom::kLatest;
  consumer_options.enable_auto_commit = false;
  consumer_options.commit_on_close = false;
  if (args.session_timeout_ms) {
    consumer_options.session_timeout = std::chrono::milliseconds(*args.session_timeout_ms);
  }
  consumer_options.listener.on_revoked = [&](const std::vector<TopicPartition>& partitions) {
    std::map<TopicPartition, OffsetAndMetadata> commit;
    for (const TopicPartition& tp : partitions) {
      auto it = printed.find(tp);
      if (it == printed.end()) continue;
      commit.insert(*it);
      printed.erase(it);
    }
    if (Status s = consumer_ptr->Commit(commit); !s.ok()) {
      io.err << "warning: commit failed: " << s.ToString() << "\n";
    }
  };
  consumer_options.listener.on_lost = [&](const std::vector<TopicPartition>& partitions) {
    for (const TopicPartition& tp : partitions)
      printed.erase(tp);
  };
  Result<std::unique_ptr<Consumer>> consumer = Consumer::Create(consumer_options);
  if (!consumer.ok()) return consumer.status();
  consumer_ptr = consumer->get();
  if (Status subscribed = (*consumer)->Subscribe({args.topic}); !subscribed.ok()) {
    return subscribed;
  }

  InterruptScope interrupt_scope;
  Status result;
  uint64_t count = 0;
  int idle_polls = 0;
  while (!interrupted && !(args.max_records && count >= *args.max_records)) {
    Result<std::vector<ConsumedRecord>> records = (*consumer)->Poll(kPollTimeout);
    if (!records.ok()) {
      if (records.status().IsRetriable()) continue;  // the consumer reconnects and rejoins
      result = records.status();
      break;
    }
    for (const ConsumedRecord& record : *records) {
      if (args.max_records && count >= *args.max_records) break;
      io.out << FormatRecord(record, args.format) << '\n';
      printed[{record.topic, record.partition}] = OffsetAndMetadata{record.offset + 1, ""};
      ++count;
    }
    io.out.flush();
    if (!printed.empty()) {
      if (Status s = (*consumer)->Commit(printed); !s.ok()) {
        io.err << "warning: commit failed: " << s.ToString() << "\n";
      }
      printed.clear();
    }
    const bool joined = (*consumer)->MemberEpoch() > 0;
    idle_polls = records->empty() && joined ? idle_polls + 1 : 0;
    if (!args.follow && idle_polls >= kIdlePollsBeforeExit) break;
  }
  // Commits what is left (on_revoked) and leaves the group at once.
  (void)(*consumer)->Close();
  return result;
}

}  // namespace choreo::cli

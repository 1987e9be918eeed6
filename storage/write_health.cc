#include "storage/write_health.h"

#include <absl/strings/str_cat.h>
#include <rocksdb/listener.h>

#include <chrono>
#include <utility>

namespace choreo::storage {
namespace {

const char* Describe(rocksdb::BackgroundErrorReason reason) {
  switch (reason) {
    case rocksdb::BackgroundErrorReason::kFlush:
    case rocksdb::BackgroundErrorReason::kFlushNoWAL:
      return "memtable flush";
    case rocksdb::BackgroundErrorReason::kCompaction:
      return "compaction";
    case rocksdb::BackgroundErrorReason::kWriteCallback:
      return "WAL write";
    case rocksdb::BackgroundErrorReason::kMemTable:
      return "memtable insert";
    case rocksdb::BackgroundErrorReason::kManifestWrite:
    case rocksdb::BackgroundErrorReason::kManifestWriteNoWAL:
      return "MANIFEST write";
  }
  return "background write";
}

class WriteErrorListener : public rocksdb::EventListener {
 public:
  explicit WriteErrorListener(std::shared_ptr<WriteHealthState> state) : state_(std::move(state)) {}

  const char* Name() const override { return "ChoreoWriteErrorListener"; }

  // Called with RocksDB's database mutex held: record, never call back into the database.
  //
  // A failed WAL write leaves RocksDB's WAL writer marked as failed, and RocksDB 7.8 aborts the
  // process (an assertion in WritableFileWriter) at the next append to or sync of that writer. Only
  // a resume that switches to a new WAL file avoids it, and a resume switches only when some
  // memtable holds data. So after a WAL write error nothing resumes: neither WriteRecovery nor
  // RocksDB's own recovery (below); the store refuses writes until it is reopened.
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason,
                         rocksdb::Status* bg_error) override {
    if (bg_error == nullptr || bg_error->ok()) return;
    const bool wal = reason == rocksdb::BackgroundErrorReason::kWriteCallback;
    state_->Failed(absl::StrCat(Describe(reason), " failed: ", bg_error->ToString()),
                   bg_error->IsNoSpace(),
                   !wal && bg_error->severity() < rocksdb::Status::Severity::kFatalError);
  }

  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status,
                            bool* auto_recovery) override {
    if (reason == rocksdb::BackgroundErrorReason::kWriteCallback && auto_recovery != nullptr) {
      *auto_recovery = false;
    }
  }

 private:
  std::shared_ptr<WriteHealthState> state_;
};

}  // namespace

void WriteHealthState::Failed(std::string reason, bool no_space, bool recoverable) {
  MutexLock lock(&mu_);
  ++health_.write_errors;
  // The first failure says why; a fatal one overrides it (it changes what the operator must do).
  if (!health_.refusing || (!recoverable && health_.recoverable)) {
    health_.reason = std::move(reason);
    health_.no_space = no_space;
  }
  health_.refusing = true;
  if (!recoverable) health_.recoverable = false;
  cv_.SignalAll();
}

void WriteHealthState::Recovered() {
  MutexLock lock(&mu_);
  if (!health_.refusing) return;
  health_.refusing = false;
  health_.reason.clear();
  health_.no_space = false;
  health_.recoverable = true;
  ++health_.recoveries;
}

WriteHealth WriteHealthState::Snapshot() const {
  MutexLock lock(&mu_);
  return health_;
}

bool WriteHealthState::refusing() const {
  MutexLock lock(&mu_);
  return health_.refusing;
}

bool WriteHealthState::WaitUntilRefusing() {
  MutexLock lock(&mu_);
  while (!health_.refusing && !stopping_)
    cv_.Wait(&mu_);
  return !stopping_;
}

bool WriteHealthState::Pause(absl::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
  MutexLock lock(&mu_);
  while (!stopping_ && std::chrono::steady_clock::now() < deadline)
    cv_.WaitUntil(&mu_, deadline);
  return !stopping_;
}

void WriteHealthState::Stop() {
  MutexLock lock(&mu_);
  stopping_ = true;
  cv_.SignalAll();
}

std::shared_ptr<rocksdb::EventListener> NewWriteErrorListener(
    std::shared_ptr<WriteHealthState> state) {
  return std::make_shared<WriteErrorListener>(std::move(state));
}

}  // namespace choreo::storage

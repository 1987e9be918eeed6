// LogStore: wires StoreDb, TopicRegistry, partition reads and the Committer together.
//
// Closing: `db_mu_` is held shared by every operation that touches RocksDB on the caller's thread
// and exclusively by Close() while it destroys the database, so no call ever sees a closed DB.
// Appends do not take it: the committer refuses them once stopping, and is stopped before the
// database is closed.
#include "choreo/storage/log_store.h"

#include <absl/strings/str_cat.h>

#include <future>
#include <limits>
#include <optional>

#include "choreo/common/mutex.h"
#include "choreo/storage/errors.h"
#include "storage/committer.h"
#include "storage/partition_reader.h"
#include "storage/store_db.h"
#include "storage/string_view_compat.h"
#include "storage/topic_registry.h"
#include "storage/value_format.h"

namespace choreo::storage {
namespace {

// The largest batch a value can hold (its length is a u32 in the value header).
constexpr uint64_t kMaxBatchBytes = std::numeric_limits<uint32_t>::max() - kBatchHeaderSize;

absl::Status ClosedError() {
  return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
}

absl::Status UnknownTopic(std::string_view name) {
  return MakeStoreError(StoreErrorKind::kUnknownTopic,
                        absl::StrCat("unknown topic '", ToAbsl(name), "'"));
}

}  // namespace

class LogStore::Impl {
 public:
  Impl(const StoreOptions& options, std::unique_ptr<StoreDb> db,
       std::unique_ptr<TopicRegistry> registry)
      : options_(options),
        db_(std::move(db)),
        registry_(std::move(registry)),
        committer_(std::make_unique<Committer>(*db_, options_)) {
    committer_->Start();
  }

  ~Impl() { Close().IgnoreError(); }

  absl::StatusOr<TopicInfo> CreateTopic(std::string_view name, const TopicConfig& config) {
    ReaderMutexLock lock(&db_mu_);
    if (closed_) return ClosedError();
    return registry_->Create(name, config);
  }

  absl::Status DeleteTopic(std::string_view name) {
    ReaderMutexLock lock(&db_mu_);
    if (closed_) return ClosedError();
    return committer_->RunExclusive([&] { return registry_->Delete(name); });
  }

  std::vector<TopicInfo> ListTopics() const { return registry_->List(); }

  absl::StatusOr<TopicInfo> GetTopic(std::string_view name) const {
    std::shared_ptr<TopicState> topic = registry_->Find(name);
    if (topic == nullptr) return UnknownTopic(name);
    return topic->info;
  }

  void Append(std::string_view name, PartitionId partition, std::string batch,
              const BatchFields& fields, AppendCallback done) {
    absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(name, partition);
    if (!topic.ok()) return done(topic.status());
    if (fields.record_count == 0) {
      return done(MakeStoreError(StoreErrorKind::kInvalidBatch,
                                 absl::StrCat("append to topic '", ToAbsl(name), "' partition ",
                                              partition, ": a batch needs at least one record")));
    }
    if (batch.size() > kMaxBatchBytes) {
      return done(MakeStoreError(
          StoreErrorKind::kInvalidBatch,
          absl::StrCat("append to topic '", ToAbsl(name), "' partition ", partition, ": batch of ",
                       batch.size(), " bytes exceeds the limit of ", kMaxBatchBytes)));
    }
    committer_->Enqueue(PendingAppend{.topic = *std::move(topic),
                                      .partition = partition,
                                      .batch = std::move(batch),
                                      .fields = fields,
                                      .done = std::move(done)});
  }

  absl::StatusOr<AppendResult> AppendAndWait(std::string_view name, PartitionId partition,
                                             std::string batch, const BatchFields& fields) {
    if (committer_->OnCommitterThread()) {
      return absl::FailedPreconditionError("AppendAndWait cannot be called from a callback");
    }
    std::promise<absl::StatusOr<AppendResult>> promise;
    std::future<absl::StatusOr<AppendResult>> future = promise.get_future();
    Append(name, partition, std::move(batch), fields,
           [&promise](absl::StatusOr<AppendResult> r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  absl::StatusOr<ReadResult> Read(std::string_view name, PartitionId partition, Offset offset,
                                  uint64_t max_bytes) const {
    ReaderMutexLock lock(&db_mu_);
    if (closed_) return ClosedError();
    absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(name, partition);
    if (!topic.ok()) return topic.status();
    ReadResult result;
    VisibleRange range = Visible(**topic, partition);
    result.offsets = {.log_start_offset = range.log_start, .high_watermark = range.high_watermark};
    if (offset < range.log_start || offset > range.high_watermark) {
      return MakeStoreError(StoreErrorKind::kOffsetOutOfRange,
                            absl::StrCat("offset ", offset, " is outside [", range.log_start, ", ",
                                         range.high_watermark, "] of topic '", ToAbsl(name),
                                         "' partition ", partition));
    }
    if (offset == range.high_watermark) return result;
    absl::StatusOr<std::vector<StoredBatch>> batches =
        ReadBatches(*db_, (*topic)->info, partition, range, offset, max_bytes);
    if (!batches.ok()) return batches.status();
    if ((*topic)->deleted.load()) return UnknownTopic(name);
    result.batches = *std::move(batches);
    return result;
  }

  absl::StatusOr<PartitionOffsets> GetOffsets(std::string_view name, PartitionId partition) const {
    absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(name, partition);
    if (!topic.ok()) return topic.status();
    VisibleRange range = Visible(**topic, partition);
    return PartitionOffsets{.log_start_offset = range.log_start,
                            .high_watermark = range.high_watermark};
  }

  absl::StatusOr<Offset> OffsetForTimestamp(std::string_view name, PartitionId partition,
                                            int64_t timestamp_ms) const {
    ReaderMutexLock lock(&db_mu_);
    if (closed_) return ClosedError();
    absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(name, partition);
    if (!topic.ok()) return topic.status();
    VisibleRange range = Visible(**topic, partition);
    if (range.log_start == range.high_watermark) return Offset{-1};
    return FindOffsetForTimestamp(*db_, (*topic)->info, partition, range, timestamp_ms);
  }

  void SetCommitListener(CommitListener listener) {
    committer_->SetCommitListener(std::move(listener));
  }

  absl::Status Close() {
    // The committer first: it drains the queue and needs the database for that.
    absl::Status status = committer_->Stop();
    if (committer_->OnCommitterThread()) return status;
    WriterMutexLock lock(&db_mu_);
    if (closed_) return close_status_;
    closed_ = true;
    absl::Status db_status = db_->Close();
    if (status.ok()) status = db_status;
    close_status_ = status;
    return status;
  }

 private:
  absl::StatusOr<std::shared_ptr<TopicState>> FindPartition(std::string_view name,
                                                            PartitionId partition) const {
    std::shared_ptr<TopicState> topic = registry_->Find(name);
    if (topic == nullptr) return UnknownTopic(name);
    if (partition >= topic->partitions.size()) {
      return MakeStoreError(
          StoreErrorKind::kInvalidPartition,
          absl::StrCat("topic '", ToAbsl(name), "' has ", topic->partitions.size(),
                       " partitions, no partition ", partition));
    }
    return topic;
  }

  static VisibleRange Visible(const TopicState& topic, PartitionId partition) {
    const PartitionState& state = topic.partitions[partition];
    // Log start first: it only grows, so the range read is never inverted.
    Offset log_start = state.log_start.load(std::memory_order_acquire);
    Offset high_watermark = state.high_watermark.load(std::memory_order_acquire);
    return {.log_start = log_start, .high_watermark = high_watermark};
  }

  const StoreOptions options_;
  mutable SharedMutex db_mu_;
  bool closed_ CHOREO_GUARDED_BY(db_mu_) = false;
  absl::Status close_status_ CHOREO_GUARDED_BY(db_mu_);
  std::unique_ptr<StoreDb> db_;
  std::unique_ptr<TopicRegistry> registry_;
  std::unique_ptr<Committer> committer_;
};

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(const StoreOptions& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("StoreOptions.data_dir must not be empty");
  }
  if (options.fsync == FsyncPolicy::kInterval && options.fsync_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("StoreOptions.fsync_interval must be positive");
  }
  absl::StatusOr<std::unique_ptr<StoreDb>> db = StoreDb::Open(options);
  if (!db.ok()) return db.status();
  auto registry = std::make_unique<TopicRegistry>(**db);
  if (absl::Status s = registry->Load(); !s.ok()) return s;
  auto impl = std::make_unique<Impl>(options, *std::move(db), std::move(registry));
  return std::unique_ptr<LogStore>(new LogStore(std::move(impl)));
}

LogStore::LogStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LogStore::~LogStore() = default;

absl::StatusOr<TopicInfo> LogStore::CreateTopic(std::string_view name, const TopicConfig& config) {
  return impl_->CreateTopic(name, config);
}

absl::Status LogStore::DeleteTopic(std::string_view name) {
  return impl_->DeleteTopic(name);
}

std::vector<TopicInfo> LogStore::ListTopics() const {
  return impl_->ListTopics();
}

absl::StatusOr<TopicInfo> LogStore::GetTopic(std::string_view name) const {
  return impl_->GetTopic(name);
}

void LogStore::Append(std::string_view topic, PartitionId partition, std::string batch,
                      const BatchFields& fields, AppendCallback done) {
  impl_->Append(topic, partition, std::move(batch), fields, std::move(done));
}

absl::StatusOr<AppendResult> LogStore::AppendAndWait(std::string_view topic, PartitionId partition,
                                                     std::string batch, const BatchFields& fields) {
  return impl_->AppendAndWait(topic, partition, std::move(batch), fields);
}

absl::StatusOr<ReadResult> LogStore::Read(std::string_view topic, PartitionId partition,
                                          Offset offset, uint64_t max_bytes) const {
  return impl_->Read(topic, partition, offset, max_bytes);
}

absl::StatusOr<PartitionOffsets> LogStore::GetOffsets(std::string_view topic,
                                                      PartitionId partition) const {
  return impl_->GetOffsets(topic, partition);
}

absl::StatusOr<Offset> LogStore::OffsetForTimestamp(std::string_view topic, PartitionId partition,
                                                    int64_t timestamp_ms) const {
  return impl_->OffsetForTimestamp(topic, partition, timestamp_ms);
}

void LogStore::SetCommitListener(CommitListener listener) {
  impl_->SetCommitListener(std::move(listener));
}

absl::Status LogStore::Close() {
  return impl_->Close();
}

}  // namespace choreo::storage

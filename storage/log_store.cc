// LogStore::Impl, first half: open/close, topics, appends and reads. See log_store_impl.h for
// the locking rules.
#include <absl/strings/str_cat.h>

#include <future>
#include <limits>

#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"
#include "storage/string_view_compat.h"
#include "storage/value_format.h"
#include "storage/wall_clock.h"

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

LogStore::Impl::Impl(const StoreOptions& options, std::unique_ptr<StoreDb> db,
                     std::unique_ptr<TopicRegistry> registry,
                     std::unique_ptr<ProducerRegistry> producers, std::unique_ptr<EventIndex> index,
                     std::shared_ptr<EventIndexTrimFilterFactory> index_filter)
    : options_(options),
      db_(std::move(db)),
      registry_(std::move(registry)),
      producers_(std::move(producers)),
      group_offsets_(std::make_unique<GroupOffsetStore>(*db_, *registry_, options_.fsync)),
      index_(std::move(index)),
      index_filter_(std::move(index_filter)),
      committer_(std::make_unique<Committer>(*db_, *producers_, index_.get(), options_)),
      scheduled_(std::make_unique<ScheduledEvents>(*db_, *registry_, *committer_)) {
  index_filter_->Attach(registry_.get());
  committer_->Start();
  recovery_ = std::make_unique<WriteRecovery>(*db_, *committer_, options_.write_recovery_interval);
  recovery_->Start();
}

LogStore::Impl::~Impl() {
  Close().IgnoreError();
}

absl::StatusOr<TopicInfo> LogStore::Impl::CreateTopic(std::string_view name,
                                                      const TopicConfig& config) {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return registry_->Create(name, config);
}

absl::Status LogStore::Impl::DeleteTopic(std::string_view name) {
  WriterMutexLock change(&topic_change_mu_);
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return committer_->RunExclusive([&] {
    return registry_->Delete(name, [&](const TopicInfo& topic, rocksdb::WriteBatch& batch) {
      return group_offsets_->StageTopicDeletion(topic.id, batch);
    });
  });
}

absl::StatusOr<TopicInfo> LogStore::Impl::AlterTopic(std::string_view name,
                                                     const TopicConfigUpdate& update) {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  return registry_->Alter(name, update);
}

std::vector<TopicInfo> LogStore::Impl::ListTopics() const {
  return registry_->List();
}

absl::StatusOr<TopicInfo> LogStore::Impl::GetTopic(std::string_view name) const {
  std::shared_ptr<TopicState> topic = registry_->Find(name);
  if (topic == nullptr) return UnknownTopic(name);
  return topic->info;
}

void LogStore::Impl::Append(std::string_view name, PartitionId partition, std::string batch,
                            const BatchFields& fields, AppendCallback done) {
  absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(name, partition);
  if (!topic.ok()) return done(topic.status());
  if (absl::Status s = CheckBatch(name, partition, batch, fields); !s.ok()) return done(s);
  committer_->Enqueue(PendingAppend{.topic = *std::move(topic),
                                    .partition = partition,
                                    .batch = std::move(batch),
                                    .fields = fields,
                                    .done = std::move(done)});
}

absl::StatusOr<AppendResult> LogStore::Impl::AppendAndWait(std::string_view name,
                                                           PartitionId partition, std::string batch,
                                                           const BatchFields& fields) {
  if (committer_->OnCommitterThread()) {
    return absl::FailedPreconditionError("AppendAndWait cannot be called from a callback");
  }
  std::promise<absl::StatusOr<AppendResult>> promise;
  std::future<absl::StatusOr<AppendResult>> future = promise.get_future();
  Append(name, partition, std::move(batch), fields,
         [&promise](absl::StatusOr<AppendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

absl::StatusOr<ReadResult> LogStore::Impl::Read(std::string_view name, PartitionId partition,
                                                Offset offset, uint64_t max_bytes,
                                                ReadTier tier) const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(name, partition);
  if (!topic.ok()) return topic.status();
  ReadResult result;
  VisibleRange range = Visible(**topic, partition);
  result.offsets = {.log_start_offset = range.log_start, .high_watermark = range.high_watermark};
  auto out_of_range = [&](Offset log_start) {
    return MakeStoreError(
        StoreErrorKind::kOffsetOutOfRange,
        absl::StrCat("offset ", offset, " is outside [", log_start, ", ", range.high_watermark,
                     "] of topic '", ToAbsl(name), "' partition ", partition));
  };
  if (offset < range.log_start || offset > range.high_watermark) {
    return out_of_range(range.log_start);
  }
  if (offset == range.high_watermark) return result;
  absl::StatusOr<std::vector<StoredBatch>> batches = ReadBatches(
      *db_, (*topic)->info, partition, range, offset, max_bytes, tier, &result.needs_io);
  if (!batches.ok()) return batches.status();
  if (result.needs_io) return result;
  if ((*topic)->deleted.load()) return UnknownTopic(name);
  // Below the high watermark some batch holds `offset`, unless retention deleted it after the
  // range was read (it moves the log start first, then deletes). Never return later batches as
  // if they were the requested ones.
  if (batches->empty() || batches->front().base_offset > offset) {
    return out_of_range(Visible(**topic, partition).log_start);
  }
  result.batches = *std::move(batches);
  return result;
}

absl::StatusOr<PartitionOffsets> LogStore::Impl::GetOffsets(std::string_view name,
                                                            PartitionId partition) const {
  absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(name, partition);
  if (!topic.ok()) return topic.status();
  PartitionState& state = (*topic)->partitions[partition];
  // Under size_mu: the committer moves the high watermark and the appended bytes together, and
  // retention the log start and the size base, so the three values match.
  MutexLock lock(&state.size_mu);
  return PartitionOffsets{
      .log_start_offset = state.log_start.load(std::memory_order_acquire),
      .high_watermark = state.high_watermark.load(std::memory_order_acquire),
      .stored_bytes = state.size_known ? state.size_base + state.appended_bytes : -1};
}

absl::StatusOr<Offset> LogStore::Impl::OffsetForTimestamp(std::string_view name,
                                                          PartitionId partition,
                                                          int64_t timestamp_ms) const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return ClosedError();
  absl::StatusOr<std::shared_ptr<TopicState>> topic = FindPartition(name, partition);
  if (!topic.ok()) return topic.status();
  VisibleRange range = Visible(**topic, partition);
  if (range.log_start == range.high_watermark) return Offset{-1};
  return FindOffsetForTimestamp(*db_, (*topic)->info, partition, range, timestamp_ms);
}

void LogStore::Impl::SetCommitListener(CommitListener listener) {
  committer_->SetCommitListener(std::move(listener));
}

absl::Status LogStore::Impl::Close() {
  // Recovery first (it uses the committer and the database), then the committer: it drains the
  // queue and needs the database for that.
  if (!committer_->OnCommitterThread()) recovery_->Stop();
  absl::Status status = committer_->Stop();
  if (committer_->OnCommitterThread()) return status;
  closing_.store(true);  // a running retention pass gives up and releases db_mu_
  WriterMutexLock lock(&db_mu_);
  if (closed_) return close_status_;
  closed_ = true;
  absl::Status db_status = db_->Close();
  index_filter_->Detach();
  if (status.ok()) status = db_status;
  close_status_ = status;
  return status;
}

absl::StatusOr<std::shared_ptr<TopicState>> LogStore::Impl::FindPartition(
    std::string_view name, PartitionId partition) const {
  std::shared_ptr<TopicState> topic = registry_->Find(name);
  if (topic == nullptr) return UnknownTopic(name);
  if (partition >= topic->partitions.size()) {
    return MakeStoreError(StoreErrorKind::kInvalidPartition,
                          absl::StrCat("topic '", ToAbsl(name), "' has ", topic->partitions.size(),
                                       " partitions, no partition ", partition));
  }
  return topic;
}

absl::Status LogStore::Impl::CheckBatch(std::string_view name, PartitionId partition,
                                        const std::string& batch, const BatchFields& fields) {
  if (fields.record_count == 0) {
    return MakeStoreError(StoreErrorKind::kInvalidBatch,
                          absl::StrCat("append to topic '", ToAbsl(name), "' partition ", partition,
                                       ": a batch needs at least one record"));
  }
  if (batch.size() > kMaxBatchBytes) {
    return MakeStoreError(
        StoreErrorKind::kInvalidBatch,
        absl::StrCat("append to topic '", ToAbsl(name), "' partition ", partition, ": batch of ",
                     batch.size(), " bytes exceeds the limit of ", kMaxBatchBytes));
  }
  return absl::OkStatus();
}

VisibleRange LogStore::Impl::Visible(const TopicState& topic, PartitionId partition) {
  const PartitionState& state = topic.partitions[partition];
  // Log start first: it only grows, so the range read is never inverted.
  Offset log_start = state.log_start.load(std::memory_order_acquire);
  Offset high_watermark = state.high_watermark.load(std::memory_order_acquire);
  return {.log_start = log_start, .high_watermark = high_watermark};
}

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(const StoreOptions& options) {
  if (options.data_dir.empty()) {
    return absl::InvalidArgumentError("StoreOptions.data_dir must not be empty");
  }
  if (options.producer_id_expiration_ms <= 0) {
    return absl::InvalidArgumentError("StoreOptions.producer_id_expiration_ms must be positive");
  }
  if (options.fsync == FsyncPolicy::kInterval && options.fsync_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("StoreOptions.fsync_interval must be positive");
  }
  if (options.write_recovery_interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("StoreOptions.write_recovery_interval must be positive");
  }
  auto index_filter = std::make_shared<EventIndexTrimFilterFactory>();
  absl::StatusOr<std::unique_ptr<StoreDb>> db = StoreDb::Open(options, index_filter);
  if (!db.ok()) return db.status();
  auto registry = std::make_unique<TopicRegistry>(**db);
  if (absl::Status s = registry->Load(); !s.ok()) return s;
  auto producers = std::make_unique<ProducerRegistry>(**db, options.fsync);
  const int64_t now_ms = WallClockMs(options);
  if (absl::Status s = producers->Load(now_ms); !s.ok()) return s;
  auto index = std::make_unique<EventIndex>(**db, *registry);
  if (absl::Status s = index->Load(); !s.ok()) return s;
  auto impl =
      std::make_unique<Impl>(options, *std::move(db), std::move(registry), std::move(producers),
                             std::move(index), std::move(index_filter));
  if (absl::Status s = impl->LoadScheduled(); !s.ok()) return s;
  if (absl::Status s = impl->ReconcileProducers(now_ms); !s.ok()) return s;
  return std::unique_ptr<LogStore>(new LogStore(std::move(impl)));
}

}  // namespace choreo::storage

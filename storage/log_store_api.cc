// LogStore's public methods: each forwards to LogStore::Impl (pimpl keeps RocksDB and every
// private header out of the public one).
#include "choreo/storage/log_store.h"

#include "storage/log_store_impl.h"

namespace choreo::storage {

LogStore::LogStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LogStore::~LogStore() = default;

absl::StatusOr<TopicInfo> LogStore::CreateTopic(std::string_view name, const TopicConfig& config) {
  return impl_->CreateTopic(name, config);
}

absl::Status LogStore::DeleteTopic(std::string_view name) {
  return impl_->DeleteTopic(name);
}

absl::StatusOr<TopicInfo> LogStore::AlterTopic(std::string_view name,
                                               const TopicConfigUpdate& update) {
  return impl_->AlterTopic(name, update);
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

void LogStore::AppendStep(StepAppends step, StepCallback done) {
  impl_->AppendStep(std::move(step), std::move(done));
}

absl::StatusOr<ReadResult> LogStore::Read(std::string_view topic, PartitionId partition,
                                          Offset offset, uint64_t max_bytes, ReadTier tier) const {
  return impl_->Read(topic, partition, offset, max_bytes, tier);
}

absl::StatusOr<PartitionOffsets> LogStore::GetOffsets(std::string_view topic,
                                                      PartitionId partition) const {
  return impl_->GetOffsets(topic, partition);
}

absl::StatusOr<Offset> LogStore::OffsetForTimestamp(std::string_view topic, PartitionId partition,
                                                    int64_t timestamp_ms) const {
  return impl_->OffsetForTimestamp(topic, partition, timestamp_ms);
}

absl::StatusOr<ProducerIdentity> LogStore::InitProducer(int64_t producer_id, int32_t epoch,
                                                        bool bump_epoch) {
  return impl_->InitProducer(producer_id, epoch, bump_epoch);
}

absl::StatusOr<size_t> LogStore::ExpireProducers(int64_t now_ms) {
  return impl_->ExpireProducers(now_ms);
}

absl::Status LogStore::CommitGroupOffsets(std::string_view group,
                                          const std::vector<GroupOffset>& offsets) {
  return impl_->CommitGroupOffsets(group, offsets);
}

absl::StatusOr<std::vector<GroupOffset>> LogStore::FetchGroupOffsets(std::string_view group) const {
  return impl_->FetchGroupOffsets(group);
}

absl::StatusOr<std::vector<GroupOffset>> LogStore::FetchGroupOffsets(
    std::string_view group, const std::vector<TopicPartition>& partitions) const {
  return impl_->FetchGroupOffsets(group, partitions);
}

absl::Status LogStore::DeleteGroupOffsets(std::string_view group) {
  return impl_->DeleteGroupOffsets(group);
}

absl::StatusOr<std::vector<std::string>> LogStore::ListGroupsWithOffsets() const {
  return impl_->ListGroupsWithOffsets();
}

absl::StatusOr<int64_t> LogStore::ApplyRetention(int64_t now_ms) {
  return impl_->ApplyRetention(now_ms);
}

absl::Status LogStore::Flush() {
  return impl_->Flush();
}

absl::StatusOr<DbStats> LogStore::GetDbStats() const {
  return impl_->GetDbStats();
}

WriteHealth LogStore::GetWriteHealth() const {
  return impl_->GetWriteHealth();
}

absl::StatusOr<EventPage> LogStore::FindEvents(const EventQuery& query) const {
  return impl_->FindEvents(query);
}

absl::Status LogStore::DefineSaga(const SagaDefinition& definition) {
  return impl_->DefineSaga(definition);
}

absl::Status LogStore::RemoveSagaDefinition(std::string_view name) {
  return impl_->RemoveSagaDefinition(name);
}

std::vector<SagaDefinition> LogStore::ListSagaDefinitions() const {
  return impl_->ListSagaDefinitions();
}

absl::StatusOr<std::vector<OpenSaga>> LogStore::ListStuckSagas(std::string_view definition,
                                                               int64_t now_ms, size_t limit) const {
  return impl_->ListStuckSagas(definition, now_ms, limit);
}

absl::StatusOr<std::vector<OpenSagaCount>> LogStore::CountOpenSagas(int64_t now_ms) const {
  return impl_->CountOpenSagas(now_ms);
}

absl::Status LogStore::CompactEventIndex() {
  return impl_->CompactEventIndex();
}

absl::Status LogStore::PutSchema(const StoredSchema& schema) {
  return impl_->PutSchema(schema);
}

absl::StatusOr<std::vector<StoredSchema>> LogStore::ListSchemas() const {
  return impl_->ListSchemas();
}

absl::Status LogStore::PutSecurityRecord(SecurityRecordKind kind, const SecurityRecord& record) {
  return impl_->PutSecurityRecord(kind, record);
}

absl::Status LogStore::DeleteSecurityRecord(SecurityRecordKind kind, std::string_view key) {
  return impl_->DeleteSecurityRecord(kind, key);
}

absl::StatusOr<std::vector<SecurityRecord>> LogStore::ListSecurityRecords(
    SecurityRecordKind kind) const {
  return impl_->ListSecurityRecords(kind);
}

absl::StatusOr<ScheduleResult> LogStore::ScheduleEvent(ScheduledEvent event) {
  return impl_->ScheduleEvent(std::move(event));
}

absl::StatusOr<CancelOutcome> LogStore::CancelScheduledEvent(std::string_view id,
                                                             const CancelCheck& check) {
  return impl_->CancelScheduledEvent(id, check);
}

absl::StatusOr<std::vector<DueEvent>> LogStore::TakeDueEvents(int64_t now_ms, size_t limit) {
  return impl_->TakeDueEvents(now_ms, limit);
}

void LogStore::DeliverDueEvent(DueEvent event, std::optional<BatchFields> fields,
                               DeliveryCallback done) {
  impl_->DeliverDueEvent(std::move(event), std::move(fields), std::move(done));
}

void LogStore::ReleaseDueEvent(std::string_view id) {
  impl_->ReleaseDueEvent(id);
}

absl::StatusOr<std::optional<int64_t>> LogStore::NextDueTime() const {
  return impl_->NextDueTime();
}

uint64_t LogStore::PendingScheduledEvents() const {
  return impl_->PendingScheduledEvents();
}

void LogStore::SetCommitListener(CommitListener listener) {
  impl_->SetCommitListener(std::move(listener));
}

absl::Status LogStore::Close() {
  return impl_->Close();
}

}  // namespace choreo::storage

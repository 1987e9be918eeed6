#include "storage/scheduled_events.h"

#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>
#include <rocksdb/db.h>

#include <future>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "choreo/storage/errors.h"
#include "storage/range_iterator.h"
#include "storage/scheduled_format.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

absl::Status CheckId(std::string_view id) {
  if (id.empty() || id.size() > kMaxScheduledIdLength) {
    return MakeStoreError(StoreErrorKind::kInvalidBatch,
                          absl::StrCat("a scheduled event's id must be 1 to ",
                                       kMaxScheduledIdLength, " bytes, not ", id.size()));
  }
  return absl::OkStatus();
}

int64_t NowMs() {
  return absl::ToUnixMillis(absl::Now());
}

std::string Quoted(std::string_view id) {
  return absl::StrCat("scheduled event '", ToAbsl(id), "'");
}

}  // namespace

absl::Status ScheduledEvents::Load() {
  uint64_t count = 0;
  KeyRange ids = IdKeyRange();
  RangeIterator it(db_, db_.scheduled, ids.begin, ids.end);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StatusOr<IdValue> id = DecodeIdValue(it->value().ToStringView());
    if (!id.ok()) return id.status();
    if (id->state == IdValue::State::kPending) ++count;
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "count the scheduled events");
  pending_.store(count);
  absl::StatusOr<std::optional<int64_t>> first = NextDueTime();
  if (!first.ok()) return first.status();
  MutexLock lock(&mu_);
  scan_from_ms_ = first->value_or(std::numeric_limits<int64_t>::max());
  return absl::OkStatus();
}

absl::Status ScheduledEvents::Acquire(const std::string& id) {
  MutexLock lock(&mu_);
  const auto deadline = std::chrono::steady_clock::now() + kBusyWait;
  while (busy_.contains(id)) {
    if (!released_.WaitUntil(&mu_, deadline) && busy_.contains(id)) {
      return MakeStoreError(StoreErrorKind::kClosed,
                            absl::StrCat(Quoted(id), " is still being delivered after ",
                                         kBusyWait.count(), " s; try again"));
    }
  }
  busy_.insert(id);
  return absl::OkStatus();
}

void ScheduledEvents::Done(const std::string& id) {
  MutexLock lock(&mu_);
  busy_.erase(id);
  released_.SignalAll();
}

absl::Status ScheduledEvents::WriteAndWait(PendingSchedule write) {
  auto outcome = std::make_shared<std::promise<absl::Status>>();
  std::future<absl::Status> done = outcome->get_future();
  write.done = [outcome](absl::StatusOr<AppendResult> result) {
    outcome->set_value(result.status());
  };
  committer_.Enqueue(std::move(write));
  return done.get();
}

absl::StatusOr<std::optional<IdValue>> ScheduledEvents::Lookup(const std::string& id) const {
  std::string value;
  rocksdb::Status s = db_.db->Get(rocksdb::ReadOptions(), db_.scheduled, EncodeIdKey(id), &value);
  if (s.IsNotFound()) return std::optional<IdValue>();
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("look up ", Quoted(id)));
  absl::StatusOr<IdValue> decoded = DecodeIdValue(value);
  if (!decoded.ok()) return decoded.status();
  return std::optional<IdValue>(*decoded);
}

absl::StatusOr<ScheduleResult> ScheduledEvents::Schedule(ScheduledEvent event) {
  if (absl::Status s = CheckId(event.id); !s.ok()) return s;
  if (event.due_ms < 0 || event.due_ms == std::numeric_limits<int64_t>::max()) {
    return MakeStoreError(StoreErrorKind::kInvalidBatch,
                          absl::StrCat(Quoted(event.id), ": invalid due time ", event.due_ms));
  }
  if (event.fields.record_count == 0 || event.batch.empty()) {
    return MakeStoreError(StoreErrorKind::kInvalidBatch,
                          absl::StrCat(Quoted(event.id), ": a batch needs at least one record"));
  }
  std::shared_ptr<TopicState> topic = topics_.Find(event.topic);
  if (topic == nullptr) {
    return MakeStoreError(
        StoreErrorKind::kUnknownTopic,
        absl::StrCat(Quoted(event.id), ": unknown topic '", ToAbsl(event.topic), "'"));
  }
  if (event.partition >= topic->partitions.size()) {
    return MakeStoreError(
        StoreErrorKind::kInvalidPartition,
        absl::StrCat(Quoted(event.id), ": topic '", ToAbsl(event.topic), "' has ",
                     topic->partitions.size(), " partitions, no partition ", event.partition));
  }
  if (absl::Status s = Acquire(event.id); !s.ok()) return s;
  absl::StatusOr<std::optional<IdValue>> existing = Lookup(event.id);
  if (!existing.ok() || (existing->has_value() && (*existing)->state == IdValue::State::kPending)) {
    Done(event.id);
    if (!existing.ok()) return existing.status();
    return ScheduleResult{.already_scheduled = true, .due_ms = (*existing)->due_ms};
  }
  // Lowered before the write, so a Take() that began earlier cannot raise it past this event.
  {
    MutexLock lock(&mu_);
    scan_from_ms_ = std::min(scan_from_ms_, event.due_ms);
    ++schedules_;
  }
  PendingSchedule write{.what = absl::StrCat("schedule ", Quoted(event.id))};
  write.puts.emplace_back(EncodeIdKey(event.id), EncodeIdValue({.due_ms = event.due_ms}));
  write.puts.emplace_back(EncodeDueKey(event.due_ms, event.id),
                          EncodeDueValue(DueValue{.topic_id = topic->info.id,
                                                  .partition = event.partition,
                                                  .record_count = event.fields.record_count,
                                                  .max_timestamp_ms = event.fields.max_timestamp_ms,
                                                  .topic = std::move(event.topic),
                                                  .batch = std::move(event.batch)}));
  absl::Status written = WriteAndWait(std::move(write));
  {
    // And again once written: a Take() that read scan_from_ms_ after the lowering above may have
    // scanned before the write was visible, found nothing, and raised scan_from_ms_ past this
    // event; it would then never be found. Counting the schedule again also stops a Take() still
    // scanning from raising it.
    MutexLock lock(&mu_);
    scan_from_ms_ = std::min(scan_from_ms_, event.due_ms);
    ++schedules_;
  }
  if (written.ok()) pending_.fetch_add(1, std::memory_order_relaxed);
  Done(event.id);
  if (!written.ok()) return written;
  return ScheduleResult{.already_scheduled = false, .due_ms = event.due_ms};
}

absl::StatusOr<CancelOutcome> ScheduledEvents::Cancel(std::string_view id_view,
                                                      const LogStore::CancelCheck& check) {
  if (absl::Status s = CheckId(id_view); !s.ok()) return s;
  const std::string id(id_view);
  if (absl::Status s = Acquire(id); !s.ok()) return s;
  absl::StatusOr<std::optional<IdValue>> found = Lookup(id);
  if (!found.ok() || !found->has_value() || (*found)->state != IdValue::State::kPending) {
    Done(id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return CancelOutcome::kNotFound;
    return (*found)->state == IdValue::State::kDelivered ? CancelOutcome::kDelivered
                                                         : CancelOutcome::kAlreadyCancelled;
  }
  if (check) {
    // The topic is in the due entry only; the id is held, so the entry is the one Lookup() saw.
    std::string due_value;
    rocksdb::Status s = db_.db->Get(rocksdb::ReadOptions(), db_.scheduled,
                                    EncodeDueKey((*found)->due_ms, id), &due_value);
    absl::StatusOr<DueValue> due =
        s.ok() ? DecodeDueValue(due_value)
               : absl::StatusOr<DueValue>(FromRocksStatus(s, absl::StrCat("look up ", Quoted(id))));
    absl::Status allowed = due.ok() ? check(due->topic) : due.status();
    if (!allowed.ok()) {
      Done(id);
      return allowed;
    }
  }
  PendingSchedule write{.what = absl::StrCat("cancel ", Quoted(id))};
  write.deletes = {EncodeDueKey((*found)->due_ms, id)};
  write.puts.emplace_back(EncodeIdKey(id), EncodeIdValue({.due_ms = (*found)->due_ms,
                                                          .state = IdValue::State::kCancelled,
                                                          .ended_ms = NowMs()}));
  absl::Status written = WriteAndWait(std::move(write));
  if (written.ok()) pending_.fetch_sub(1, std::memory_order_relaxed);
  Done(id);
  if (!written.ok()) return written;
  return CancelOutcome::kCancelled;
}

absl::StatusOr<std::vector<DueEvent>> ScheduledEvents::Take(int64_t now_ms, size_t limit) {
  std::vector<DueEvent> taken;
  if (limit == 0 || now_ms < 0 || now_ms == std::numeric_limits<int64_t>::max()) return taken;
  int64_t from_ms;
  uint64_t schedules_before;
  // The ids busy now (being delivered, mostly): the scan steps over them without counting them
  // against `limit`, so a pass during a burst finds new work instead of a page of deliveries
  // still in flight. Ids that become busy during the scan are filtered below.
  absl::flat_hash_set<std::string> busy_before;
  {
    MutexLock lock(&mu_);
    from_ms = scan_from_ms_;
    schedules_before = schedules_;
    busy_before = busy_;
  }
  if (from_ms > now_ms) return taken;
  // Read without the lock (the committer's callbacks take it); busy ids are filtered below.
  struct Found {
    DueKey key;
    std::string value;
  };
  std::vector<Found> found;
  std::optional<int64_t> first_due;
  {
    KeyRange range = DueKeyRange(from_ms, now_ms + 1);
    RangeIterator it(db_, db_.scheduled, range.begin, range.end);
    for (it->SeekToFirst(); it->Valid() && found.size() < limit; it->Next()) {
      std::optional<DueKey> key = DecodeDueKey(it->key().ToStringView());
      if (!key.has_value()) {
        return MakeStoreError(StoreErrorKind::kCorruptData, "scheduled events: malformed due key");
      }
      if (!first_due.has_value()) first_due = key->due_ms;
      if (busy_before.contains(key->id)) continue;
      found.push_back(Found{*std::move(key), std::string(it->value().ToStringView())});
    }
    if (!it->status().ok()) return FromRocksStatus(it->status(), "read the due scheduled events");
  }
  {
    MutexLock lock(&mu_);
    // Nothing was found below the first key seen, so later scans may start there, unless an
    // event was scheduled meanwhile (the scan may not have seen it).
    if (schedules_ == schedules_before) {
      scan_from_ms_ = first_due.value_or(now_ms + 1);
    }
    // A loop, not std::erase_if: clang's analysis cannot tell that a lambda runs under the lock.
    std::vector<Found> idle;
    idle.reserve(found.size());
    for (Found& f : found) {
      if (!busy_.contains(f.key.id)) idle.push_back(std::move(f));
    }
    found = std::move(idle);
    for (const Found& f : found)
      busy_.insert(f.key.id);
  }
  // The scan ran without the lock: an event it saw may have been delivered or cancelled, and its
  // id released, before the lock was taken; it is not busy then, yet gone (taking it would append
  // it a second time, or after its cancel). Now that the ids are busy nothing else changes them:
  // keep those whose due entry is still there, as scanned.
  for (size_t i = 0; i < found.size(); ++i) {
    Found& f = found[i];
    std::string current;
    rocksdb::Status s = db_.db->Get(rocksdb::ReadOptions(), db_.scheduled,
                                    EncodeDueKey(f.key.due_ms, f.key.id), &current);
    absl::StatusOr<DueValue> value =
        s.ok() ? DecodeDueValue(f.value) : absl::StatusOr<DueValue>(absl::NotFoundError(""));
    if (s.ok() && current == f.value && value.ok()) {
      taken.push_back(DueEvent{.id = std::move(f.key.id),
                               .due_ms = f.key.due_ms,
                               .topic_id = value->topic_id,
                               .topic = std::move(value->topic),
                               .partition = value->partition,
                               .record_count = value->record_count,
                               .batch = std::move(value->batch)});
      continue;
    }
    Done(f.key.id);
    if (s.IsNotFound() || (s.ok() && current != f.value)) continue;  // ended meanwhile
    // A read error or a malformed value: release what this call holds and report it.
    for (const DueEvent& event : taken)
      Done(event.id);
    for (size_t j = i + 1; j < found.size(); ++j)
      Done(found[j].key.id);
    if (!s.ok()) return FromRocksStatus(s, absl::StrCat("look up ", Quoted(f.key.id)));
    return absl::Status(value.status().code(),
                        absl::StrCat(Quoted(f.key.id), ": ", value.status().message()));
  }
  return taken;
}

void ScheduledEvents::Deliver(DueEvent event, std::optional<BatchFields> fields,
                              DeliveryCallback done) {
  PendingSchedule write{.what = absl::StrCat("deliver ", Quoted(event.id), " to topic '",
                                             event.topic, "' partition ", event.partition)};
  write.deletes = {EncodeDueKey(event.due_ms, event.id)};
  // Why the event is dropped instead of appended, reported once the deletion is written.
  absl::Status refused;
  std::shared_ptr<TopicState> topic = topics_.Find(event.topic);
  if (!fields.has_value()) {
    refused = MakeStoreError(StoreErrorKind::kInvalidBatch,
                             absl::StrCat(write.what, ": the broker no longer accepts its batch"));
  } else if (topic == nullptr || topic->info.id != event.topic_id) {
    refused = MakeStoreError(StoreErrorKind::kUnknownTopic,
                             absl::StrCat(write.what, ": the topic was deleted"));
  } else if (event.partition >= topic->partitions.size()) {
    refused = MakeStoreError(StoreErrorKind::kInvalidPartition,
                             absl::StrCat(write.what, ": the partition does not exist"));
  } else {
    write.delivery = PendingAppend{.topic = std::move(topic),
                                   .partition = event.partition,
                                   .batch = std::move(event.batch),
                                   .fields = *std::move(fields)};
  }
  if (write.delivery.has_value()) {
    // Remembered as delivered, so a later cancel says so (scheduled_format.h). (Should the append
    // be refused after all, by a topic deleted a moment ago, the event is gone just the same.)
    write.puts.emplace_back(
        EncodeIdKey(event.id),
        EncodeIdValue(
            {.due_ms = event.due_ms, .state = IdValue::State::kDelivered, .ended_ms = NowMs()}));
  } else {
    write.deletes.push_back(EncodeIdKey(event.id));
  }
  write.done = [this, id = std::move(event.id), refused = std::move(refused),
                done = std::move(done)](absl::StatusOr<AppendResult> result) mutable {
    // The deletion was written unless the write itself failed (then the event stays pending).
    const StoreErrorKind kind = StoreErrorKindOf(result.status());
    const bool removed = result.ok() || kind == StoreErrorKind::kUnknownTopic ||
                         kind == StoreErrorKind::kInvalidPartition ||
                         kind == StoreErrorKind::kInvalidBatch;
    if (removed) pending_.fetch_sub(1, std::memory_order_relaxed);
    Done(id);
    if (result.ok() && !refused.ok()) result = refused;
    if (done) done(std::move(result));
  };
  committer_.Enqueue(std::move(write));
}

void ScheduledEvents::Release(std::string_view id) {
  Done(std::string(id));
}

absl::StatusOr<std::optional<int64_t>> ScheduledEvents::NextDueTime() const {
  int64_t from_ms;
  {
    MutexLock lock(&mu_);
    from_ms = scan_from_ms_;
  }
  if (from_ms == std::numeric_limits<int64_t>::max()) return std::optional<int64_t>();
  KeyRange range = DueKeyRange(from_ms, std::numeric_limits<int64_t>::max());
  RangeIterator it(db_, db_.scheduled, range.begin, range.end);
  it->SeekToFirst();
  if (!it->status().ok()) return FromRocksStatus(it->status(), "find the next scheduled event");
  if (!it->Valid()) return std::optional<int64_t>();
  std::optional<DueKey> key = DecodeDueKey(it->key().ToStringView());
  if (!key.has_value()) {
    return MakeStoreError(StoreErrorKind::kCorruptData, "scheduled events: malformed due key");
  }
  return std::optional<int64_t>(key->due_ms);
}

}  // namespace choreo::storage

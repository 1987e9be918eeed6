// EventIndex: the event index's writes (staged into a group commit's WriteBatch by the committer)
// and its queries, plus the saga definitions that decide which sagas are open. Formats are in
// event_index_format.h; what the index promises is in LogStore (log_store.h) and README.md.
//
// Consistency: entries are written in the same WriteBatch as their records, so after a crash an
// entry exists exactly when its record does. Entries are not deleted with their records
// (retention trims offset ranges, while entries sort by value and time): queries skip every entry
// whose record is not readable (topic deleted, below the log start, at or above the high
// watermark), and a compaction filter (event_index_filter.h) drops them from disk.
//
// Threading: Stage() runs on the committer thread while it holds the commit mutex; Define() and
// Remove() must run under Committer::RunExclusive (so no group is staged with a definition that is
// being replaced or removed); everything else is thread-safe and reads RocksDB on the caller's
// thread.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/event_index.h"
#include "choreo/storage/log_store.h"
#include "storage/event_index_format.h"
#include "storage/store_db.h"
#include "storage/topic_registry.h"

namespace choreo::storage {

class EventIndex {
 public:
  // Both must outlive the index.
  EventIndex(const StoreDb& db, const TopicRegistry& registry) : db_(db), registry_(registry) {}

  // Reads the saga definitions from `meta`. DataLoss if one cannot be decoded.
  absl::Status Load();

  // One write to the `events` column family, as Stage() decides it.
  struct Write {
    std::string key;
    std::string value;
    bool erase = false;  // a Delete (an open saga closed) rather than a Put
  };
  // Appends the entries of `events` (records of one batch appended at `base`) and the open-saga
  // changes they make to `writes`, in the order they must apply.
  void Stage(TopicId topic_id, PartitionId partition, Offset base,
             const std::vector<IndexedEventFields>& events, std::vector<Write>* writes) const;
  // Adds `writes` to `batch` sorted by key (ties in their order): consecutive memtable inserts then
  // land near each other, and the skiplist reuses most of the previous insert's search.
  absl::Status Apply(std::vector<Write>& writes, rocksdb::WriteBatch& batch) const;

  absl::StatusOr<EventPage> Find(const EventQuery& query) const;

  absl::Status Define(const SagaDefinition& definition);
  absl::Status Remove(std::string_view name);
  std::vector<SagaDefinition> Definitions() const;
  absl::StatusOr<std::vector<OpenSaga>> ListStuck(std::string_view definition, int64_t now_ms,
                                                  size_t limit) const;
  absl::StatusOr<std::vector<OpenSagaCount>> CountOpen(int64_t now_ms) const;

 private:
  using Definitions_ = std::vector<SagaDefinition>;
  // The topics whose records are readable, by id, as of one moment.
  class Liveness;
  struct SagaState {
    bool readable = false;    // at least one of its events is readable
    bool terminated = false;  // one of them has a terminal type of the definition
    IndexedEvent last_event;  // the newest readable one
  };

  // One index range a search reads (a key search reads two).
  struct RangeQuery {
    EventIndexKind kind = EventIndexKind::kSaga;
    // Only the events whose record key equals their saga id (a key search's saga range).
    bool only_key_equal_to_saga = false;
  };
  struct RangeResult {
    // (position bytes, event), in position order.
    std::vector<std::pair<std::string, IndexedEvent>> events;
    bool more = false;   // stopped before the end of the range
    std::string resume;  // the position of the last entry read
  };

  absl::Status ScanRange(const Liveness& live, const RangeQuery& range, const EventQuery& query,
                         std::optional<TopicId> topic_filter, RangeResult* out) const;
  // An event of a RangeResult whose fields are in its saga entry.
  struct Reference {
    size_t index = 0;  // in RangeResult::events
    EntryPosition at;
  };
  // Fills the fields of the referring events (which hold only their saga id) from their saga
  // entries.
  absl::Status ResolveReferences(const std::vector<Reference>& references, RangeResult* out) const;
  std::shared_ptr<const Definitions_> Snapshot() const;
  absl::StatusOr<SagaState> ReadSaga(const Liveness& live, std::string_view saga_id,
                                     const SagaDefinition& definition) const;

  const StoreDb& db_;
  const TopicRegistry& registry_;
  mutable Mutex mu_;
  // Replaced whole, so the committer stages with a consistent snapshot without holding mu_.
  std::shared_ptr<const Definitions_> definitions_ CHOREO_GUARDED_BY(mu_) =
      std::make_shared<const Definitions_>();
};

}  // namespace choreo::storage

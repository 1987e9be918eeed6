// EventIndexTrimFilter: a RocksDB compaction filter on the `events` column family that drops the
// index entries whose record is gone: its topic was deleted, or retention moved the partition's
// log start past it. Queries skip such entries already (EventIndex); this gives their space back
// as RocksDB compacts (and LogStore::CompactEventIndex on demand).
//
// The factory is created before the database opens (RocksDB takes it with the column family's
// options) and attached to the topic registry once that is loaded; until then, and after
// Detach(), it keeps everything.
#pragma once

#include <rocksdb/compaction_filter.h>

#include <memory>

#include "choreo/common/mutex.h"
#include "storage/topic_registry.h"

namespace choreo::storage {

class EventIndexTrimFilterFactory : public rocksdb::CompactionFilterFactory {
 public:
  // `registry` must stay alive until Detach().
  void Attach(const TopicRegistry* registry);
  void Detach() { Attach(nullptr); }

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  const char* Name() const override { return "choreo.EventIndexTrimFilterFactory"; }

 private:
  Mutex mu_;
  const TopicRegistry* registry_ CHOREO_GUARDED_BY(mu_) = nullptr;
};

}  // namespace choreo::storage

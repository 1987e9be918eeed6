// RangeIterator: a RocksDB iterator bounded to [begin, end) of one column family.
//
// Every scan in the store is bounded: the bounds keep Seek from wading through deleted keys
// outside the range (tombstones at the head of a queue are the classic RocksDB queue pitfall) and
// let RocksDB skip files that do not overlap. The bounds are owned here because RocksDB keeps
// pointers to them for the iterator's lifetime. The iterator reads an implicit snapshot taken
// when it is created. Not movable (the slices point into the strings, the iterator into the
// slices); the StoreDb must stay open while it lives.
#pragma once

#include <rocksdb/db.h>

#include <memory>
#include <string>

#include "storage/store_db.h"

namespace choreo::storage {

class RangeIterator {
 public:
  // `tier` kBlockCacheTier: only memtables and the block cache; the iterator stops with
  // Status::Incomplete where it would have to read a file.
  RangeIterator(const StoreDb& db, rocksdb::ColumnFamilyHandle* cf, std::string begin,
                std::string end, rocksdb::ReadTier tier = rocksdb::kReadAllTier)
      : begin_(std::move(begin)), end_(std::move(end)), begin_slice_(begin_), end_slice_(end_) {
    rocksdb::ReadOptions options;
    options.read_tier = tier;
    options.iterate_lower_bound = &begin_slice_;
    options.iterate_upper_bound = &end_slice_;
    it_.reset(db.db->NewIterator(options, cf));
  }
  RangeIterator(const RangeIterator&) = delete;
  RangeIterator& operator=(const RangeIterator&) = delete;

  rocksdb::Iterator& get() { return *it_; }
  rocksdb::Iterator* operator->() { return it_.get(); }

 private:
  std::string begin_;
  std::string end_;
  rocksdb::Slice begin_slice_;
  rocksdb::Slice end_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace choreo::storage

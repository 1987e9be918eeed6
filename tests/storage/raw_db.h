// RawDb: the store's RocksDB opened directly, as an operator tool (or a bit flip) would touch it,
// for tests that corrupt or rearrange what the store wrote.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace choreo::storage::testing {

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name :
         {"default", "records", "meta", "offsets", "producers", "events", "scheduled"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::Status s = rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles_, &db_);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~RawDb() {
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      EXPECT_TRUE(db_->DestroyColumnFamilyHandle(handle).ok());
    }
    EXPECT_TRUE(db_->Close().ok());
    delete db_;
  }

  rocksdb::ColumnFamilyHandle* records() { return handles_[1]; }
  int CountKeys(rocksdb::ColumnFamilyHandle* cf) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
    int count = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next())
      ++count;
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
    return count;
  }
  rocksdb::ColumnFamilyHandle* meta() { return handles_[2]; }
  rocksdb::ColumnFamilyHandle* producers() { return handles_[4]; }

  std::string Get(rocksdb::ColumnFamilyHandle* cf, std::string_view key) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key), &value);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return value;
  }
  bool Has(rocksdb::ColumnFamilyHandle* cf, std::string_view key) {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf, rocksdb::Slice(key), &value);
    EXPECT_TRUE(s.ok() || s.IsNotFound()) << s.ToString();
    return s.ok();
  }
  void Put(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string_view value) {
    rocksdb::Status s =
        db_->Put(rocksdb::WriteOptions(), cf, rocksdb::Slice(key), rocksdb::Slice(value));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void DeleteRange(rocksdb::ColumnFamilyHandle* cf, std::string_view begin, std::string_view end) {
    rocksdb::Status s =
        db_->DeleteRange(rocksdb::WriteOptions(), cf, rocksdb::Slice(begin), rocksdb::Slice(end));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

 private:
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace choreo::storage::testing

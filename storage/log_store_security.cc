// LogStore::Impl, the broker's security records (security_store.h) in `meta`:
//
//   key    kind u8 ('U' user | 'A' ACL | 'O' producer owner) | record key
//   value  version u8 (1) | record value
//
// A kind is one contiguous key range [kind, kind + 1). See log_store_impl.h for the locking rules.
#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"
#include "storage/range_iterator.h"

namespace choreo::storage {
namespace {

constexpr char kSecurityValueVersion = 1;

std::string SecurityKey(SecurityRecordKind kind, std::string_view key) {
  std::string out(1, static_cast<char>(kind));
  out.append(key);
  return out;
}

absl::Status CheckKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxSecurityKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("a security record key must have 1 to ", kMaxSecurityKeyBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status LogStore::Impl::PutSecurityRecord(SecurityRecordKind kind,
                                               const SecurityRecord& record) {
  if (absl::Status key = CheckKey(record.key); !key.ok()) return key;
  if (record.value.size() > kMaxSecurityValueBytes) {
    return absl::InvalidArgumentError(absl::StrCat("a security record value must have at most ",
                                                   kMaxSecurityValueBytes, " bytes"));
  }
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
  if (absl::Status refused = db_->CheckWritable("change a security record"); !refused.ok())
    return refused;
  rocksdb::WriteOptions options;
  options.sync = true;
  std::string value(1, kSecurityValueVersion);
  value.append(record.value);
  rocksdb::Status s = db_->db->Put(options, db_->meta, SecurityKey(kind, record.key), value);
  if (!s.ok()) return FromRocksStatus(s, "write a security record");
  return absl::OkStatus();
}

absl::Status LogStore::Impl::DeleteSecurityRecord(SecurityRecordKind kind, std::string_view key) {
  if (absl::Status checked = CheckKey(key); !checked.ok()) return checked;
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
  if (absl::Status refused = db_->CheckWritable("change a security record"); !refused.ok())
    return refused;
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status s = db_->db->Delete(options, db_->meta, SecurityKey(kind, key));
  if (!s.ok()) return FromRocksStatus(s, "delete a security record");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SecurityRecord>> LogStore::Impl::ListSecurityRecords(
    SecurityRecordKind kind) const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
  std::vector<SecurityRecord> out;
  const std::string begin(1, static_cast<char>(kind));
  const std::string end(1, static_cast<char>(static_cast<char>(kind) + 1));
  RangeIterator it(*db_, db_->meta, begin, end);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const std::string_view value = it->value().ToStringView();
    if (value.empty() || value[0] != kSecurityValueVersion) {
      return absl::DataLossError("a security record in `meta` has an unknown value version");
    }
    SecurityRecord record;
    record.key = std::string(it->key().ToStringView().substr(1));
    record.value = std::string(value.substr(1));
    out.push_back(std::move(record));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "list security records");
  return out;
}

}  // namespace choreo::storage

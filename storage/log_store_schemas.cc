// LogStore::Impl, the schema registry's stored versions (schema_store.h, schema_format.h). See
// log_store_impl.h for the locking rules.
#include <absl/strings/str_cat.h>
#include <rocksdb/db.h>

#include "choreo/storage/errors.h"
#include "storage/log_store_impl.h"
#include "storage/range_iterator.h"
#include "storage/schema_format.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

bool ValidSubject(std::string_view subject) {
  if (subject.empty() || subject.size() > kMaxSchemaSubjectLength) return false;
  for (char c : subject) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

absl::Status LogStore::Impl::PutSchema(const StoredSchema& schema) {
  if (!ValidSubject(schema.subject)) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema subject '", ToAbsl(schema.subject), "' is not a message name"));
  }
  if (schema.version == 0) return absl::InvalidArgumentError("schema versions start at 1");
  if (schema.schema.size() > kMaxSchemaBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "schema of ", schema.schema.size(), " bytes exceeds the limit of ", kMaxSchemaBytes));
  }
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
  if (absl::Status refused = db_->CheckWritable("register a schema"); !refused.ok()) return refused;
  rocksdb::WriteOptions options;
  options.sync = true;
  rocksdb::Status s = db_->db->Put(
      options, db_->meta, SchemaMetaKey(schema.subject, schema.version), EncodeSchemaValue(schema));
  if (!s.ok()) {
    return FromRocksStatus(
        s, absl::StrCat("register schema ", ToAbsl(schema.subject), " v", schema.version));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StoredSchema>> LogStore::Impl::ListSchemas() const {
  ReaderMutexLock lock(&db_mu_);
  if (closed_) return MakeStoreError(StoreErrorKind::kClosed, "the store is closed");
  std::vector<StoredSchema> out;
  RangeIterator it(*db_, db_->meta, SchemaMetaRangeBegin(), SchemaMetaRangeEnd());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StatusOr<StoredSchema> schema =
        DecodeSchema(it->key().ToStringView(), it->value().ToStringView());
    if (!schema.ok()) return schema.status();
    out.push_back(*std::move(schema));
  }
  if (!it->status().ok()) return FromRocksStatus(it->status(), "list schemas");
  return out;
}

}  // namespace choreo::storage

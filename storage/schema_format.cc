#include "storage/schema_format.h"

#include <absl/strings/str_cat.h>

#include "choreo/common/big_endian.h"
#include "storage/meta_format.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

constexpr size_t kValueHeaderSize = 1 + 8 + 4;

}  // namespace

std::string SchemaMetaKey(std::string_view subject, uint32_t version) {
  std::string key;
  key.reserve(subject.size() + 6);
  key.push_back(kSchemaKeyPrefix);
  key.append(subject);
  key.push_back('\0');
  char v[4];
  PutBigEndian32(v, version);
  key.append(v, 4);
  return key;
}

std::string SchemaMetaRangeBegin() {
  return std::string(1, kSchemaKeyPrefix);
}

std::string SchemaMetaRangeEnd() {
  return std::string(1, kSchemaKeyPrefix + 1);
}

std::string EncodeSchemaValue(const StoredSchema& schema) {
  std::string out(kValueHeaderSize, '\0');
  out[0] = static_cast<char>(kMetaValueVersion);
  PutBigEndian64(out.data() + 1, static_cast<uint64_t>(schema.registered_ms));
  PutBigEndian32(out.data() + 9, static_cast<uint32_t>(schema.schema.size()));
  out.append(schema.schema);
  return out;
}

absl::StatusOr<StoredSchema> DecodeSchema(std::string_view key, std::string_view value) {
  if (key.size() < 6 || key[0] != kSchemaKeyPrefix || key[key.size() - 5] != '\0') {
    return absl::DataLossError("schema: malformed key");
  }
  StoredSchema schema;
  schema.subject = std::string(key.substr(1, key.size() - 6));
  schema.version = GetBigEndian32(key.data() + key.size() - 4);
  const std::string what = absl::StrCat("schema ", ToAbsl(schema.subject), " v", schema.version);
  if (value.size() < kValueHeaderSize || static_cast<uint8_t>(value[0]) != kMetaValueVersion) {
    return absl::DataLossError(absl::StrCat(what, ": unknown or short value"));
  }
  schema.registered_ms = static_cast<int64_t>(GetBigEndian64(value.data() + 1));
  const uint32_t length = GetBigEndian32(value.data() + 9);
  if (value.size() - kValueHeaderSize < length) {
    return absl::DataLossError(absl::StrCat(what, ": schema of ", length, " bytes, value holds ",
                                            value.size() - kValueHeaderSize));
  }
  // Trailing bytes after the schema are ignored: fields may be appended within version 1.
  schema.schema = std::string(value.substr(kValueHeaderSize, length));
  return schema;
}

}  // namespace choreo::storage

// Keys and values of registered schema versions in the `meta` column family (key type 'Y', see
// meta_format.h), pinned by tests/storage/format_test.cc.
//
//   key    'Y' | subject | 0x00 | version u32 BE
//   value  version u8 (1) | registered_ms i64 | schema length u32 | schema bytes
//
// A subject never contains 0x00 ([A-Za-z0-9_.] only), so the separator keeps one subject's
// versions contiguous and in version order, and every key of the kind is in ['Y', 'Z').
#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <string_view>

#include "choreo/storage/schema_store.h"

namespace choreo::storage {

inline constexpr char kSchemaKeyPrefix = 'Y';

std::string SchemaMetaKey(std::string_view subject, uint32_t version);
// [begin, end) of every schema key.
std::string SchemaMetaRangeBegin();
std::string SchemaMetaRangeEnd();
std::string EncodeSchemaValue(const StoredSchema& schema);
// Decodes a key and its value; errors are DataLoss.
absl::StatusOr<StoredSchema> DecodeSchema(std::string_view key, std::string_view value);

}  // namespace choreo::storage

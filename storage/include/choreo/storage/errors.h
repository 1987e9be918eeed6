// How the store tells its callers which of its failures happened, beyond absl's canonical codes.
// The broker maps these to wire error codes in exactly one place (broker/error_mapping.cc).
#pragma once

#include <absl/status/status.h>

#include <string_view>

namespace choreo::storage {

enum class StoreErrorKind {
  kNone,
  kUnknownTopic,      // absl::NotFound
  kInvalidPartition,  // absl::InvalidArgument
  kTopicExists,       // absl::AlreadyExists
  kInvalidTopic,      // absl::InvalidArgument: bad name or configuration
  kOffsetOutOfRange,  // absl::OutOfRange
  kCorruptData,       // absl::DataLoss: a stored value failed its checksum
  kNoSpace,           // absl::ResourceExhausted: the disk is full
  kClosed,            // absl::Unavailable: the store is shutting down
  kIoError,           // absl::Internal: any other RocksDB failure
  kInvalidBatch,      // absl::InvalidArgument: the batch cannot be stored (0 records, > 4 GiB)
};

absl::Status MakeStoreError(StoreErrorKind kind, std::string_view message);
// kNone for OK; kIoError for a status not made by MakeStoreError.
StoreErrorKind StoreErrorKindOf(const absl::Status& status);

}  // namespace choreo::storage

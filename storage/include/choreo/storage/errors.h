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
  kInvalidBatch,      // absl::InvalidArgument: the batch cannot be stored (0 records, > 4 GiB,
                      // or a negative / overflowing producer sequence)
  // Idempotent producers (see LogStore::InitProducer).
  kDuplicateSequence,   // absl::AlreadyExists: a sequence already appended but older than the
                        // window of recent batches, so its original offsets are not known
  kOutOfOrderSequence,  // absl::FailedPrecondition: a gap in the sequence, or a first batch (of a
                        // partition or an epoch) that does not start at sequence 0
  kProducerFenced,      // absl::Aborted: the epoch is not the producer's current one (a newer
                        // instance of the producer took over)
  kUnknownProducerId,   // absl::NotFound: the producer id was never allocated
  // Consumer-group offsets (see LogStore::CommitGroupOffsets).
  kInvalidGroupId,          // absl::InvalidArgument: empty or too long a group id
  kOffsetMetadataTooLarge,  // absl::InvalidArgument: commit metadata over the limit
  // Exactly-once steps (see LogStore::AppendStep).
  kInvalidStep,  // absl::InvalidArgument: an empty step, a batch without a producer id, or a
                 // retry mixing batches already appended with new ones
};

absl::Status MakeStoreError(StoreErrorKind kind, std::string_view message);
// kNone for OK; kIoError for a status not made by MakeStoreError.
StoreErrorKind StoreErrorKindOf(const absl::Status& status);

}  // namespace choreo::storage

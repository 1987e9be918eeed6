// Sizing and encoding of producer batches.
//
// A batch is encoded once, with base_sequence 0, by proto::EncodeBatch (serialization, compression,
// CRC32C). Its sequence is added afterwards as a trailing `base_sequence` field: for a singular
// protobuf field the last occurrence wins, so `body + suffix` parses as the same RecordBatch with
// that sequence. Re-sequencing a batch (after an earlier one failed for good) thus swaps a few
// bytes instead of re-encoding, and the CRC (over the records only) is unaffected.
#pragma once

#include <cstdint>
#include <string>

#include "choreo/client/producer.h"
#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"

namespace choreo::client_internal {

// Bytes `record` adds to a serialized RecordList (tag, length and body).
uint64_t RecordEntryBytes(const proto::Record& record);

// An upper bound on the serialized RecordBatch for a payload (serialized RecordList) of
// `payload_bytes` under `compression`, sequence suffix included.
uint64_t MaxEncodedBatchBytes(uint64_t payload_bytes, Compression compression);

proto::Compression ToProto(Compression compression);

// Encodes `records` with producer id and epoch and base_sequence 0. Errors: kInvalidArgument if
// the codec fails.
Result<std::string> EncodeBatchBody(const proto::RecordList& records, Compression compression,
                                    int64_t producer_id, int32_t producer_epoch);

// The bytes to append to a body so that it carries `base_sequence` (>= 0); empty for 0.
std::string SequenceSuffix(int32_t base_sequence);

}  // namespace choreo::client_internal

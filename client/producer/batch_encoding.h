// Sizing and encoding of producer batches.
//
// Records are encoded into a batch's payload (a serialized RecordList) as they are placed
// (AppendToBatch, proto::AppendRecord: no per-record objects). A closed batch is encoded once, with
// base_sequence 0, by proto::EncodeBatchFromPayload (compression, CRC32C, header fields; the same
// bytes proto::EncodeBatch would produce). Its sequence is added afterwards as a trailing
// `base_sequence` field: for a singular protobuf field the last occurrence wins, so `body + suffix`
// parses as the same RecordBatch with that sequence. Re-sequencing a batch (after an earlier one
// failed for good) thus swaps a few bytes instead of re-encoding, and the CRC (over the records
// only) is unaffected.
#pragma once

#include <cstdint>
#include <string>

#include "choreo/client/producer.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"
#include "choreo/proto/choreo.pb.h"
#include "client/producer/producer_batch.h"

namespace choreo::client_internal {

// Bytes `record` adds to a serialized RecordList (tag, length and body), as encoded by
// AppendToBatch.
uint64_t RecordEntryBytes(const Record& record);

// Encodes `record` (its timestamp already filled in) at the end of `batch`'s payload and counts it.
// Does not touch the batch's callbacks or memory accounting.
void AppendToBatch(const Record& record, ProducerBatch& batch);

// An upper bound on the serialized RecordBatch for a payload (serialized RecordList) of
// `payload_bytes` under `compression`, sequence suffix included.
uint64_t MaxEncodedBatchBytes(uint64_t payload_bytes, Compression compression);

proto::Compression ToProto(Compression compression);

// Encodes `batch`'s payload (consumed) with producer id and epoch and base_sequence 0. Errors:
// kInvalidArgument if the codec fails.
Result<std::string> EncodeBatchBody(ProducerBatch& batch, Compression compression,
                                    int64_t producer_id, int32_t producer_epoch);

// The bytes to append to a body so that it carries `base_sequence` (>= 0); empty for 0.
std::string SequenceSuffix(int32_t base_sequence);

}  // namespace choreo::client_internal

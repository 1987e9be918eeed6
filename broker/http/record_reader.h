// Reading records out of the store for the console: batches decoded (decompressed, CRC checked)
// and visited record by record with their offsets, and a record rendered as JSON with its headers,
// its CloudEvents envelope and a bounded, readable form of its payload.
#pragma once

#include <absl/status/statusor.h>

#include <cstdint>
#include <functional>
#include <string_view>

#include "choreo/common/json_writer.h"
#include "choreo/proto/record_wire.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker::console {

// Stops the visit when it returns false.
using RecordVisitor = std::function<bool(storage::Offset offset, const proto::RecordView& record)>;

// Visits the records of one partition from `offset` (clamped up to the log start) up to `end`
// (exclusive; clamped down to the high watermark), in offset order, until `visit` returns false or
// about `max_read_bytes` of batches were read. Returns the offset of the next record not visited.
// Errors: the store's (unknown topic, invalid partition); DataLoss for a batch that does not
// decode.
absl::StatusOr<storage::Offset> VisitRecords(const storage::LogStore& store, std::string_view topic,
                                             storage::PartitionId partition, storage::Offset offset,
                                             storage::Offset end, uint64_t max_read_bytes,
                                             const RecordVisitor& visit);

// The value of header `key` (the last one if repeated), or std::nullopt.
std::optional<std::string_view> FindHeader(const proto::RecordView& record, std::string_view key);

// Writes one record as a JSON object: offset, timestamp_ms, key, headers, envelope (the ce_*
// fields, or null) and value, each payload shown in at most `max_value_bytes` bytes (see
// broker/README.md, "Web console", for the encodings).
void WriteRecordJson(JsonWriter& json, storage::Offset offset, const proto::RecordView& record,
                     size_t max_value_bytes);

}  // namespace choreo::broker::console

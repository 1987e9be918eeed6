// Translation between Kafka record batches (magic 2, kafka/record_batch.h) and choreo's
// RecordBatch (proto/choreo.proto), done at the edge by the Kafka listener: choreo's store and
// every broker feature that reads records (event index, schema validation, web console, scheduled
// events) see one format. Why translate rather than store Kafka batches: kafka/README.md, "Storage
// decision".
//
// What maps: key, value, headers (key -> value) and each record's timestamp, in order, one record
// for one record (so offsets line up); the idempotent producer fields (id, epoch, base sequence);
// log-append-time. What does not: Kafka's null key, value and header value become empty bytes
// (choreo has no null), so an empty non-null Kafka key reads back as null. Compression: Kafka lz4
// and zstd batches are stored as choreo lz4 and zstd; gzip and snappy (choreo has neither) as lz4.
// A fetch through Kafka compresses with the stored batch's codec.
//
// Thread-safe: free functions without shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "broker/kafka/record_batch.h"

namespace choreo::kafka {

struct ProducedBatch {
  std::string choreo_batch;  // a serialized choreo RecordBatch
  BatchHeader header;        // the Kafka batch's header
};

// Validates a produced Kafka batch as ValidateProducedBatch does (CRC, framing, offset deltas
// 0..n-1, no control batch, within `limits`) and translates it. Errors: InvalidArgument, DataLoss
// (CRC), ResourceExhausted (over `limits`), Unimplemented (unknown codec), Internal (compression).
absl::StatusOr<ProducedBatch> KafkaToChoreoBatch(std::string_view kafka_batch,
                                                 const BatchLimits& limits);

// Translates a stored choreo batch to a Kafka batch whose first record has offset `base_offset`,
// appending it to `*out`. Errors: DataLoss (the choreo batch does not decode), Internal.
absl::Status AppendChoreoBatchAsKafka(std::string_view choreo_batch, int64_t base_offset,
                                      std::string* out);

}  // namespace choreo::kafka

// Mapping keyed records to partitions.
//
// The default is Kafka's: partition = (murmur2(key) & 0x7fffffff) % partition_count, with the
// murmur2 variant of Kafka's Java client (seed 0x9747b28c, signed 32-bit result). A key therefore
// lands on the same partition number in choreo as with a Kafka producer using the default
// partitioner, and any language can reproduce the mapping. Records without a key are not given to
// the partitioner: the producer spreads them, sticking to one partition per batch.
#pragma once

#include <cstdint>
#include <string_view>

namespace choreo {

// Kafka's Utils.murmur2 over `data`, as the Java client computes it.
int32_t KafkaMurmur2(std::string_view data);

// (KafkaMurmur2(key) & 0x7fffffff) % partition_count. partition_count must be > 0.
uint32_t DefaultPartitionForKey(std::string_view key, uint32_t partition_count);

// A custom key -> partition mapping. Implementations must be thread-safe and deterministic: the
// same key and count must always give the same partition, or per-key ordering is lost.
class Partitioner {
 public:
  virtual ~Partitioner() = default;
  // Returns a partition in [0, partition_count). `key` is never empty.
  virtual uint32_t Partition(std::string_view topic, std::string_view key,
                             uint32_t partition_count) const = 0;
};

}  // namespace choreo

// CRC32C (Castagnoli polynomial 0x1EDC6F41, reflected 0x82F63B78), as used by Kafka record batches,
// iSCSI and ext4. Uses the SSE4.2 crc32 instruction when the CPU has it, a slicing-by-8 table
// otherwise; both give identical results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace choreo {

// Extends `crc` (the CRC of the bytes before `data`; 0 for none) over `size` bytes.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t size);

inline uint32_t Crc32c(const void* data, size_t size) {
  return Crc32cExtend(0, data, size);
}
inline uint32_t Crc32c(std::string_view bytes) {
  return Crc32c(bytes.data(), bytes.size());
}

// Exposed for tests: the portable table implementation, whatever the CPU supports.
uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t size);

}  // namespace choreo

// Big-endian integer packing for on-disk keys and wire framing: byte order equals numeric order,
// so packed keys sort the way the numbers do.
#pragma once

#include <cstdint>
#include <cstring>

namespace choreo {

inline void PutBigEndian32(char* out, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(out, &v, sizeof(v));
}

inline void PutBigEndian64(char* out, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(out, &v, sizeof(v));
}

inline uint32_t GetBigEndian32(const char* in) {
  uint32_t v;
  std::memcpy(&v, in, sizeof(v));
  return __builtin_bswap32(v);
}

inline uint64_t GetBigEndian64(const char* in) {
  uint64_t v;
  std::memcpy(&v, in, sizeof(v));
  return __builtin_bswap64(v);
}

}  // namespace choreo

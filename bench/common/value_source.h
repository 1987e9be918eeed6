// Record values for the benchmark tools (choreo-bench, choreo-redis-peer): slices of a pool of
// random letters and digits.
//
// Why not a constant value: a run of one byte compresses to almost nothing, so every
// compression step (the producer's --compression, RocksDB's LZ4 on SST files) would look free and
// the figures would flatter the broker, as unkeyed records do. Random alphanumerics have no
// repeats for LZ4 to find, as long as two values in one 64 KiB LZ4 window seldom come from
// overlapping parts of the pool: hence a pool of 8 MiB. Picking a slice at a random offset costs
// one memcpy per record instead of a random number per byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace choreo::bench {

inline uint64_t NextRandom(uint64_t& state) {  // xorshift64*: cheap, good enough for a benchmark
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}

class ValueSource {
 public:
  explicit ValueSource(size_t value_bytes, uint64_t seed = 0x2545F4914F6CDD1Dull)
      : value_bytes_(value_bytes), state_(seed | 1) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    pool_.resize(kPoolBytes + value_bytes);
    for (char& c : pool_)
      c = kAlphabet[NextRandom(state_) % kAlphabet.size()];
  }

  // A value of value_bytes bytes, valid as long as this source.
  std::string_view Next() {
    return std::string_view(pool_).substr(NextRandom(state_) % kPoolBytes, value_bytes_);
  }

 private:
  static constexpr size_t kPoolBytes = 8 << 20;
  size_t value_bytes_;
  uint64_t state_;
  std::string pool_;
};

}  // namespace choreo::bench

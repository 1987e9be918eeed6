// Fuzz target: the batch payload decompressors (DecompressPayload: LZ4 block format and zstd) on
// bytes a producer controls, and the compress/decompress round trip.
//
// Input: byte 0 picks the codec, bytes 1-4 the declared uncompressed size (big-endian), the rest
// is the compressed payload. Checked: a success yields exactly the declared size; a failure says
// why; and the output buffer never grows far past what the input can expand to (a 20-byte payload
// declaring 256 MiB must not cost a 256 MiB allocation).
#include <cstdint>
#include <string>
#include <string_view>

#include "choreo/common/big_endian.h"
#include "choreo/proto/batch.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const auto codec = static_cast<choreo::proto::Compression>(data[0] % 4);
  const uint32_t declared = choreo::GetBigEndian32(reinterpret_cast<const char*>(data) + 1);
  const std::string_view compressed(reinterpret_cast<const char*>(data) + 5, size - 5);

  std::string out;
  std::string error;
  const choreo::proto::ErrorCode code =
      choreo::proto::DecompressPayload(codec, compressed, declared, &out, &error);
  if (code == choreo::proto::NONE) {
    FUZZ_CHECK(out.size() == declared);
  } else {
    FUZZ_CHECK(!error.empty());
  }
  FUZZ_CHECK(out.capacity() <= choreo::proto::MaxDecompressedBytes(codec, compressed.size()) + 64);

  // Whatever the producer's bytes are, compressing them and decompressing gives them back.
  if (codec == choreo::proto::COMPRESSION_LZ4 || codec == choreo::proto::COMPRESSION_ZSTD) {
    const std::string original(compressed);
    std::string packed;
    FUZZ_CHECK(choreo::proto::CompressPayload(codec, original, &packed));
    std::string unpacked;
    FUZZ_CHECK(choreo::proto::DecompressPayload(codec, packed,
                                                static_cast<uint32_t>(original.size()), &unpacked,
                                                &error) == choreo::proto::NONE);
    FUZZ_CHECK(unpacked == original);
  }
  return 0;
}

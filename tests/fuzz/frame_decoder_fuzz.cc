// Fuzz target: the frame decoder (proto/frame.h) as a connection's reader drives it, and the
// parse of each frame into a Request (what Session::NextFrame does next).
//
// Input: byte 0 picks the decoder's max_frame_bytes, byte 1 seeds how the stream is cut into
// reads, the rest is the byte stream a client sends. Checked: the frames returned over arbitrary
// read boundaries (including reads that fill less than PrepareWrite asked for) are exactly those
// of a one-pass reference decode, an oversized length is reported with its value before any of
// its body is taken, and buffered() accounts for every byte not yet returned.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/common/big_endian.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/proto/frame.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

struct Decoded {
  std::vector<std::string> frames;
  bool too_large = false;
  uint64_t declared = 0;
  size_t leftover = 0;  // bytes after the last whole frame (when not too large)
};

// The framing rule written out once more, independently of FrameDecoder.
Decoded ReferenceDecode(std::string_view stream, uint32_t max_frame_bytes) {
  Decoded out;
  size_t at = 0;
  while (stream.size() - at >= choreo::proto::kFrameHeaderBytes) {
    const uint32_t length = choreo::GetBigEndian32(stream.data() + at);
    if (length > max_frame_bytes) {
      out.too_large = true;
      out.declared = length;
      return out;
    }
    if (stream.size() - at - choreo::proto::kFrameHeaderBytes < length) break;
    out.frames.emplace_back(stream.substr(at + choreo::proto::kFrameHeaderBytes, length));
    at += choreo::proto::kFrameHeaderBytes + length;
  }
  out.leftover = stream.size() - at;
  return out;
}

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Small limits (0..7) exercise the boundary; powers of two up to 16 MiB the common case.
  const uint32_t max_frame_bytes = data[0] < 8 ? data[0] : (1u << (data[0] % 25));
  uint64_t rng = data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  const Decoded expected = ReferenceDecode(stream, max_frame_bytes);

  // Parse failures of hostile frames are expected; protobuf's own log lines are noise here.
  google::protobuf::LogSilencer silence_protobuf;
  choreo::proto::FrameDecoder decoder(max_frame_bytes);
  Decoded got;
  size_t fed = 0;
  size_t taken = 0;  // stream bytes returned as frames (headers included)
  bool stop = false;
  while (!stop) {
    // Like Session::ReadLoop: ask for room, receive fewer bytes than asked (or none), decode.
    const size_t want = 1 + SplitMix64(&rng) % 64;
    const size_t got_bytes = std::min<size_t>(SplitMix64(&rng) % (want + 1), stream.size() - fed);
    char* room = decoder.PrepareWrite(want);
    std::memcpy(room, stream.data() + fed, got_bytes);
    decoder.Commit(got_bytes);
    fed += got_bytes;
    while (true) {
      std::string_view frame;
      uint64_t declared = 0;
      const auto result = decoder.Next(&frame, &declared);
      if (result == choreo::proto::FrameDecoder::Result::kNeedMore) break;
      if (result == choreo::proto::FrameDecoder::Result::kTooLarge) {
        got.too_large = true;
        got.declared = declared;
        stop = true;
        break;
      }
      got.frames.emplace_back(frame);
      taken += choreo::proto::kFrameHeaderBytes + frame.size();
      choreo::proto::Request request;
      (void)request.ParseFromArray(frame.data(), static_cast<int>(frame.size()));
    }
    if (!stop) {
      FUZZ_CHECK(decoder.buffered() == fed - taken);
      if (decoder.buffered() >= choreo::proto::kFrameHeaderBytes) {
        FUZZ_CHECK(decoder.NextFrameLength() == choreo::GetBigEndian32(stream.data() + taken));
      } else {
        FUZZ_CHECK(decoder.NextFrameLength() == 0);
      }
    }
    if (fed == stream.size()) stop = true;
  }
  FUZZ_CHECK(got.frames == expected.frames);
  FUZZ_CHECK(got.too_large == expected.too_large);
  FUZZ_CHECK(got.declared == expected.declared);
  if (!got.too_large) FUZZ_CHECK(decoder.buffered() == expected.leftover);
  return 0;
}

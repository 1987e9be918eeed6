#include "broker/kafka/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "broker/kafka/wire.h"

namespace choreo::kafka {
namespace {

constexpr char kXerialMagic[8] = {'\x82', 'S', 'N', 'A', 'P', 'P', 'Y', '\0'};
constexpr size_t kXerialHeaderBytes = 16;       // magic, int32 version, int32 compatible version
constexpr size_t kXerialBlockBytes = 32 << 10;  // xerial's default block size
constexpr int kZstdLevel = 3;
// zstd's default ceiling for decoders (ZSTD_WINDOWLOG_LIMIT_DEFAULT, not in its stable API).
constexpr int kZstdMaxWindowLog = 27;
constexpr int kZstdFreeWindowLog = 23;

// An output buffer that grows as a decompressor fills it, up to `max_bytes` + 1 (one byte over
// the limit proves the limit was passed).
class BoundedOutput {
 public:
  BoundedOutput(std::string* out, uint64_t max_bytes, size_t input_bytes)
      : out_(out), cap_(std::min<uint64_t>(max_bytes, std::numeric_limits<size_t>::max() - 1) + 1) {
    out_->clear();
    out_->resize(std::min<uint64_t>(std::max<uint64_t>(4 * uint64_t{input_bytes}, 4096), cap_));
  }

  char* next() { return out_->data() + used_; }
  size_t free() const { return out_->size() - used_; }
  void Produced(size_t n) { used_ += n; }
  bool over_limit() const { return used_ >= cap_; }
  // Makes room for more output; false once the buffer is at its cap.
  bool Grow() {
    if (out_->size() >= cap_) return false;
    out_->resize(std::min<uint64_t>(uint64_t{out_->size()} * 2, cap_));
    return true;
  }
  void Finish() { out_->resize(used_); }

 private:
  std::string* out_;
  uint64_t cap_;
  size_t used_ = 0;
};

absl::Status OverLimit(Compression codec, uint64_t max_bytes) {
  return absl::ResourceExhaustedError(absl::StrCat(
      CompressionName(codec), " data decompresses to more than ", max_bytes, " bytes"));
}

absl::Status Corrupt(Compression codec, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid ", CompressionName(codec), " data: ", absl::string_view(why.data(), why.size())));
}

// ---- gzip

absl::Status GzipCompress(std::string_view in, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return absl::InternalError("deflateInit2 failed");
  }
  out->resize(deflateBound(&zs, in.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  const int ret = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  return ret == Z_STREAM_END ? absl::OkStatus() : absl::InternalError("deflate failed");
}

absl::Status GzipDecompress(std::string_view in, uint64_t max_bytes, std::string* out) {
  if (in.size() > std::numeric_limits<uInt>::max()) return Corrupt(Compression::kGzip, "too large");
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return absl::InternalError("inflateInit2 failed");
  BoundedOutput buf(out, max_bytes, in.size());
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  absl::Status status;
  for (;;) {
    if (buf.free() == 0 && !buf.Grow()) {
      status = OverLimit(Compression::kGzip, max_bytes);
      break;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf.next());
    zs.avail_out =
        static_cast<uInt>(std::min<size_t>(buf.free(), std::numeric_limits<uInt>::max()));
    const uInt offered = zs.avail_out;
    const int ret = inflate(&zs, Z_NO_FLUSH);
    buf.Produced(offered - zs.avail_out);
    if (ret == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // another gzip member follows
      continue;
    }
    if (ret == Z_OK || (ret == Z_BUF_ERROR && zs.avail_out == 0)) continue;
    status = Corrupt(Compression::kGzip, ret == Z_BUF_ERROR ? "truncated" : "corrupt stream");
    break;
  }
  inflateEnd(&zs);
  if (status.ok() && buf.over_limit()) status = OverLimit(Compression::kGzip, max_bytes);
  if (status.ok()) buf.Finish();
  return status;
}

// ---- snappy

absl::Status SnappyCompress(std::string_view in, std::string* out) {
  out->assign(kXerialMagic, sizeof(kXerialMagic));
  WireWriter w(out);
  w.WriteInt32(1);  // version
  w.WriteInt32(1);  // minimum compatible version
  for (size_t pos = 0; pos < in.size(); pos += kXerialBlockBytes) {
    const size_t n = std::min(kXerialBlockBytes, in.size() - pos);
    const size_t size_at = out->size();
    out->resize(size_at + 4 + snappy::MaxCompressedLength(n));
    size_t compressed = 0;
    snappy::RawCompress(in.data() + pos, n, out->data() + size_at + 4, &compressed);
    out->resize(size_at + 4 + compressed);
    std::string size;
    WireWriter(&size).WriteInt32(static_cast<int32_t>(compressed));
    std::memcpy(out->data() + size_at, size.data(), 4);
  }
  return absl::OkStatus();
}

// Appends one raw snappy block. The block is validated before its claimed size is allocated, so
// only real output costs memory.
absl::Status AppendSnappyBlock(std::string_view block, uint64_t max_bytes, std::string* out) {
  size_t n = 0;
  if (!snappy::GetUncompressedLength(block.data(), block.size(), &n)) {
    return Corrupt(Compression::kSnappy, "bad length");
  }
  if (n > max_bytes - out->size()) return OverLimit(Compression::kSnappy, max_bytes);
  if (!snappy::IsValidCompressedBuffer(block.data(), block.size())) {
    return Corrupt(Compression::kSnappy, "corrupt block");
  }
  const size_t at = out->size();
  out->resize(at + n);
  if (!snappy::RawUncompress(block.data(), block.size(), out->data() + at)) {
    return Corrupt(Compression::kSnappy, "corrupt block");
  }
  return absl::OkStatus();
}

absl::Status SnappyDecompress(std::string_view in, uint64_t max_bytes, std::string* out) {
  out->clear();
  if (in.size() < kXerialHeaderBytes || std::memcmp(in.data(), kXerialMagic, 8) != 0) {
    return AppendSnappyBlock(in, max_bytes, out);
  }
  WireReader r(in.substr(kXerialHeaderBytes));
  while (r.remaining() > 0) {
    int32_t size = 0;
    std::string_view block;
    if (!r.ReadInt32(&size) || size < 0 || !r.ReadBytes(static_cast<size_t>(size), &block)) {
      return Corrupt(Compression::kSnappy, "truncated xerial block");
    }
    if (absl::Status s = AppendSnappyBlock(block, max_bytes, out); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// ---- lz4

absl::Status Lz4Compress(std::string_view in, std::string* out) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  out->resize(LZ4F_compressFrameBound(in.size(), &prefs));
  const size_t n = LZ4F_compressFrame(out->data(), out->size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) return absl::InternalError(LZ4F_getErrorName(n));
  out->resize(n);
  return absl::OkStatus();
}

absl::Status Lz4Decompress(std::string_view in, uint64_t max_bytes, std::string* out) {
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) {
    return absl::InternalError("LZ4F_createDecompressionContext failed");
  }
  BoundedOutput buf(out, max_bytes, in.size());
  size_t pos = 0;
  size_t hint = 1;  // 0 once a frame is complete
  absl::Status status;
  while (pos < in.size() || hint != 0) {
    if (buf.free() == 0 && !buf.Grow()) {
      status = OverLimit(Compression::kLz4, max_bytes);
      break;
    }
    size_t dst = buf.free();
    size_t src = in.size() - pos;
    hint = LZ4F_decompress(ctx, buf.next(), &dst, in.data() + pos, &src, nullptr);
    if (LZ4F_isError(hint)) {
      status = Corrupt(Compression::kLz4, LZ4F_getErrorName(hint));
      break;
    }
    pos += src;
    buf.Produced(dst);
    if (src == 0 && dst == 0 && buf.free() > 0) {
      status = Corrupt(Compression::kLz4, "truncated frame");
      break;
    }
  }
  LZ4F_freeDecompressionContext(ctx);
  if (status.ok() && buf.over_limit()) status = OverLimit(Compression::kLz4, max_bytes);
  if (status.ok()) buf.Finish();
  return status;
}

// ---- zstd

absl::Status ZstdCompress(std::string_view in, std::string* out) {
  out->resize(ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), kZstdLevel);
  if (ZSTD_isError(n)) return absl::InternalError(ZSTD_getErrorName(n));
  out->resize(n);
  return absl::OkStatus();
}

absl::Status ZstdDecompress(std::string_view in, uint64_t max_bytes, std::string* out) {
  ZSTD_DCtx* ctx = ZSTD_createDCtx();
  if (ctx == nullptr) return absl::InternalError("ZSTD_createDCtx failed");
  // A frame's window costs memory before any output exists. Windows up to 8 MiB (what producers
  // use: zstd's levels 1-19 without a known size) are always allowed; larger ones only as far as
  // the allowed output, since no window larger than the whole output is useful.
  int window_log = kZstdFreeWindowLog;
  while (window_log < kZstdMaxWindowLog && (uint64_t{1} << window_log) < max_bytes) {
    ++window_log;
  }
  ZSTD_DCtx_setParameter(ctx, ZSTD_d_windowLogMax, window_log);
  BoundedOutput buf(out, max_bytes, in.size());
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t hint = 1;  // 0 once a frame is complete and flushed
  absl::Status status;
  while (input.pos < input.size || hint != 0) {
    if (buf.free() == 0 && !buf.Grow()) {
      status = OverLimit(Compression::kZstd, max_bytes);
      break;
    }
    ZSTD_outBuffer output{buf.next(), buf.free(), 0};
    const size_t consumed_before = input.pos;
    hint = ZSTD_decompressStream(ctx, &output, &input);
    if (ZSTD_isError(hint)) {
      status = ZSTD_getErrorCode(hint) == ZSTD_error_frameParameter_windowTooLarge
                   ? OverLimit(Compression::kZstd, max_bytes)
                   : Corrupt(Compression::kZstd, ZSTD_getErrorName(hint));
      break;
    }
    buf.Produced(output.pos);
    if (input.pos == consumed_before && output.pos == 0 && buf.free() > 0) {
      status = Corrupt(Compression::kZstd, "truncated frame");
      break;
    }
  }
  ZSTD_freeDCtx(ctx);
  if (status.ok() && buf.over_limit()) status = OverLimit(Compression::kZstd, max_bytes);
  if (status.ok()) buf.Finish();
  return status;
}

}  // namespace

const char* CompressionName(Compression codec) {
  switch (codec) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

absl::Status Compress(Compression codec, std::string_view in, std::string* out) {
  switch (codec) {
    case Compression::kGzip:
      return GzipCompress(in, out);
    case Compression::kSnappy:
      return SnappyCompress(in, out);
    case Compression::kLz4:
      return Lz4Compress(in, out);
    case Compression::kZstd:
      return ZstdCompress(in, out);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("cannot compress with codec ", static_cast<int>(codec)));
  }
}

absl::Status Decompress(Compression codec, std::string_view in, uint64_t max_bytes,
                        std::string* out) {
  switch (codec) {
    case Compression::kGzip:
      return GzipDecompress(in, max_bytes, out);
    case Compression::kSnappy:
      return SnappyDecompress(in, max_bytes, out);
    case Compression::kLz4:
      return Lz4Decompress(in, max_bytes, out);
    case Compression::kZstd:
      return ZstdDecompress(in, max_bytes, out);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown compression codec ", static_cast<int>(codec)));
  }
}

}  // namespace choreo::kafka

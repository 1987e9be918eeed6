#include "broker/kafka/wire.h"

#include <cstring>

namespace choreo::kafka {
namespace {

template <typename T>
bool ReadBigEndian(std::string_view in, size_t* pos, bool* failed, T* v) {
  using U = std::make_unsigned_t<T>;
  if (*failed || in.size() - *pos < sizeof(T)) {
    *failed = true;
    return false;
  }
  U u = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    u = static_cast<U>((u << 8) | static_cast<uint8_t>(in[*pos + i]));
  }
  *pos += sizeof(T);
  *v = static_cast<T>(u);
  return true;
}

template <typename T>
void WriteBigEndian(std::string* out, T v) {
  using U = std::make_unsigned_t<T>;
  const U u = static_cast<U>(v);
  char buf[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) {
    buf[i] = static_cast<char>(u >> (8 * (sizeof(T) - 1 - i)));
  }
  out->append(buf, sizeof(T));
}

}  // namespace

bool WireReader::ReadInt8(int8_t* v) {
  return ReadBigEndian(in_, &pos_, &failed_, v);
}
bool WireReader::ReadInt16(int16_t* v) {
  return ReadBigEndian(in_, &pos_, &failed_, v);
}
bool WireReader::ReadInt32(int32_t* v) {
  return ReadBigEndian(in_, &pos_, &failed_, v);
}
bool WireReader::ReadInt64(int64_t* v) {
  return ReadBigEndian(in_, &pos_, &failed_, v);
}

bool WireReader::ReadUnsignedVarint(uint32_t* v) {
  uint32_t result = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (failed_ || pos_ >= in_.size()) break;
    const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
    // The fifth byte may carry only the top 4 bits of a 32-bit value.
    if (shift == 28 && (b & 0xF0) != 0) break;
    result |= static_cast<uint32_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  failed_ = true;
  return false;
}

bool WireReader::ReadVarlong(int64_t* v) {
  uint64_t raw = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (failed_ || pos_ >= in_.size()) break;
    const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
    if (shift == 63 && (b & 0x7E) != 0) break;  // only one bit left for a 64-bit value
    raw |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *v = static_cast<int64_t>(raw >> 1) ^ -static_cast<int64_t>(raw & 1);
      return true;
    }
  }
  failed_ = true;
  return false;
}

bool WireReader::ReadVarint(int32_t* v) {
  const size_t start = pos_;
  int64_t wide = 0;
  if (!ReadVarlong(&wide)) return false;
  if (pos_ - start > 5 || wide < INT32_MIN || wide > INT32_MAX) {
    failed_ = true;
    return false;
  }
  *v = static_cast<int32_t>(wide);
  return true;
}

bool WireReader::ReadBytes(size_t n, std::string_view* v) {
  if (failed_ || in_.size() - pos_ < n) {
    failed_ = true;
    return false;
  }
  *v = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool WireReader::Skip(size_t n) {
  std::string_view ignored;
  return ReadBytes(n, &ignored);
}

void WireWriter::WriteInt16(int16_t v) {
  WriteBigEndian(out_, v);
}
void WireWriter::WriteInt32(int32_t v) {
  WriteBigEndian(out_, v);
}
void WireWriter::WriteInt64(int64_t v) {
  WriteBigEndian(out_, v);
}

void WireWriter::WriteUnsignedVarint(uint32_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void WireWriter::WriteVarlong(int64_t v) {
  uint64_t raw = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (raw >= 0x80) {
    out_->push_back(static_cast<char>((raw & 0x7F) | 0x80));
    raw >>= 7;
  }
  out_->push_back(static_cast<char>(raw));
}

void WireWriter::WriteVarint(int32_t v) {
  WriteVarlong(v);
}

size_t VarlongSize(int64_t v) {
  uint64_t raw = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  size_t n = 1;
  while (raw >= 0x80) {
    raw >>= 7;
    ++n;
  }
  return n;
}

}  // namespace choreo::kafka

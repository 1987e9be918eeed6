// Primitive encodings of the Kafka protocol: big-endian integers, signed (zigzag) and unsigned
// varints, and the length-prefixed strings and bytes built on them. Every read is bounds-checked:
// a short or malformed input makes the reader fail (sticky), never read past its input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace choreo::kafka {

// Reads primitives from a borrowed buffer. The first failed read sets failed() and every later read
// fails too, so a decoder may check once after a group of reads. Strings returned as views point
// into the buffer.
class WireReader {
 public:
  explicit WireReader(std::string_view in) : in_(in) {}

  bool failed() const { return failed_; }
  size_t remaining() const { return failed_ ? 0 : in_.size() - pos_; }
  size_t position() const { return pos_; }

  bool ReadInt8(int8_t* v);
  bool ReadInt16(int16_t* v);
  bool ReadInt32(int32_t* v);
  bool ReadInt64(int64_t* v);
  // Zigzag varints as in record batches: at most 5 bytes (varint) or 10 bytes (varlong).
  bool ReadVarint(int32_t* v);
  bool ReadVarlong(int64_t* v);
  // Unsigned varint (flexible versions' lengths and tags), at most 5 bytes.
  bool ReadUnsignedVarint(uint32_t* v);
  // `n` raw bytes as a view into the input.
  bool ReadBytes(size_t n, std::string_view* v);
  bool Skip(size_t n);

  // Marks the reader failed (a caller found a semantic error).
  void Fail() { failed_ = true; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool failed_ = false;
};

// Appends primitives to a string it does not own.
class WireWriter {
 public:
  explicit WireWriter(std::string* out) : out_(out) {}

  void WriteInt8(int8_t v) { out_->push_back(static_cast<char>(v)); }
  void WriteInt16(int16_t v);
  void WriteInt32(int32_t v);
  void WriteInt64(int64_t v);
  void WriteVarint(int32_t v);
  void WriteVarlong(int64_t v);
  void WriteUnsignedVarint(uint32_t v);
  void WriteBytes(std::string_view v) { out_->append(v); }

  size_t size() const { return out_->size(); }
  std::string* out() { return out_; }

 private:
  std::string* out_;
};

// Bytes a zigzag varint/varlong takes (for record sizes computed before writing).
size_t VarlongSize(int64_t v);
inline size_t VarintSize(int32_t v) {
  return VarlongSize(v);
}

}  // namespace choreo::kafka

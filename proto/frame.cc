#include "choreo/proto/frame.h"

#include <google/protobuf/message_lite.h>

#include <cstring>
#include <limits>

#include "choreo/common/big_endian.h"

namespace choreo::proto {

bool AppendFrame(const google::protobuf::MessageLite& message, std::string* out) {
  const size_t size = message.ByteSizeLong();
  if (size > std::numeric_limits<uint32_t>::max()) return false;
  const size_t start = out->size();
  out->resize(start + kFrameHeaderBytes + size);
  char* header = out->data() + start;
  PutBigEndian32(header, static_cast<uint32_t>(size));
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(header + kFrameHeaderBytes));
  return true;
}

char* FrameDecoder::PrepareWrite(size_t n) {
  // Compact before growing: frames already handed out are dead once the caller asks for more room.
  if (begin_ > 0 && (begin_ == end_ || begin_ >= buffer_.size() / 2)) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() < end_ + n) buffer_.resize(end_ + n);
  return buffer_.data() + end_;
}

void FrameDecoder::Commit(size_t n) {
  end_ += n;
}

void FrameDecoder::Feed(std::string_view bytes) {
  std::memcpy(PrepareWrite(bytes.size()), bytes.data(), bytes.size());
  Commit(bytes.size());
}

uint32_t FrameDecoder::NextFrameLength() const {
  if (end_ - begin_ < kFrameHeaderBytes) return 0;
  return GetBigEndian32(buffer_.data() + begin_);
}

FrameDecoder::Result FrameDecoder::Next(std::string_view* frame, uint64_t* declared_length) {
  const size_t available = end_ - begin_;
  if (available < kFrameHeaderBytes) return Result::kNeedMore;
  const uint32_t length = GetBigEndian32(buffer_.data() + begin_);
  if (length > max_frame_bytes_) {
    if (declared_length != nullptr) *declared_length = length;
    return Result::kTooLarge;
  }
  if (available < kFrameHeaderBytes + length) return Result::kNeedMore;
  *frame = std::string_view(buffer_.data() + begin_ + kFrameHeaderBytes, length);
  begin_ += kFrameHeaderBytes + length;
  return Result::kFrame;
}

}  // namespace choreo::proto

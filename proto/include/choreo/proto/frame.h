// Framing of protocol messages on a byte stream: a 4-byte big-endian length, then that many bytes
// of one serialized protobuf message. Shared by the broker and the client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace google::protobuf {
class MessageLite;
}

namespace choreo::proto {

inline constexpr size_t kFrameHeaderBytes = 4;

// Appends `message` to `out` as one frame. Returns false if the message is larger than a 4-byte
// length can describe.
bool AppendFrame(const google::protobuf::MessageLite& message, std::string* out);

// Incremental frame decoder over a receive buffer. Feed it what the socket read; take whole frames
// with Next(). A length above `max_frame_bytes` is reported as kTooLarge before any of the body is
// buffered, so an oversized length never causes an allocation of that size.
//
// Not thread-safe: one decoder per connection, used by that connection's reader.
class FrameDecoder {
 public:
  enum class Result { kFrame, kNeedMore, kTooLarge };

  explicit FrameDecoder(uint32_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  // Where to write up to `n` incoming bytes; call Commit() with how many were written.
  char* PrepareWrite(size_t n);
  void Commit(size_t n);
  // Convenience for tests and simple callers: PrepareWrite + memcpy + Commit.
  void Feed(std::string_view bytes);

  // On kFrame, `*frame` views the body of the next frame, valid until the next call on the decoder.
  // On kTooLarge, `*declared_length` holds the offending length; the stream cannot be
  // resynchronised and the caller should close the connection.
  Result Next(std::string_view* frame, uint64_t* declared_length = nullptr);

  // Bytes received but not yet returned as frames.
  size_t buffered() const { return end_ - begin_; }
  // The body length the next frame's header declares, once its 4 header bytes have arrived (the
  // body may still be incomplete); 0 before that. Lets a reader reserve memory for a large body
  // before reading it.
  uint32_t NextFrameLength() const;

 private:
  uint32_t max_frame_bytes_;
  std::string buffer_;
  size_t begin_ = 0;  // start of the unconsumed bytes in buffer_
  size_t end_ = 0;    // end of the received bytes in buffer_
};

}  // namespace choreo::proto

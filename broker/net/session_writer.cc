// The writing side of a Session: the response queue, the writer coroutine and closing.
#include <absl/strings/str_cat.h>
#include <sys/ioctl.h>
#ifdef __linux__
#include <linux/sockios.h>
#endif

#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <array>
#include <chrono>
#include <vector>

#include "broker/logging.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/net/session.h"

namespace choreo::broker {
namespace {

// One write gathers up to this many queued frames / bytes, to save syscalls under pipelining.
constexpr size_t kMaxFramesPerWrite = 64;
constexpr size_t kMaxBytesPerWrite = 1 << 20;
// After a protocol error or shutdown, input still arriving is read and dropped for at most this
// long / this much before closing: closing with unread input would reset the connection and
// could destroy the error response we just sent.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kLingerMaxBytes = 1 << 20;

}  // namespace

void Session::Enqueue(std::string frame, bool answers_request, uint64_t fetch_memory) {
  const bool dropped = frame.empty() || outbox_closed_ || mode_ == Mode::kAborted ||
                       (mode_ == Mode::kFailing && answers_request);
  if (!dropped) {
    queued_bytes_ += frame.size();
    outbox_.push_back(Outgoing{std::move(frame), answers_request, Clock::now(), fetch_memory});
    writer_wake_.cancel();
    return;
  }
  services_.fetch_memory.Release(fetch_memory);
  if (answers_request) {
    --unanswered_;
    reader_wake_.cancel();
  }
}

bool Session::WriterShouldExit() const {
  switch (mode_) {
    case Mode::kOpen:
      return false;
    case Mode::kDraining:
      return reader_done_ && unanswered_ == 0;
    case Mode::kFailing:
    case Mode::kAborted:
      return true;
  }
  return true;
}

asio::awaitable<void> Session::WriteLoop(std::shared_ptr<Session> self) {
  std::vector<Outgoing> sending;
  std::vector<asio::const_buffer> buffers;
  while (mode_ != Mode::kAborted) {
    if (outbox_.empty()) {
      if (WriterShouldExit()) break;
      writer_wake_.expires_at(asio::steady_timer::time_point::max());
      asio::error_code ignored;
      co_await writer_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    size_t bytes = 0;
    while (!outbox_.empty() && sending.size() < kMaxFramesPerWrite && bytes < kMaxBytesPerWrite) {
      bytes += outbox_.front().frame.size();
      sending.push_back(std::move(outbox_.front()));
      outbox_.pop_front();
    }
    buffers.clear();
    for (const Outgoing& out : sending)
      buffers.push_back(asio::buffer(out.frame));
    asio::error_code ec;
    co_await asio::async_write(stream_, buffers, asio::redirect_error(asio::use_awaitable, ec));
    uint32_t answered = 0;
    uint64_t fetch_memory = 0;
    const Clock::time_point written = Clock::now();
    for (const Outgoing& out : sending) {
      answered += out.answers_request ? 1 : 0;
      fetch_memory += out.fetch_memory;
      if (!ec) {
        services_.metrics.hop(Hop::kResponseWrite)
            .Observe(std::chrono::duration<double>(written - out.queued).count());
      }
    }
    sending.clear();
    // Written (or failed, and about to be dropped): the frames are freed here.
    services_.fetch_memory.Release(fetch_memory);
    unanswered_ -= answered;
    queued_bytes_ -= bytes;
    if (ec) {
      BeginClose(Mode::kAborted, absl::StrCat("write failed: ", ec.message()));
      break;
    }
    if (answered > 0) {
      last_activity_ = Clock::now();
      reader_wake_.cancel();
    }
  }

  outbox_closed_ = true;
  for (const Outgoing& out : outbox_) {
    unanswered_ -= out.answers_request ? 1 : 0;
    queued_bytes_ -= out.frame.size();
    services_.fetch_memory.Release(out.fetch_memory);
  }
  outbox_.clear();
  if (mode_ != Mode::kAborted) co_await LingerAndClose();
  writer_done_ = true;
  MaybeFinish();
}

// With TLS no close_notify is sent: the frames are length-prefixed, so a peer detects a truncated
// response by itself, and a TLS shutdown would read from the socket while a cancelled read of the
// reader may still be pending. The linger reads the raw socket, discarding whole TLS records.
asio::awaitable<void> Session::LingerAndClose() {
  asio::error_code ec;
  stream_.socket().shutdown(asio::socket_base::shutdown_send, ec);
  if (!peer_closed_ && !ec) {
    asio::steady_timer watchdog(stream_.get_executor());
    watchdog.expires_after(kLingerTime);
    watchdog.async_wait([self = shared_from_this()](asio::error_code timer_ec) {
      asio::error_code ignored;
      if (!timer_ec) self->stream_.socket().cancel(ignored);
    });
    std::array<char, 4096> scratch;
    size_t discarded = 0;
    while (discarded < kLingerMaxBytes && mode_ != Mode::kAborted) {
      const size_t n = co_await stream_.socket().async_read_some(
          asio::buffer(scratch), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      discarded += n;
    }
    watchdog.cancel();
  }
  // Whatever the peer has not acknowledged by now it is not reading: a plain close would leave an
  // orphaned socket trickling it out against a closed window (for minutes, under the kernel's
  // persist timer). Reset instead, so the kernel lets go too.
  if (UnacknowledgedBytes() > 0) {
    ResetSocket();
  } else {
    CloseSocket();
  }
}

int Session::UnacknowledgedBytes() {
#ifdef __linux__
  int bytes = 0;
  if (::ioctl(stream_.socket().native_handle(), SIOCOUTQ, &bytes) == 0) return bytes;
#endif
  return 0;
}

void Session::ResetSocket() {
  asio::error_code ignored;
  stream_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
  stream_.socket().close(ignored);
}

void Session::CloseSocket() {
  asio::error_code ignored;
  stream_.socket().shutdown(asio::socket_base::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

}  // namespace choreo::broker

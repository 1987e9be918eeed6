#include "client/asio_connection.h"

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

constexpr size_t kReadChunkBytes = 64 * 1024;

// Whether a frame length read from the broker is in fact the start of a TLS record: content type
// alert (21) or handshake (22), then major version 3. A plaintext client reading a TLS broker's
// alert sees such a length, always far over any frame limit.
bool LooksLikeTlsRecord(uint64_t length) {
  const uint64_t type = length >> 24;
  return (type == 21 || type == 22) && ((length >> 16) & 0xff) == 3;
}

}  // namespace

AsioConnection::AsioConnection(const ClientOptions& options,
                               std::shared_ptr<asio::ssl::context> tls)
    : options_(options),
      work_(asio::make_work_guard(io_)),
      socket_(io_, std::move(tls)),
      writer_wake_(io_),
      send_limit_(options.max_frame_bytes),
      decoder_(static_cast<uint32_t>(
          std::min<uint64_t>(options.max_frame_bytes, std::numeric_limits<uint32_t>::max()))) {
  thread_ = std::thread([this] { RunIo(); });
}

AsioConnection::~AsioConnection() {
  Close();
  if (thread_.joinable()) {
    // Destroying a connection from its own callback is a caller bug; do not deadlock on it.
    if (std::this_thread::get_id() == thread_.get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

void AsioConnection::RunIo() {
  // A throwing user callback must not take the process down through std::thread.
  for (;;) {
    try {
      io_.run();
      return;
    } catch (...) {
    }
  }
}

void AsioConnection::Send(proto::Request request, milliseconds timeout, ResponseCallback callback) {
  const uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  request.set_correlation_id(id);
  std::string frame;
  if (!proto::AppendFrame(request, &frame) ||
      frame.size() - proto::kFrameHeaderBytes > send_limit_) {
    callback(Status(ErrorCode::kMessageTooLarge, "request of " +
                                                     std::to_string(request.ByteSizeLong()) +
                                                     " bytes exceeds the frame limit of " +
                                                     std::to_string(send_limit_) + " bytes"));
    return;
  }
  Status rejected;
  {
    MutexLock lock(&mu_);
    if (closed_status_.ok()) {
      asio::post(io_, [this, id, frame = std::move(frame), timeout,
                       callback = std::move(callback)]() mutable {
        Enqueue(id, std::move(frame), timeout, std::move(callback));
      });
      return;
    }
    rejected = closed_status_;
  }
  callback(std::move(rejected));
}

void AsioConnection::Close() {
  std::call_once(close_once_, [this] {
    const Status closed(ErrorCode::kClosed, "connection closed");
    {
      MutexLock lock(&mu_);
      if (closed_status_.ok()) closed_status_ = closed;
    }
    // Requests posted before closed_status_ was set run before this (posted handlers run in order)
    // and are failed by it; later ones were rejected by Send() itself.
    if (std::this_thread::get_id() == thread_.get_id()) {
      Shutdown(closed);
    } else {
      asio::post(io_, [this, closed] { Shutdown(closed); });
    }
    work_.reset();
    if (std::this_thread::get_id() != thread_.get_id() && thread_.joinable()) thread_.join();
  });
}

void AsioConnection::Enqueue(uint64_t id, std::string frame, milliseconds timeout,
                             ResponseCallback callback) {
  if (shut_) {
    callback(shut_status_);
    return;
  }
  auto timer = std::make_unique<asio::steady_timer>(io_, timeout);
  timer->async_wait([this, id](const asio::error_code& ec) {
    if (!ec) OnTimeout(id);
  });
  pending_.emplace(id, Pending{std::move(callback), std::move(timer), timeout, false});
  waiting_.push_back(Outgoing{id, std::move(frame)});
  PumpWaiting();
}

void AsioConnection::PumpWaiting() {
  bool added = false;
  while (!shut_ && !waiting_.empty() && (max_in_flight_ == 0 || in_flight_ < max_in_flight_)) {
    Outgoing next = std::move(waiting_.front());
    waiting_.pop_front();
    auto it = pending_.find(next.id);
    if (it == pending_.end()) continue;  // timed out while waiting
    it->second.written = true;
    ++in_flight_;
    outbox_.push_back(std::move(next.frame));
    added = true;
  }
  if (added) writer_wake_.cancel();
}

asio::awaitable<void> AsioConnection::WriteLoop() {
  std::vector<std::string> writing;
  std::vector<asio::const_buffer> buffers;
  asio::error_code ec;
  while (!shut_) {
    if (outbox_.empty()) {
      writer_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await writer_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    writing.clear();
    writing.swap(outbox_);
    buffers.clear();
    for (const std::string& frame : writing)
      buffers.push_back(asio::buffer(frame));
    co_await asio::async_write(socket_, buffers, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      Shutdown(LostConnection(ec));
      co_return;
    }
  }
}

asio::awaitable<void> AsioConnection::ReadLoop() {
  asio::error_code ec;
  while (!shut_) {
    char* buffer = decoder_.PrepareWrite(kReadChunkBytes);
    const size_t n = co_await socket_.async_read_some(
        asio::buffer(buffer, kReadChunkBytes), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      // The broker ends TLS connections without close_notify (frames are length-prefixed, so a
      // truncated response is detected anyway): a truncated stream is a close.
      const bool closed = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
      Shutdown(closed ? Status(ErrorCode::kConnectionFailed, "broker closed the connection")
                      : LostConnection(ec));
      co_return;
    }
    decoder_.Commit(n);
    for (;;) {
      std::string_view frame;
      uint64_t length = 0;
      const proto::FrameDecoder::Result next = decoder_.Next(&frame, &length);
      if (next == proto::FrameDecoder::Result::kNeedMore) break;
      if (next == proto::FrameDecoder::Result::kTooLarge && !socket_.tls() &&
          LooksLikeTlsRecord(length)) {
        Shutdown(
            Status(ErrorCode::kTlsError,
                   "the broker answered with TLS: enable TLS in this client (ClientOptions::tls, "
                   "choreo --tls)"));
        co_return;
      }
      if (next == proto::FrameDecoder::Result::kTooLarge) {
        Shutdown(Status(ErrorCode::kProtocolError,
                        "broker sent a frame of " + std::to_string(length) +
                            " bytes, over the limit of " +
                            std::to_string(options_.max_frame_bytes) + " bytes"));
        co_return;
      }
      OnFrame(frame);
      if (shut_) co_return;
    }
  }
}

Status AsioConnection::LostConnection(const asio::error_code& ec) const {
  if (ec.category() != asio::error::get_ssl_category()) {
    return Status(ErrorCode::kConnectionFailed, "connection lost: " + ec.message());
  }
  // After the handshake, a TLS error is nearly always the broker's alert about this client's
  // certificate (TLS 1.3 checks it after the client has finished its side of the handshake).
  const std::string reason = ec.message();
  return Status(ErrorCode::kTlsError,
                "the broker ended the TLS session: " + reason +
                    (reason.find("alert") != std::string::npos
                         ? " (was this client's certificate refused, or missing?)"
                         : ""));
}

void AsioConnection::OnLoopExit(std::exception_ptr error) {
  if (!error) return;
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  Shutdown(Status(ErrorCode::kConnectionFailed, "connection failed: " + what));
}

void AsioConnection::OnFrame(std::string_view frame) {
  proto::Response response;
  if (!response.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    Shutdown(Status(ErrorCode::kProtocolError, "broker sent an undecodable response frame"));
    return;
  }
  if (response.correlation_id() == 0) {
    // Not an answer to a request: the broker's last word before it closes the connection.
    // UNSUPPORTED_VERSION (another protocol major, or TLS required) will not pass by retrying.
    const ErrorCode code = response.error().code() == proto::UNSUPPORTED_VERSION
                               ? ErrorCode::kUnsupportedVersion
                               : ErrorCode::kConnectionFailed;
    Shutdown(Status(
        code, "broker closed the connection: " + FromProtoError(response.error()).ToString()));
    return;
  }
  auto it = pending_.find(response.correlation_id());
  if (it == pending_.end()) return;  // not ours, or already failed by Shutdown
  Pending done = std::move(it->second);
  pending_.erase(it);
  done.timer->cancel();
  if (done.written) --in_flight_;
  PumpWaiting();
  if (done.callback) done.callback(std::move(response));
}

void AsioConnection::OnTimeout(uint64_t id) {
  auto it = pending_.find(id);
  if (it == pending_.end()) return;
  ResponseCallback callback = std::move(it->second.callback);
  const milliseconds timeout = it->second.timeout;
  if (it->second.written) {
    // Keep the entry: the request still occupies an in-flight slot until its response arrives.
    it->second.callback = nullptr;
  } else {
    pending_.erase(it);
  }
  if (callback) {
    callback(Status(ErrorCode::kTimeout,
                    "no response within " + std::to_string(timeout.count()) + " ms"));
  }
}

void AsioConnection::Shutdown(const Status& status) {
  if (shut_) return;
  shut_ = true;
  shut_status_ = status;
  {
    MutexLock lock(&mu_);
    if (closed_status_.ok()) closed_status_ = status;
  }
  asio::error_code ignored;
  socket_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.socket().close(ignored);
  writer_wake_.cancel();
  waiting_.clear();
  outbox_.clear();
  // Fail in send order, so that callers see outcomes in the order they sent.
  std::vector<std::pair<uint64_t, Pending>> failed(std::make_move_iterator(pending_.begin()),
                                                   std::make_move_iterator(pending_.end()));
  pending_.clear();
  std::sort(failed.begin(), failed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [id, pending] : failed) {
    pending.timer->cancel();
    if (pending.callback) pending.callback(status);
  }
}

}  // namespace choreo::client_internal

// Session lifecycle and the reading side: frames in, requests dispatched.
#include "broker/net/session.h"

#include <absl/strings/str_cat.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "broker/handlers/dispatch.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/logging.h"
#include "broker/net/listen_address.h"
#include "broker/net/spawn.h"

namespace choreo::broker {
namespace {

// Bytes asked of each read. Frames larger than this are assembled over several reads.
constexpr size_t kReadChunk = 64 * 1024;

}  // namespace

Session::Session(asio::ip::tcp::socket socket, uint64_t id, BrokerServices& services,
                 ClosedCallback on_closed)
    : socket_(std::move(socket)),
      id_(id),
      services_(services),
      on_closed_(std::move(on_closed)),
      connection_(id),
      decoder_(services.options.max_frame_bytes),
      writer_wake_(socket_.get_executor()),
      reader_wake_(socket_.get_executor()) {
  asio::error_code ec;
  const auto peer = socket_.remote_endpoint(ec);
  peer_ = ec ? "unknown peer" : FormatEndpoint(peer);
  // Responses are small and latency-sensitive; the writer already coalesces frames.
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
}

void Session::Start() {
  NetLog().info("conn {} open from {}", id_, peer_);
  auto self = shared_from_this();
  SpawnLogged(socket_.get_executor(), ReadLoop(self), "reader", id_);
  SpawnLogged(socket_.get_executor(), WriteLoop(self), "writer", id_);
}

void Session::Reject(proto::ErrorCode code, std::string message) {
  NetLog().info("conn {} open from {} (rejected)", id_, peer_);
  asio::post(socket_.get_executor(), [self = shared_from_this(), code, message] {
    self->reader_done_ = true;
    self->Fail(0, code, message);
    SpawnLogged(self->socket_.get_executor(), self->WriteLoop(self), "writer", self->id_);
  });
}

void Session::Stop() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->BeginClose(Mode::kDraining, "broker shutting down");
  });
}

void Session::Abort() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    self->BeginClose(Mode::kAborted, "aborted at shutdown");
  });
}

asio::awaitable<void> Session::ReadLoop(std::shared_ptr<Session> self) {
  while (mode_ == Mode::kOpen) {
    if (unanswered_ >= services_.options.max_in_flight) {
      // Back-pressure: stop reading until the writer has sent responses.
      reader_wake_.expires_at(asio::steady_timer::time_point::max());
      asio::error_code ignored;
      co_await reader_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      continue;
    }
    const Step step = NextFrame();
    if (step == Step::kDispatched) continue;
    if (step == Step::kStop) break;

    asio::error_code ec;
    const size_t n = co_await socket_.async_read_some(
        asio::buffer(decoder_.PrepareWrite(kReadChunk), kReadChunk),
        asio::bind_cancellation_slot(read_cancel_.slot(),
                                     asio::redirect_error(asio::use_awaitable, ec)));
    if (ec == asio::error::eof) {
      peer_closed_ = true;
      BeginClose(Mode::kDraining,
                 decoder_.buffered() > 0 ? "peer closed mid-frame" : "peer closed");
      break;
    }
    if (ec) {
      // operation_aborted after BeginClose() is our own cancellation, not a failure.
      if (mode_ == Mode::kOpen)
        BeginClose(Mode::kAborted, absl::StrCat("read failed: ", ec.message()));
      break;
    }
    decoder_.Commit(n);
  }
  reader_done_ = true;
  writer_wake_.cancel();
  MaybeFinish();
}

Session::Step Session::NextFrame() {
  std::string_view frame;
  uint64_t declared = 0;
  switch (decoder_.Next(&frame, &declared)) {
    case proto::FrameDecoder::Result::kNeedMore:
      return Step::kNeedMore;
    case proto::FrameDecoder::Result::kTooLarge:
      Fail(0, proto::MESSAGE_TOO_LARGE,
           absl::StrCat("frame of ", declared, " bytes exceeds the limit of ",
                        services_.options.max_frame_bytes));
      return Step::kStop;
    case proto::FrameDecoder::Result::kFrame:
      break;
  }
  proto::Request request;
  if (!request.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) {
    Fail(0, proto::INVALID_REQUEST, "frame does not parse as a Request");
    return Step::kStop;
  }
  return Admit(request) ? Step::kDispatched : Step::kStop;
}

bool Session::Admit(proto::Request& request) {
  if (!handshaken_) {
    if (request.body_case() != proto::Request::kHandshake) {
      Fail(request.correlation_id(), proto::HANDSHAKE_REQUIRED,
           "the first request on a connection must be a handshake");
      return false;
    }
    // Checked inline (not in the handler coroutine) so the next pipelined request already knows
    // whether the handshake succeeded.
    proto::Response response = HandshakeResponseFor(services_.options, request.handshake());
    if (response.error().code() != proto::NONE) {
      response.set_correlation_id(request.correlation_id());
      Enqueue(response, /*answers_request=*/false);
      BeginClose(Mode::kFailing, response.error().message());
      return false;
    }
    handshaken_ = true;
  }
  ++requests_;
  ++unanswered_;
  ++running_;
  SpawnLogged(socket_.get_executor(), Serve(shared_from_this(), std::move(request)), "request",
              id_);
  return true;
}

asio::awaitable<void> Session::Serve(std::shared_ptr<Session> self, proto::Request request) {
  RequestContext ctx{services_, connection_, socket_.get_executor()};
  proto::Response response;
  try {
    response = co_await Dispatch(ctx, request);
  } catch (const std::exception& e) {
    // A handler bug or resource failure; the client still gets an answer.
    HandlerLog().error("conn {} {} request failed: {}", id_, RequestName(request.body_case()),
                       e.what());
    response = ErrorResponse(request.correlation_id(), proto::UNKNOWN, "internal broker error");
  } catch (...) {
    HandlerLog().error("conn {} {} request failed with a non-standard exception", id_,
                       RequestName(request.body_case()));
    response = ErrorResponse(request.correlation_id(), proto::UNKNOWN, "internal broker error");
  }
  Enqueue(response, /*answers_request=*/true);
  --running_;
  MaybeFinish();
}

void Session::Fail(uint64_t correlation_id, proto::ErrorCode code, std::string_view message) {
  Enqueue(ErrorResponse(correlation_id, code, message), /*answers_request=*/false);
  BeginClose(Mode::kFailing, message);
}

void Session::BeginClose(Mode mode, std::string_view reason) {
  // Modes only escalate: open < draining < failing < aborted.
  if (finished_ || mode <= mode_) return;
  mode_ = mode;
  if (close_reason_.empty()) close_reason_ = std::string(reason);
  connection_.BeginClosing();
  read_cancel_.emit(asio::cancellation_type::terminal);
  reader_wake_.cancel();
  writer_wake_.cancel();
  if (mode == Mode::kAborted) CloseSocket();
}

void Session::MaybeFinish() {
  if (finished_ || !reader_done_ || !writer_done_ || running_ > 0) return;
  finished_ = true;
  NetLog().info("conn {} closed: {}; {} requests", id_, close_reason_, requests_);
  if (on_closed_) on_closed_(id_);
}

}  // namespace choreo::broker

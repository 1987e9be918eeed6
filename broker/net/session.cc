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
#include "broker/metrics/broker_metrics.h"
#include "broker/net/listen_address.h"
#include "broker/net/spawn.h"

namespace choreo::broker {

Session::Session(ConnectionStream stream, uint64_t id, BrokerServices& services,
                 TlsHandshakeFailures* tls_failures, ClosedCallback on_closed)
    : stream_(std::move(stream)),
      id_(id),
      services_(services),
      tls_failures_(tls_failures),
      on_closed_(std::move(on_closed)),
      connection_(id),
      decoder_(services.options.max_frame_bytes),
      writer_wake_(stream_.get_executor()),
      reader_wake_(stream_.get_executor()),
      watchdog_(stream_.get_executor()) {
  asio::error_code ec;
  const auto peer = stream_.socket().remote_endpoint(ec);
  peer_ = ec ? "unknown" : FormatEndpoint(peer);
  // Responses are small and latency-sensitive; the writer already coalesces frames.
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  // Without TLS there is nothing to wait for before the protocol.
  tls_ready_ = !stream_.tls();
}

void Session::Start() {
  NetLog().info("conn={} event=open peer={} tls={}", id_, peer_, stream_.tls());
  auto self = shared_from_this();
  SpawnLogged(stream_.get_executor(), Watchdog(self), "watchdog", id_);
  SpawnLogged(stream_.get_executor(), Run(self), "session", id_);
}

void Session::Reject(proto::ErrorCode code, std::string message) {
  NetLog().info("conn={} event=open peer={} tls={} rejected=true", id_, peer_, stream_.tls());
  auto self = shared_from_this();
  // With TLS the error response needs the handshake first, and the watchdog to bound it.
  if (stream_.tls()) SpawnLogged(stream_.get_executor(), Watchdog(self), "watchdog", id_);
  SpawnLogged(stream_.get_executor(), RunRejected(self, code, std::move(message)), "session", id_);
}

asio::awaitable<void> Session::Run(std::shared_ptr<Session> self) {
  if (!tls_ready_) {
    // Not `!tls_ready_ && !co_await ...`: gcc 12 miscompiles co_await inside && (SIGILL).
    const bool ready = co_await TlsHandshake();
    if (!ready) co_return;
  }
  SpawnLogged(stream_.get_executor(), ReadLoop(self), "reader", id_);
  SpawnLogged(stream_.get_executor(), WriteLoop(self), "writer", id_);
}

asio::awaitable<void> Session::RunRejected(std::shared_ptr<Session> self, proto::ErrorCode code,
                                           std::string message) {
  if (!tls_ready_) {
    // Not `!tls_ready_ && !co_await ...`: gcc 12 miscompiles co_await inside && (SIGILL).
    const bool ready = co_await TlsHandshake();
    if (!ready) co_return;
  }
  reader_done_ = true;
  Fail(0, code, message);
  co_await WriteLoop(self);
}

void Session::Stop() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->BeginClose(Mode::kDraining, "broker shutting down");
  });
}

void Session::Abort() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] {
    self->BeginClose(Mode::kAborted, "aborted at shutdown");
  });
}

asio::awaitable<void> Session::ReadLoop(std::shared_ptr<Session> self) {
  while (mode_ == Mode::kOpen) {
    // Between requests, and only then, stop reading while unanswered requests or queued
    // responses pile up.
    if (InFlightFull()) {
      co_await WaitForWake(Pause::kInFlight);
      continue;
    }
    const Step step = NextFrame();
    if (step == Step::kDispatched) continue;
    if (step == Step::kStop) break;

    const Pause pause = CheckBeforeRead();
    if (mode_ != Mode::kOpen) break;
    if (pause != Pause::kNone) {
      co_await WaitForWake(pause);
      continue;
    }
    const size_t want = NextReadSize();
    decoder_grown_ = std::max(decoder_grown_, decoder_.buffered() + want);
    asio::error_code ec;
    const size_t n = co_await stream_.async_read_some(
        asio::buffer(decoder_.PrepareWrite(want), want),
        asio::bind_cancellation_slot(read_cancel_.slot(),
                                     asio::redirect_error(asio::use_awaitable, ec)));
    // A TLS peer that closes without close_notify (as choreo clients do) truncates the stream.
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
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
    if (reserved_ > 0) last_read_ = Clock::now();
  }
  ReleaseReservation();
  if (budget_waiter_ != 0) services_.produce_memory.CancelWait(budget_waiter_);
  budget_waiter_ = 0;
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
      services_.metrics.LimitHit(Limit::kMaxFrameBytes);
      Fail(0, proto::MESSAGE_TOO_LARGE,
           absl::StrCat("frame of ", declared, " bytes exceeds the limit of ",
                        services_.options.max_frame_bytes));
      return Step::kStop;
    case proto::FrameDecoder::Result::kFrame:
      break;
  }
  proto::Request request;
  const bool parsed = request.ParseFromArray(frame.data(), static_cast<int>(frame.size()));
  // The frame's bytes are parsed (copied) now; a large frame's reservation either moves to the
  // produce request it carries or is returned.
  uint64_t charge = 0;
  // Step commits carry batches as well, and hold them until written, like produces.
  if (parsed && (request.body_case() == proto::Request::kProduce ||
                 request.body_case() == proto::Request::kStepCommit)) {
    produces_ = true;
    charge = reserved_ > 0 ? reserved_ : frame.size();
    if (reserved_ == 0) services_.produce_memory.Charge(charge);
    reserved_ = 0;
  }
  ReleaseReservation();
  ShrinkDecoder();
  if (!parsed) {
    services_.metrics.ProtocolViolation(ProtocolError::kUnparsable);
    Fail(0, proto::INVALID_REQUEST, "frame does not parse as a Request");
    return Step::kStop;
  }
  if (Admit(request, charge)) return Step::kDispatched;
  services_.produce_memory.Release(charge);
  return Step::kStop;
}

bool Session::Admit(proto::Request& request, uint64_t charged_bytes) {
  if (!handshaken_) {
    if (request.body_case() != proto::Request::kHandshake) {
      services_.metrics.ProtocolViolation(ProtocolError::kHandshakeRequired);
      Fail(request.correlation_id(), proto::HANDSHAKE_REQUIRED,
           "the first request on a connection must be a handshake");
      return false;
    }
    // Checked inline (not in the handler coroutine) so the next pipelined request already knows
    // whether the handshake succeeded.
    proto::Response response = HandshakeResponseFor(services_.options, request.handshake());
    if (response.error().code() != proto::NONE) {
      services_.metrics.ProtocolViolation(ProtocolError::kUnsupportedVersion);
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
  last_activity_ = Clock::now();
  SpawnLogged(stream_.get_executor(), Serve(shared_from_this(), std::move(request), charged_bytes),
              "request", id_);
  return true;
}

asio::awaitable<void> Session::Serve(std::shared_ptr<Session> self, proto::Request request,
                                     uint64_t charged_bytes) {
  const Clock::time_point start = Clock::now();
  const proto::Request::BodyCase body = request.body_case();
  RequestContext ctx{services_, connection_, stream_.get_executor()};
  proto::Response response;
  try {
    response = co_await Dispatch(ctx, request);
  } catch (const std::exception& e) {
    // A handler bug or resource failure; the client still gets an answer.
    HandlerLog().error("conn={} event=error api={} error=\"{}\"", id_, RequestName(body), e.what());
    response = ErrorResponse(request.correlation_id(), proto::UNKNOWN, "internal broker error");
  } catch (...) {
    HandlerLog().error("conn={} event=error api={} error=\"non-standard exception\"", id_,
                       RequestName(body));
    response = ErrorResponse(request.correlation_id(), proto::UNKNOWN, "internal broker error");
  }
  // The batch bytes are in the store (or dropped) by now: give the memory back to producers.
  if (charged_bytes > 0) services_.produce_memory.Release(charged_bytes);
  services_.metrics.RequestDone(static_cast<int>(body),
                                std::chrono::duration<double>(Clock::now() - start).count(),
                                static_cast<int>(response.error().code()));
  Enqueue(response, /*answers_request=*/true, ctx.fetch_memory_held);
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
  watchdog_.cancel();
  if (mode == Mode::kAborted) ResetSocket();
}

void Session::MaybeFinish() {
  if (finished_ || !reader_done_ || !writer_done_ || running_ > 0) return;
  finished_ = true;
  const auto lifetime =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - opened_at_);
  NetLog().info("conn={} event=close peer={} reason=\"{}\" requests={} duration_ms={}", id_, peer_,
                close_reason_, requests_, lifetime.count());
  if (on_closed_) on_closed_(id_);
}

}  // namespace choreo::broker

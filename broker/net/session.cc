// Session lifecycle and the reading side: frames in, requests dispatched.
#include "broker/net/session.h"

#include <absl/strings/str_cat.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "broker/logging.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/net/listen_address.h"
#include "broker/net/spawn.h"
#include "broker/security/security.h"

namespace choreo::broker {

Session::Session(ConnectionStream stream, uint64_t id, BrokerServices& services,
                 std::unique_ptr<SessionProtocol> protocol, TlsHandshakeFailures* tls_failures,
                 TlsListener tls_listener, ClosedCallback on_closed)
    : stream_(std::move(stream)),
      id_(id),
      services_(services),
      protocol_(std::move(protocol)),
      tls_failures_(tls_failures),
      tls_listener_(tls_listener),
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
  NetLog().info("conn={} event=open peer={} protocol={} tls={}", id_, peer_, protocol_->name(),
                stream_.tls());
  auto self = shared_from_this();
  SpawnLogged(stream_.get_executor(), Watchdog(self), "watchdog", id_);
  SpawnLogged(stream_.get_executor(), Run(self), "session", id_);
}

void Session::Reject(proto::ErrorCode code, std::string message) {
  NetLog().info("conn={} event=open peer={} protocol={} tls={} rejected=true", id_, peer_,
                protocol_->name(), stream_.tls());
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
  connection_.SetTransport(
      peer_, stream_.tls(),
      CertificatePrincipal(stream_.native_tls_handle(), services_.security.mtls_principal()));
  protocol_->TransportReady(connection_);
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
  Fail(code, message);
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
      Fail(proto::MESSAGE_TOO_LARGE,
           absl::StrCat("frame of ", declared, " bytes exceeds the limit of ",
                        services_.options.max_frame_bytes));
      return Step::kStop;
    case proto::FrameDecoder::Result::kFrame:
      break;
  }
  FrameVerdict verdict = protocol_->Decode(frame);
  // The frame's bytes are decoded (copied) now; a large frame's reservation either moves to the
  // produce request it carries or is returned.
  uint64_t charge = 0;
  if (!verdict.refuse && verdict.call.produce) {
    produces_ = true;
    charge = reserved_ > 0 ? reserved_ : frame.size();
    if (reserved_ == 0) services_.produce_memory.Charge(charge);
    reserved_ = 0;
  }
  ReleaseReservation();
  ShrinkDecoder();
  if (verdict.refuse) {
    Enqueue(std::move(verdict.frame), /*answers_request=*/false);
    BeginClose(Mode::kFailing, verdict.reason);
    return Step::kStop;
  }
  Admit(std::move(verdict.call), charge);
  return Step::kDispatched;
}

void Session::Admit(SessionCall call, uint64_t charged_bytes) {
  const uint64_t sequence = requests_++;
  ++unanswered_;
  ++running_;
  last_activity_ = Clock::now();
  SpawnLogged(stream_.get_executor(),
              Serve(shared_from_this(), std::move(call), charged_bytes, sequence), "request", id_);
}

asio::awaitable<void> Session::Serve(std::shared_ptr<Session> self, SessionCall call,
                                     uint64_t charged_bytes, uint64_t sequence) {
  RequestContext ctx{services_, connection_, stream_.get_executor()};
  std::string frame;
  try {
    frame = co_await call.run(ctx);
  } catch (...) {
    // Protocols answer their handlers' failures themselves; this one escaped. The request stays
    // unanswered, which an ordered protocol's client cannot survive: close.
    NetLog().error("conn={} event=error error=\"request failed without an answer\"", id_);
    BeginClose(Mode::kAborted, "internal error serving a request");
  }
  // The batch bytes are in the store (or dropped) by now: give the memory back to producers.
  if (charged_bytes > 0) services_.produce_memory.Release(charged_bytes);
  Deliver(sequence, std::move(frame), ctx.fetch_memory_held);
  --running_;
  MaybeFinish();
}

void Session::Deliver(uint64_t sequence, std::string frame, uint64_t fetch_memory) {
  if (!protocol_->ordered_responses()) {
    Enqueue(std::move(frame), /*answers_request=*/true, fetch_memory);
    return;
  }
  held_.emplace(sequence, Held{std::move(frame), fetch_memory});
  for (auto it = held_.begin(); it != held_.end() && it->first == next_delivery_;
       it = held_.begin()) {
    Held next = std::move(it->second);
    held_.erase(it);
    ++next_delivery_;
    Enqueue(std::move(next.frame), /*answers_request=*/true, next.fetch_memory);
  }
}

void Session::Fail(proto::ErrorCode code, std::string_view message) {
  Enqueue(protocol_->ErrorFrame(code, message), /*answers_request=*/false);
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

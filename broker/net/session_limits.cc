// The limits a Session enforces on its peer: in-flight requests, the produce memory budget, read
// sizes, and the handshake and idle timeouts (see session.h for the rules).
#include <absl/strings/str_cat.h>

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

#include "broker/metrics/broker_metrics.h"
#include "broker/net/session.h"
#include "broker/net/tls_context.h"

namespace choreo::broker {
namespace {

// Read size while no frame header is known: what an idle or trickling connection costs.
constexpr size_t kFirstRead = 4 * 1024;
// Frames with a larger body reserve their whole length in the budget before it is read; no
// larger frame is accepted before the handshake.
constexpr uint32_t kLargeFrame = 64 * 1024;

}  // namespace

bool Session::InFlightFull() const {
  return unanswered_ >= services_.options.max_in_flight ||
         queued_bytes_ >= services_.options.max_fetch_bytes;
}

Session::Pause Session::CheckBeforeRead() {
  MemoryBudget& budget = services_.produce_memory;
  if (reserved_ > 0) return Pause::kNone;  // finishing a frame already paid for
  if (decoder_.buffered() >= proto::kFrameHeaderBytes) {
    const uint32_t length = decoder_.NextFrameLength();
    if (length > kLargeFrame) {
      if (!protocol_->handshaken()) {
        // A handshake is a few dozen bytes: this is not a client, and it gets no memory.
        services_.metrics.LimitHit(Limit::kMaxFrameBytes);
        Fail(proto::MESSAGE_TOO_LARGE,
             absl::StrCat("frame of ", length, " bytes before the handshake"));
        return Pause::kNone;
      }
      if (!budget.TryReserve(length)) {
        services_.metrics.LimitHit(Limit::kPendingProduceBytes);
        return Pause::kReserve;
      }
      reserved_ = length;
      last_read_ = Clock::now();
      watchdog_.cancel();  // re-arm with the stall deadline
      return Pause::kNone;
    }
  }
  if (produces_ && budget.Exhausted()) {
    services_.metrics.LimitHit(Limit::kPendingProduceBytes);
    return Pause::kBudget;
  }
  return Pause::kNone;
}

asio::awaitable<void> Session::WaitForWake(Pause pause) {
  if (pause == Pause::kInFlight) services_.metrics.LimitHit(Limit::kMaxInFlight);
  if (pause == Pause::kBudget || pause == Pause::kReserve) {
    const uint64_t needed = pause == Pause::kReserve ? decoder_.NextFrameLength() : 1;
    // The budget may call this from any thread (or at once): hop to the strand, and do nothing
    // if the session is gone.
    budget_waiter_ = services_.produce_memory.Wait(
        needed, [weak = weak_from_this(), executor = stream_.get_executor()] {
          asio::post(executor, [weak] {
            if (auto self = weak.lock()) self->reader_wake_.cancel();
          });
        });
  }
  reader_wake_.expires_at(asio::steady_timer::time_point::max());
  asio::error_code ignored;
  co_await reader_wake_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (budget_waiter_ != 0) {
    services_.produce_memory.CancelWait(budget_waiter_);
    budget_waiter_ = 0;
  }
}

size_t Session::NextReadSize() const {
  const size_t buffered = decoder_.buffered();
  if (buffered < proto::kFrameHeaderBytes) return kFirstRead;
  const uint32_t length = decoder_.NextFrameLength();
  const size_t remaining = proto::kFrameHeaderBytes + length - buffered;
  // A large frame's buffer is exactly the (reserved) frame; a small one reads ahead a little, to
  // pick up the next pipelined frames in the same read.
  return length > kLargeFrame ? remaining : remaining + kFirstRead;
}

void Session::ShrinkDecoder() {
  if (decoder_.buffered() == 0 && decoder_grown_ > kLargeFrame) {
    decoder_ = proto::FrameDecoder(services_.options.max_frame_bytes);
    decoder_grown_ = 0;
  }
}

void Session::ReleaseReservation() {
  if (reserved_ == 0) return;
  services_.produce_memory.Release(reserved_);
  reserved_ = 0;
}

asio::awaitable<void> Session::Watchdog(std::shared_ptr<Session> self) {
  const auto handshake_timeout = absl::ToChronoNanoseconds(services_.options.handshake_timeout);
  const auto idle_timeout = absl::ToChronoNanoseconds(services_.options.idle_timeout);
  while (mode_ == Mode::kOpen) {
    const Clock::time_point now = Clock::now();
    Clock::time_point deadline;
    if (!protocol_->handshaken()) {
      deadline = opened_at_ + handshake_timeout;
      if (now >= deadline) {
        services_.metrics.LimitHit(Limit::kHandshakeTimeout);
        if (!tls_ready_) {
          // No TLS session to carry an error response: just close (TlsHandshake() finishes).
          const std::string reason =
              absl::StrCat("no TLS handshake within ",
                           absl::FormatDuration(services_.options.handshake_timeout));
          if (tls_failures_ != nullptr) tls_failures_->Record(tls_listener_, peer_, reason);
          BeginClose(Mode::kAborted, reason);
          break;
        }
        Fail(proto::TIMEOUT,
             absl::StrCat("no handshake within ",
                          absl::FormatDuration(services_.options.handshake_timeout)));
        break;
      }
    } else {
      // A request being handled (a long poll, a slow append) is not idleness. Answers waiting
      // for the peer to read them are: the writer's progress counts as activity, so a peer that
      // stops reading is closed after the idle timeout like one that stops writing.
      if (running_ > 0) last_activity_ = now;
      deadline = last_activity_ + idle_timeout;
      // Budget reserved for a large frame is memory other producers wait for: its body must keep
      // arriving, or the connection goes long before the idle timeout.
      if (reserved_ > 0) {
        const Clock::time_point stall_deadline = last_read_ + handshake_timeout;
        if (now >= stall_deadline) {
          services_.metrics.LimitHit(Limit::kIdleTimeout);
          BeginClose(Mode::kAborted,
                     absl::StrCat("stalled for ",
                                  absl::FormatDuration(services_.options.handshake_timeout),
                                  " in the middle of a ", reserved_, "-byte frame"));
          break;
        }
        deadline = std::min(deadline, stall_deadline);
      }
      if (now >= deadline) {
        services_.metrics.LimitHit(Limit::kIdleTimeout);
        const std::string idle = absl::FormatDuration(services_.options.idle_timeout);
        if (unanswered_ > 0) {
          // The writer is stuck in a write the peer never drains; only closing the socket ends it.
          BeginClose(Mode::kAborted, absl::StrCat("peer read no response for ", idle));
        } else {
          BeginClose(Mode::kDraining, absl::StrCat("idle for ", idle));
        }
        break;
      }
    }
    watchdog_.expires_at(deadline);
    asio::error_code ignored;
    co_await watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

}  // namespace choreo::broker

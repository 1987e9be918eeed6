// Session: one client connection, speaking the protocol of its SessionProtocol (choreo's own, or
// Kafka's on the --kafka-listen listener); everything below holds for both.
//
// A reader coroutine decodes frames (FrameDecoder over async_read_some) and dispatches each request
// as its own coroutine, so a long-polling fetch never holds up a produce on the same connection;
// a writer coroutine drains the response queue; a watchdog coroutine enforces the handshake and
// idle timeouts. Responses carry their request's correlation id and may go out of order.
//
// Protocol errors (oversized length, unparsable frame, no handshake first, unsupported major
// version) are answered with one error response and the connection is closed; the oversized body
// is never read or allocated.
//
// Limits, each counted in choreo_limit_hits_total when it triggers:
//   - max_in_flight: at that many unanswered requests, or when the queued responses reach
//     max_fetch_bytes, the reader stops reading until the writer has sent responses (TCP
//     back-pressure; also bounds the response queue);
//   - max_pending_produce_bytes (MemoryBudget): a produce request's bytes are charged until it is
//     answered; a frame larger than one read chunk reserves its whole length before its body is
//     read; while the budget is exhausted, a connection that has produced stops reading;
//   - handshake_timeout: no handshake that long after accept -> TIMEOUT error, closed;
//   - idle_timeout: nothing in flight and no complete request for that long -> closed; a peer
//     that stops reading its responses is closed after the same time without write progress;
//   - a large frame whose body stops arriving for handshake_timeout is closed (it holds budget
//     other producers wait for), counted as idle_timeout.
// Memory per connection outside the budget is one read chunk (a partial frame of at most
// kLargeFrame bytes plus read-ahead); an idle connection holds almost nothing.
//
// TLS: with a TLS stream, the TLS handshake comes first, under the same handshake_timeout as the
// protocol handshake (the watchdog runs from accept); a failed or timed-out TLS handshake closes
// the connection and is counted and logged through TlsHandshakeFailures. The rest of the session
// does not know whether it speaks TLS (ConnectionStream).
//
// Lifecycle: created by the Server, Start()ed once; ends when the reader, the writer and every
// request coroutine are done, then calls `on_closed` once (on the strand) and logs one line.
// Threading: all state lives on the session's strand; Stop()/Abort() may be called from any thread.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "broker/handlers/request_context.h"
#include "broker/net/connection_stream.h"
#include "broker/net/fetch_memory.h"
#include "broker/net/memory_budget.h"
#include "broker/net/session_protocol.h"
#include "broker/net/tls_context.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/proto/frame.h"

namespace choreo::broker {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using ClosedCallback = std::function<void(uint64_t connection_id)>;

  // `stream` must use a strand executor. `services` and `tls_failures` (null for a plain stream)
  // are borrowed and outlive the session; the session owns `protocol`. Failed TLS handshakes
  // count under `tls_listener`.
  Session(ConnectionStream stream, uint64_t id, BrokerServices& services,
          std::unique_ptr<SessionProtocol> protocol, TlsHandshakeFailures* tls_failures,
          TlsListener tls_listener, ClosedCallback on_closed);

  // Starts serving. Call once, from any thread.
  void Start();
  // Serves nothing: sends one error response (correlation id 0) and closes. Used to turn away a
  // connection over the broker's limit. Instead of Start().
  void Reject(proto::ErrorCode code, std::string message);
  // Graceful close: stop reading, answer in-flight requests (long polls answer early), close.
  void Stop();
  // Immediate close; unsent responses are dropped.
  void Abort();

 private:
  // kDraining: answer what is in flight, then close. kFailing: a protocol error was answered;
  // later responses are dropped. kAborted: socket closed, nothing more is sent.
  enum class Mode { kOpen, kDraining, kFailing, kAborted };
  enum class Step { kDispatched, kNeedMore, kStop };
  // Why the reader must not read right now.
  enum class Pause { kNone, kInFlight, kBudget, kReserve };
  using Clock = std::chrono::steady_clock;
  struct Outgoing {
    std::string frame;
    bool answers_request;      // counts against the in-flight limit until written
    Clock::time_point queued;  // for the response_write latency hop
    uint64_t fetch_memory;     // released to services_.fetch_memory once written or dropped
  };

  // Each coroutine holds `self` so the session outlives it.
  // Run: the TLS handshake if any, then the reader and the writer.
  asio::awaitable<void> Run(std::shared_ptr<Session> self);
  // Rejected: the TLS handshake if any, then the one error response.
  asio::awaitable<void> RunRejected(std::shared_ptr<Session> self, proto::ErrorCode code,
                                    std::string message);
  // The server side of the TLS handshake; false (and the session finished) if it failed.
  asio::awaitable<bool> TlsHandshake();
  // Answers a plaintext client on a TLS listener with a plaintext error, then closes.
  asio::awaitable<void> RefusePlaintext();
  // After the TLS handshake: true if it succeeded, else closes and finishes the session.
  bool FinishTlsHandshake(const asio::error_code& ec);
  asio::awaitable<void> ReadLoop(std::shared_ptr<Session> self);
  asio::awaitable<void> WriteLoop(std::shared_ptr<Session> self);
  asio::awaitable<void> Watchdog(std::shared_ptr<Session> self);
  asio::awaitable<void> Serve(std::shared_ptr<Session> self, SessionCall call,
                              uint64_t charged_bytes, uint64_t sequence);
  asio::awaitable<void> LingerAndClose();

  // Takes one buffered frame, if any, and dispatches it.
  Step NextFrame();
  void Admit(SessionCall call, uint64_t charged_bytes);
  // Queues the response of the request admitted `sequence`-th, at once or, when the protocol
  // orders responses, once every earlier one is queued.
  void Deliver(uint64_t sequence, std::string frame, uint64_t fetch_memory);
  // Too many unanswered requests, or too many response bytes queued (max_in_flight).
  bool InFlightFull() const;
  // Checks the produce memory budget before the next read (session_limits.cc). May reserve budget
  // for a large frame, or fail the connection (then mode_ is no longer kOpen).
  Pause CheckBeforeRead();
  // Parks the reader until woken (by the writer, the budget or a close).
  asio::awaitable<void> WaitForWake(Pause pause);
  // How many bytes to ask of the next read: small while no frame header is known, so that idle
  // and trickling connections hold little memory; then the rest of the frame.
  size_t NextReadSize() const;
  // Frees the decoder's buffer after a large frame has been consumed.
  void ShrinkDecoder();
  void ReleaseReservation();
  // Queues the protocol's error frame (if it has one) and closes after sending it.
  void Fail(proto::ErrorCode code, std::string_view message);
  // Queues a framed response (size prefix included); an empty one sends nothing. `fetch_memory` is
  // what the response holds of services_.fetch_memory; the session returns it once the response
  // is written or dropped.
  void Enqueue(std::string frame, bool answers_request, uint64_t fetch_memory = 0);
  void BeginClose(Mode mode, std::string_view reason);
  void CloseSocket();
  // Abortive close (RST): drops whatever the kernel still holds for a peer that is not reading,
  // instead of leaving an orphaned socket that trickles it out against a closed window.
  void ResetSocket();
  // Bytes sent but not yet acknowledged by the peer (SIOCOUTQ; 0 where unsupported).
  int UnacknowledgedBytes();
  bool WriterShouldExit() const;
  void MaybeFinish();

  ConnectionStream stream_;
  const uint64_t id_;
  std::string peer_;
  BrokerServices& services_;
  std::unique_ptr<SessionProtocol> protocol_;
  TlsHandshakeFailures* tls_failures_;
  const TlsListener tls_listener_;
  ClosedCallback on_closed_;
  ConnectionState connection_;
  proto::FrameDecoder decoder_;
  size_t decoder_grown_ = 0;  // largest buffer asked of the decoder since it was last shrunk

  Mode mode_ = Mode::kOpen;
  std::string close_reason_;
  bool tls_ready_ = false;    // the TLS handshake (if any) has completed
  bool peer_closed_ = false;  // read EOF: the peer sends nothing more
  bool reader_done_ = false;
  bool outbox_closed_ = false;  // the writer has stopped sending; new responses are dropped
  bool writer_done_ = false;
  bool finished_ = false;
  bool produces_ = false;      // has sent a produce request: paused while the budget is exhausted
  uint32_t unanswered_ = 0;    // admitted requests whose response is not yet written
  uint32_t running_ = 0;       // request coroutines not yet finished
  uint64_t requests_ = 0;      // requests admitted over the connection's life
  uint64_t queued_bytes_ = 0;  // response bytes queued or being written
  uint64_t reserved_ = 0;      // budget reserved for the large frame being read
  MemoryBudget::WaiterId budget_waiter_ = 0;  // non-zero while waiting for budget
  const Clock::time_point opened_at_ = Clock::now();
  Clock::time_point last_activity_ = opened_at_;  // last complete request or written response
  Clock::time_point last_read_ = opened_at_;      // last bytes of a reserved (large) frame

  // Ordered protocols: responses that completed before an earlier request's, by admission number.
  struct Held {
    std::string frame;
    uint64_t fetch_memory;
  };
  std::map<uint64_t, Held> held_;
  uint64_t next_delivery_ = 0;  // admission number of the next response to queue (ordered only)

  std::deque<Outgoing> outbox_;
  asio::steady_timer writer_wake_;  // cancelled to wake the writer
  asio::steady_timer reader_wake_;  // cancelled to wake a paused reader
  asio::steady_timer watchdog_;     // handshake and idle deadlines
  asio::cancellation_signal read_cancel_;
};

}  // namespace choreo::broker

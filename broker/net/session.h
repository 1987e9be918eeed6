// Session: one client connection.
//
// A reader coroutine decodes frames (FrameDecoder over async_read_some) and dispatches each request
// as its own coroutine, so a long-polling fetch never holds up a produce on the same connection;
// a writer coroutine drains the response queue. Responses carry their request's correlation id
// and may go out of order.
//
// Protocol errors (oversized length, unparsable frame, no handshake first, unsupported major
// version) are answered with one error response and the connection is closed; the oversized body
// is never read or allocated. At most `max_in_flight` requests may be unanswered: at the limit the
// reader stops reading until the writer has sent responses, which also bounds the queue.
//
// Lifecycle: created by the Server, Start()ed once; ends when the reader, the writer and every
// request coroutine are done, then calls `on_closed` once (on the strand) and logs one line.
// Threading: all state lives on the session's strand; Stop()/Abort() may be called from any thread.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "broker/handlers/request_context.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/proto/frame.h"

namespace choreo::broker {

class Session : public std::enable_shared_from_this<Session> {
 public:
  using ClosedCallback = std::function<void(uint64_t connection_id)>;

  // `socket` must use a strand executor. `services` is borrowed and outlives the session.
  Session(asio::ip::tcp::socket socket, uint64_t id, BrokerServices& services,
          ClosedCallback on_closed);

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
  struct Outgoing {
    std::string frame;
    bool answers_request;  // counts against the in-flight limit until written
  };

  // Each coroutine holds `self` so the session outlives it.
  asio::awaitable<void> ReadLoop(std::shared_ptr<Session> self);
  asio::awaitable<void> WriteLoop(std::shared_ptr<Session> self);
  asio::awaitable<void> Serve(std::shared_ptr<Session> self, proto::Request request);
  asio::awaitable<void> LingerAndClose();

  // Takes one buffered frame, if any, and dispatches it.
  Step NextFrame();
  bool Admit(proto::Request& request);
  // Queues an error response and closes after sending it.
  void Fail(uint64_t correlation_id, proto::ErrorCode code, std::string_view message);
  void Enqueue(const proto::Response& response, bool answers_request);
  void BeginClose(Mode mode, std::string_view reason);
  void CloseSocket();
  bool WriterShouldExit() const;
  void MaybeFinish();

  asio::ip::tcp::socket socket_;
  const uint64_t id_;
  std::string peer_;
  BrokerServices& services_;
  ClosedCallback on_closed_;
  ConnectionState connection_;
  proto::FrameDecoder decoder_;

  Mode mode_ = Mode::kOpen;
  std::string close_reason_;
  bool handshaken_ = false;
  bool peer_closed_ = false;  // read EOF: the peer sends nothing more
  bool reader_done_ = false;
  bool outbox_closed_ = false;  // the writer has stopped sending; new responses are dropped
  bool writer_done_ = false;
  bool finished_ = false;
  uint32_t unanswered_ = 0;  // admitted requests whose response is not yet written
  uint32_t running_ = 0;     // request coroutines not yet finished
  uint64_t requests_ = 0;    // requests admitted over the connection's life

  std::deque<Outgoing> outbox_;
  asio::steady_timer writer_wake_;  // cancelled to wake the writer
  asio::steady_timer reader_wake_;  // cancelled to wake a reader paused at the in-flight limit
  asio::cancellation_signal read_cancel_;
};

}  // namespace choreo::broker

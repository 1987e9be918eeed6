// AsioConnection: the Asio implementation of Connection. Private to the client library; only
// asio_connection.cc (the request path) and asio_connect.cc (connect and handshake) include it, so
// Asio is compiled in those two files alone.
#pragma once

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>  // std::once_flag
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/proto/frame.h"
#include "client/broker_address.h"
#include "client/client_stream.h"
#include "client/connection.h"

namespace choreo::client_internal {

// Threading: every member below "I/O thread only" is touched solely by the I/O thread, which runs
// the reader and writer coroutines, the per-request timers and the posted Enqueue() calls. Callers'
// threads only assign correlation ids, encode frames and post; `mu_` guards the one piece of state
// both sides read: whether new requests are still accepted.
class AsioConnection final : public Connection {
 public:
  using Clock = std::chrono::steady_clock;
  using milliseconds = std::chrono::milliseconds;

  // Starts the I/O thread; Connect() and Handshake() follow (see Connection::Open). With `tls`
  // (null: plain TCP) the connection speaks TLS with that context.
  AsioConnection(const ClientOptions& options, std::shared_ptr<asio::ssl::context> tls);
  ~AsioConnection() override;

  // Resolves and connects by `deadline` (with TLS, handshakes and verifies the broker's
  // certificate), then starts the reader and writer. Errors: kConnectionFailed, kTimeout,
  // kTlsError.
  Status Connect(const BrokerAddress& address, Clock::time_point deadline);
  // Sends the handshake and records the broker's limits. Errors: as Connection::Open.
  Status Handshake(Clock::time_point deadline);

  using Connection::Send;
  void Send(proto::Request request, milliseconds timeout, ResponseCallback callback) override;
  void Close() override;
  bool IsOpen() const override {
    MutexLock lock(&mu_);
    return closed_status_.ok();
  }
  const BrokerInfo& broker() const override { return broker_; }

 private:
  struct Pending {
    ResponseCallback callback;  // empty once the caller was told about a timeout
    std::unique_ptr<asio::steady_timer> timer;
    milliseconds timeout{0};
    bool written = false;  // handed to the writer; counts against max_in_flight
  };
  struct Outgoing {
    uint64_t id = 0;
    std::string frame;
  };

  void RunIo();
  asio::awaitable<Status> ConnectAsync(BrokerAddress address, Clock::time_point deadline);
  // The TLS handshake after the TCP connect; sets up host name verification and SNI first.
  asio::awaitable<Status> TlsHandshake(const BrokerAddress& address);
  // The status for a lost connection: kTlsError for TLS failures (say, the broker rejected this
  // client's certificate after the handshake, as TLS 1.3 does), else kConnectionFailed.
  Status LostConnection(const asio::error_code& ec) const;
  asio::awaitable<void> ReadLoop();
  asio::awaitable<void> WriteLoop();
  void OnLoopExit(std::exception_ptr error);
  void Enqueue(uint64_t id, std::string frame, milliseconds timeout, ResponseCallback callback);
  void PumpWaiting();
  void OnFrame(std::string_view frame);
  void OnTimeout(uint64_t id);
  void Shutdown(const Status& status);

  const ClientOptions options_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  ClientStream socket_;
  asio::steady_timer writer_wake_;
  std::thread thread_;
  std::once_flag close_once_;
  std::atomic<uint64_t> next_id_{1};  // 0 is never used: the broker uses it for unsolicited errors
  // Set before the connection is handed out, read-only afterwards.
  uint64_t send_limit_;
  BrokerInfo broker_;

  mutable Mutex mu_;
  Status closed_status_ CHOREO_GUARDED_BY(mu_);  // not OK once no new request is accepted

  // I/O thread only.
  proto::FrameDecoder decoder_;
  std::unordered_map<uint64_t, Pending> pending_;
  std::deque<Outgoing> waiting_;  // accepted but held back by max_in_flight
  // Frames the writer has yet to write, in order; written with one gather write (frames are not
  // copied into one buffer: a produce frame holds a whole batch).
  std::vector<std::string> outbox_;
  uint32_t max_in_flight_ = 0;  // 0: no limit
  uint32_t in_flight_ = 0;
  bool shut_ = false;
  Status shut_status_;
};

}  // namespace choreo::client_internal

#include "tests/client/fake_broker.h"

#include <asio.hpp>
#include <mutex>
#include <thread>

#include "choreo/proto/frame.h"

namespace choreo::testing {

class FakeBroker::Impl {
 public:
  explicit Impl(Handler handler)
      : handler_(std::move(handler)),
        acceptor_(io_, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    handshake_ = DefaultHandshake();
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    asio::post(io_, [this] { io_.stop(); });
    thread_.join();
  }

  class Session final : public FakeSession {
   public:
    explicit Session(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {
      // As the real broker does (broker/net/session.cc): without it, a small reply written while
      // the previous one is unacknowledged waits for the client's delayed ACK (Nagle), ~20-40 ms.
      asio::error_code ec;
      socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    }
    void Reply(const proto::Response& response) override {
      std::string frame;
      proto::AppendFrame(response, &frame);
      SendRaw(frame);
    }
    void SendRaw(std::string_view bytes) override {
      asio::error_code ec;
      asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
    }
    void Close() override {
      asio::error_code ec;
      socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
      socket_.close(ec);
    }
    asio::ip::tcp::socket socket_;
  };

  asio::awaitable<void> Accept() {
    for (;;) {
      asio::error_code ec;
      asio::ip::tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io_, Serve(std::make_shared<Session>(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> Serve(std::shared_ptr<Session> session) {
    proto::FrameDecoder decoder(64 << 20);
    asio::error_code ec;
    while (session->socket_.is_open()) {
      char* buffer = decoder.PrepareWrite(4096);
      const size_t n = co_await session->socket_.async_read_some(
          asio::buffer(buffer, 4096), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      decoder.Commit(n);
      std::string_view frame;
      while (decoder.Next(&frame) == proto::FrameDecoder::Result::kFrame) {
        proto::Request request;
        if (!request.ParseFromArray(frame.data(), static_cast<int>(frame.size()))) co_return;
        if (request.has_handshake()) {
          std::unique_lock<std::mutex> lock(mu_);
          if (answer_handshake_) {
            proto::Response response = ResponseTo(request);
            *response.mutable_handshake() = handshake_;
            lock.unlock();
            session->Reply(response);
          }
        } else {
          handler_(request, *session);
        }
        if (!session->socket_.is_open()) co_return;
      }
    }
  }

  Handler handler_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  proto::HandshakeResponse handshake_;  // guarded by mu_
  bool answer_handshake_ = true;        // guarded by mu_
};

FakeBroker::FakeBroker(Handler handler) : impl_(std::make_unique<Impl>(std::move(handler))) {}
FakeBroker::~FakeBroker() = default;

std::string FakeBroker::address() const {
  return "127.0.0.1:" + std::to_string(impl_->acceptor_.local_endpoint().port());
}

void FakeBroker::SetHandshake(const proto::HandshakeResponse& response, bool answer_handshake) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  impl_->handshake_ = response;
  impl_->answer_handshake_ = answer_handshake;
}

proto::HandshakeResponse FakeBroker::DefaultHandshake() {
  proto::HandshakeResponse handshake;
  handshake.set_protocol_major(1);
  handshake.set_protocol_minor(0);
  handshake.set_broker_version("fake");
  handshake.set_max_frame_bytes(1 << 20);
  handshake.set_max_batch_bytes(1 << 20);
  return handshake;
}

proto::Response FakeBroker::ResponseTo(const proto::Request& request) {
  proto::Response response;
  response.set_correlation_id(request.correlation_id());
  return response;
}

}  // namespace choreo::testing

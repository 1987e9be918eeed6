#include "tests/broker/test_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <asio/connect.hpp>
#include <asio/write.hpp>

#include <cerrno>

#include "choreo/common/big_endian.h"
#include "choreo/proto/frame.h"

namespace choreo::broker::testing {

TestClient::TestClient(uint16_t port) : socket_(io_) {
  socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  socket_.set_option(asio::ip::tcp::no_delay(true));
}

void TestClient::SendRaw(std::string_view bytes) {
  asio::error_code ec;  // the broker may already have closed; tests check responses instead
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
}

uint64_t TestClient::Send(proto::Request request) {
  if (request.correlation_id() == 0) request.set_correlation_id(next_correlation_id_++);
  std::string frame;
  proto::AppendFrame(request, &frame);
  SendRaw(frame);
  return request.correlation_id();
}

TestClient::ReadResult TestClient::ReadExact(char* out, size_t n,
                                             std::chrono::steady_clock::time_point deadline) {
  // Raw poll/recv: asio's blocking reads have no timeout.
  const int fd = socket_.native_handle();
  size_t done = 0;
  while (done < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ReadResult::kTimeout;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return ready == 0 ? ReadResult::kTimeout : ReadResult::kClosed;
    const ssize_t got = ::recv(fd, out + done, n - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return ReadResult::kClosed;
    done += static_cast<size_t>(got);
  }
  return ReadResult::kOk;
}

std::optional<proto::Response> TestClient::Receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char header[proto::kFrameHeaderBytes];
  if (ReadExact(header, sizeof(header), deadline) != ReadResult::kOk) return std::nullopt;
  std::string body(GetBigEndian32(header), '\0');
  if (ReadExact(body.data(), body.size(), deadline) != ReadResult::kOk) return std::nullopt;
  proto::Response response;
  if (!response.ParseFromString(body)) return std::nullopt;
  return response;
}

std::optional<proto::Response> TestClient::Call(proto::Request request) {
  Send(std::move(request));
  return Receive();
}

bool TestClient::Handshake() {
  proto::Request request;
  request.mutable_handshake()->set_protocol_major(1);
  request.mutable_handshake()->set_client_id("broker_test");
  std::optional<proto::Response> response = Call(std::move(request));
  return response && response->has_handshake() && response->error().code() == proto::NONE;
}

bool TestClient::WaitForClose(std::chrono::milliseconds timeout) {
  char byte;
  return ReadExact(&byte, 1, std::chrono::steady_clock::now() + timeout) == ReadResult::kClosed;
}

void TestClient::ShutdownSend() {
  asio::error_code ignored;
  socket_.shutdown(asio::socket_base::shutdown_send, ignored);
}

void TestClient::Close() {
  asio::error_code ignored;
  socket_.close(ignored);
}

}  // namespace choreo::broker::testing

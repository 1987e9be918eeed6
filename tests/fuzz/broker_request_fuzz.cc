// Fuzz target: request decoding and dispatch in a real broker, fed the bytes of one connection.
//
// One broker (storage on a temporary directory, fsync never, topics auto-created, small limits)
// serves the whole run on 127.0.0.1. Each input is the byte stream of one client connection: the
// target connects, sends the bytes (after a valid handshake frame when byte 0 is odd, so that
// mutations reach the request handlers), half-closes, and reads until the broker closes. Checked:
// the broker closes the connection within a deadline (no hang; a half-closed client is answered
// and closed), every byte it sends is a well-formed Response frame, and no response is the
// "internal broker error" a handler exception turns into. ASan/UBSan watch the broker's threads.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <spdlog/spdlog.h>

#include "choreo/broker/broker.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/proto/frame.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// Long enough for the slowest legitimate request of a fuzz input (creating thousands of
// partitions on a loaded machine), short enough that a hang is reported within the run.
constexpr auto kCloseDeadline = std::chrono::seconds(25);

choreo::broker::Broker* TheBroker() {
  static choreo::broker::Broker* broker = [] {
    // A line per connection opened and closed would drown the fuzzer's own output; warnings and
    // errors (storage failures, handler exceptions) still show.
    spdlog::set_level(spdlog::level::warn);
    char dir_template[] = "/tmp/choreo-fuzz-broker-XXXXXX";
    const char* dir = mkdtemp(dir_template);
    FUZZ_CHECK(dir != nullptr);
    choreo::broker::BrokerOptions options;
    options.listen = "127.0.0.1:0";
    options.http_listen = "";
    options.store.data_dir = dir;
    options.store.fsync = choreo::storage::FsyncPolicy::kNever;
    options.store.write_buffer_bytes = 4u << 20;
    options.store.block_cache_bytes = 8u << 20;
    options.io_threads = 1;
    options.storage_threads = 2;
    options.max_frame_bytes = 1u << 20;
    options.max_batch_bytes = 256u << 10;
    options.max_fetch_bytes = 256u << 10;
    options.max_fetch_wait = absl::Seconds(1);
    options.auto_create_topics = true;
    options.retention_check_interval = absl::ZeroDuration();
    auto started = choreo::broker::Broker::Start(std::move(options));
    if (!started.ok()) {
      std::fprintf(stderr, "broker did not start: %s\n", started.status().ToString().c_str());
      std::abort();
    }
    // Lives until the process exits: libFuzzer ends by exit(), and a broker shut down then would
    // only slow the exit.
    return started->release();
  }();
  return broker;
}

std::string HandshakeFrame() {
  choreo::proto::Request request;
  request.set_correlation_id(1);
  request.mutable_handshake()->set_protocol_major(1);
  request.mutable_handshake()->set_client_id("fuzz");
  std::string frame;
  choreo::proto::AppendFrame(request, &frame);
  return frame;
}

// Every input is a new connection, closed by the broker: each leaves a TIME_WAIT entry holding
// its client port for a minute, so on a machine busy with other tests a connect may find no port
// free (EADDRNOTAVAIL) for a moment. That is the machine, not the broker: retried for a while,
// then a failure that names the error.
int Connect(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(fd >= 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    const int error = errno;
    close(fd);
    const bool transient = error == EADDRNOTAVAIL || error == EAGAIN || error == EINTR;
    if (!transient || std::chrono::steady_clock::now() >= deadline) {
      std::fprintf(stderr, "connect to the broker failed: %s\n", std::strerror(error));
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a port frees up
  }
}

// Sends `out` and reads until the broker closes, both at once (so neither side can block the
// other on full socket buffers). Returns what the broker sent; aborts past the deadline.
std::string Exchange(int fd, std::string_view out) {
  const auto deadline = std::chrono::steady_clock::now() + kCloseDeadline;
  std::string in;
  size_t sent = 0;
  bool write_closed = false;
  while (true) {
    if (sent == out.size() && !write_closed) {
      shutdown(fd, SHUT_WR);
      write_closed = true;
    }
    pollfd p{fd, static_cast<short>(POLLIN | (write_closed ? 0 : POLLOUT)), 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      std::fprintf(stderr, "broker did not close the connection within %lld s\n",
                   static_cast<long long>(kCloseDeadline.count()));
      std::abort();
    }
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    if ((p.revents & POLLOUT) != 0 && !write_closed) {
      const ssize_t n = send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else {
        sent = out.size();  // the broker closed its side (a protocol error): stop sending
      }
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      char buffer[65536];
      const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) return in;  // closed (or reset after a protocol error)
      in.append(buffer, static_cast<size_t>(n));
    }
  }
}

void CheckResponses(std::string_view received) {
  choreo::proto::FrameDecoder decoder(UINT32_MAX);
  decoder.Feed(received);
  std::string_view frame;
  while (decoder.Next(&frame) == choreo::proto::FrameDecoder::Result::kFrame) {
    choreo::proto::Response response;
    FUZZ_CHECK(response.ParseFromArray(frame.data(), static_cast<int>(frame.size())));
    const bool internal_error = response.error().code() == choreo::proto::UNKNOWN &&
                                response.error().message() == "internal broker error";
    if (internal_error)
      std::fprintf(stderr, "a handler threw: %s\n", response.DebugString().c_str());
    FUZZ_CHECK(!internal_error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  choreo::broker::Broker* broker = TheBroker();
  std::string stream;
  if ((data[0] & 1) != 0) stream = HandshakeFrame();
  stream.append(reinterpret_cast<const char*>(data) + 1, size - 1);

  const int fd = Connect(broker->port());
  const std::string received = Exchange(fd, stream);
  // Closed with a reset: tens of thousands of connections a run must not use up the ephemeral
  // ports in TIME_WAIT.
  const linger reset{.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  close(fd);
  CheckResponses(received);
  return 0;
}

#include "tests/e2e/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace choreo::e2e {
namespace {

bool ReadFully(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteFully(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

int ConnectLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

}  // namespace

// One proxied connection: a pump per direction. Either pump ending closes both sockets, so the
// other pump ends too; the sockets are closed (released) only when the Link is destroyed, after
// both threads have been joined, so a descriptor number is never reused under a running pump.
class FaultProxy::Link {
 public:
  Link(FaultProxy& proxy, int client, int upstream)
      : proxy_(proxy), client_(client), upstream_(upstream) {
    up_ = std::thread([this] { Pump(client_, upstream_, /*response=*/false); });
    down_ = std::thread([this] { Pump(upstream_, client_, /*response=*/true); });
  }
  ~Link() {
    Shutdown();
    up_.join();
    down_.join();
    ::close(client_);
    ::close(upstream_);
  }
  void Shutdown() {
    ::shutdown(client_, SHUT_RDWR);
    ::shutdown(upstream_, SHUT_RDWR);
  }
  bool done() const { return finished_ == 2; }

 private:
  void Pump(int from, int to, bool response) {
    std::string frame;
    for (;;) {
      char header[4];
      if (!ReadFully(from, header, sizeof(header))) break;
      const uint32_t length = (uint32_t(uint8_t(header[0])) << 24) |
                              (uint32_t(uint8_t(header[1])) << 16) |
                              (uint32_t(uint8_t(header[2])) << 8) | uint32_t(uint8_t(header[3]));
      frame.assign(header, sizeof(header));
      frame.resize(sizeof(header) + length);
      if (!ReadFully(from, frame.data() + sizeof(header), length)) break;
      std::chrono::milliseconds delay{0};
      const Verdict verdict = proxy_.Decide(response, &delay);
      if (verdict == Verdict::kDrop) break;
      if (verdict == Verdict::kDiscard) continue;
      if (verdict == Verdict::kDelay) std::this_thread::sleep_for(delay);  // the injected fault
      if (!WriteFully(to, frame.data(), frame.size())) break;
    }
    Shutdown();
    ++finished_;
  }

  FaultProxy& proxy_;
  const int client_;
  const int upstream_;
  std::atomic<int> finished_{0};
  std::thread up_;
  std::thread down_;
};

FaultProxy::FaultProxy(uint16_t upstream_port, uint64_t seed)
    : upstream_port_(upstream_port), random_(seed) {}

FaultProxy::~FaultProxy() {
  Stop();
}

::testing::AssertionResult FaultProxy::Start() {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) return ::testing::AssertionFailure() << "socket: " << std::strerror(errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(listener_, 64) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    return ::testing::AssertionFailure() << "listen: " << std::strerror(errno);
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
  return ::testing::AssertionSuccess();
}

void FaultProxy::Stop() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  if (listener_ >= 0) ::close(listener_);
  std::vector<std::unique_ptr<Link>> links;
  {
    std::lock_guard<std::mutex> lock(mu_);
    links.swap(links_);
  }
  links.clear();  // each Link shuts down and joins its pumps
}

void FaultProxy::AcceptLoop() {
  while (!stopping_) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 50) <= 0) continue;  // a short poll, to notice Stop()
    const int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    const int upstream = ConnectLoopback(upstream_port_);
    if (upstream < 0) {  // the broker is down: the client sees its connection closed
      ::close(client);
      continue;
    }
    const int one = 1;
    ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::vector<std::unique_ptr<Link>> finished;
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.connections;
    for (auto it = links_.begin(); it != links_.end();) {
      if ((*it)->done()) {
        finished.push_back(std::move(*it));
        it = links_.erase(it);
      } else {
        ++it;
      }
    }
    links_.push_back(std::make_unique<Link>(*this, client, upstream));
  }
}

FaultProxy::Verdict FaultProxy::Decide(bool response, std::chrono::milliseconds* delay) {
  std::lock_guard<std::mutex> lock(mu_);
  std::uniform_real_distribution<double> chance(0.0, 1.0);
  if (!response) {
    if (chance(random_) < faults_.drop_request) {
      ++stats_.dropped_requests;
      return Verdict::kDrop;
    }
    return Verdict::kForward;
  }
  if (chance(random_) < faults_.drop_response) {
    ++stats_.dropped_responses;
    return Verdict::kDrop;
  }
  if (chance(random_) < faults_.discard_response) {
    ++stats_.discarded_responses;
    return Verdict::kDiscard;
  }
  if (chance(random_) < faults_.delay_response) {
    ++stats_.delayed_responses;
    *delay = std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(
        1, std::max<int64_t>(1, faults_.max_delay.count()))(random_));
    return Verdict::kDelay;
  }
  return Verdict::kForward;
}

void FaultProxy::SetFaults(const Faults& faults) {
  std::lock_guard<std::mutex> lock(mu_);
  faults_ = faults;
}

void FaultProxy::SetUpstreamPort(uint16_t port) {
  upstream_port_ = port;
}

std::string FaultProxy::address() const {
  return "127.0.0.1:" + std::to_string(port_);
}

FaultProxy::Stats FaultProxy::stats() {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

}  // namespace choreo::e2e

#include "tests/broker/raw_connection.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace choreo::broker::testing {

RawConnection::RawConnection(uint16_t port, int receive_buffer) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  if (receive_buffer > 0)
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

void RawConnection::SendAll(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

size_t RawConnection::TrySend(std::string_view bytes) {
  if (fd_ < 0 || bytes.empty()) return 0;
  const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

bool RawConnection::WaitForClose(std::chrono::milliseconds timeout) {
  return ReadUntilClose(nullptr, timeout);
}

bool RawConnection::ReadUntilClose(std::string* out, std::chrono::milliseconds timeout) {
  if (fd_ < 0) return true;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char scratch[4096];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const ssize_t n = ::recv(fd_, scratch, sizeof(scratch), MSG_DONTWAIT);
    if (n > 0 && out != nullptr) out->append(scratch, static_cast<size_t>(n));
    if (n == 0) return true;                                      // EOF
    if (n < 0 && errno != EAGAIN && errno != EINTR) return true;  // reset
  }
}

bool RawConnection::WaitAnyWritable(const std::vector<RawConnection*>& connections,
                                    std::chrono::milliseconds timeout) {
  std::vector<pollfd> fds;
  for (const RawConnection* c : connections)
    if (c->fd_ >= 0) fds.push_back(pollfd{c->fd_, POLLOUT, 0});
  if (fds.empty()) return false;
  const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  if (ready <= 0) return false;
  for (const pollfd& p : fds)
    if (p.revents & POLLOUT) return true;
  return false;  // only errors/hang-ups: nothing more will be taken
}

HttpReply HttpGet(uint16_t port, std::string_view path) {
  RawConnection connection(port);
  if (!connection.connected()) return {};
  connection.SendAll("GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n\r\n");
  std::string response;
  if (!connection.ReadUntilClose(&response, std::chrono::seconds(10))) return {};
  const size_t head_end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return {};
  HttpReply reply;
  reply.status = std::atoi(response.substr(9, 3).c_str());
  reply.body = response.substr(head_end + 4);
  return reply;
}

}  // namespace choreo::broker::testing

// choreod's readiness notifications (broker/systemd_notify.h), received the way systemd receives
// them: on a Unix datagram socket named by NOTIFY_SOCKET, as a path or in the abstract namespace.
#include "broker/systemd_notify.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <string>

namespace choreo::broker {
namespace {

// A bound datagram socket standing in for the service manager. `address` is a path, or starts
// with '@' for the abstract namespace (as in NOTIFY_SOCKET).
class FakeServiceManager {
 public:
  explicit FakeServiceManager(const std::string& address) : address_(address) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    EXPECT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, address.data(), address.size());
    if (address[0] == '@') addr.sun_path[0] = '\0';
    const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len), 0)
        << std::strerror(errno);
    // A bounded wait, so that a missing notification fails the test instead of hanging it.
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~FakeServiceManager() {
    ::close(fd_);
    if (address_[0] == '/') ::unlink(address_.c_str());
  }

  // The next datagram, or "" after 5 s without one.
  std::string Receive() {
    char buffer[4096];
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n < 0 ? std::string() : std::string(buffer, static_cast<size_t>(n));
  }

 private:
  std::string address_;
  int fd_ = -1;
};

std::string UniqueName(const std::string& what) {
  return "choreo-notify-" + what + "-" + std::to_string(::getpid());
}

TEST(SystemdNotifyTest, SendsTheStateToAPathSocket) {
  const std::string path = (std::filesystem::temp_directory_path() / UniqueName("path")).string();
  FakeServiceManager manager(path);
  ASSERT_TRUE(NotifySocket(path, "READY=1\nSTATUS=serving on port 7420").ok());
  EXPECT_EQ(manager.Receive(), "READY=1\nSTATUS=serving on port 7420");
}

TEST(SystemdNotifyTest, SendsTheStateToAnAbstractSocket) {
  const std::string address = "@" + UniqueName("abstract");
  FakeServiceManager manager(address);
  ASSERT_TRUE(NotifySocket(address, "STOPPING=1").ok());
  EXPECT_EQ(manager.Receive(), "STOPPING=1");
}

TEST(SystemdNotifyTest, ReadsTheSocketFromNotifySocket) {
  const std::string address = "@" + UniqueName("env");
  FakeServiceManager manager(address);
  ASSERT_EQ(::setenv("NOTIFY_SOCKET", address.c_str(), 1), 0);
  const absl::Status sent = SystemdNotify("READY=1");
  ::unsetenv("NOTIFY_SOCKET");
  ASSERT_TRUE(sent.ok()) << sent;
  EXPECT_EQ(manager.Receive(), "READY=1");
}

TEST(SystemdNotifyTest, DoesNothingOutsideSystemd) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_TRUE(SystemdNotify("READY=1").ok());
  ASSERT_EQ(::setenv("NOTIFY_SOCKET", "", 1), 0);
  EXPECT_TRUE(SystemdNotify("READY=1").ok());
  ::unsetenv("NOTIFY_SOCKET");
}

TEST(SystemdNotifyTest, RejectsBadAddresses) {
  EXPECT_EQ(NotifySocket("relative/path", "READY=1").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NotifySocket("vsock:2:1234", "READY=1").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NotifySocket("/" + std::string(200, 'x'), "READY=1").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SystemdNotifyTest, ReportsAMissingSocket) {
  const std::string path =
      (std::filesystem::temp_directory_path() / UniqueName("missing")).string();
  EXPECT_EQ(NotifySocket(path, "READY=1").code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace choreo::broker

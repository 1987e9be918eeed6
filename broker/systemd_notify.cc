#include "broker/systemd_notify.h"

#include <absl/strings/str_cat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace choreo::broker {

absl::Status SystemdNotify(absl::string_view state) {
  const char* address = std::getenv("NOTIFY_SOCKET");
  if (address == nullptr || *address == '\0') return absl::OkStatus();
  return NotifySocket(address, state);
}

absl::Status NotifySocket(absl::string_view socket_address, absl::string_view state) {
  if (socket_address.empty() || (socket_address[0] != '/' && socket_address[0] != '@'))
    return absl::InvalidArgumentError(
        absl::StrCat("NOTIFY_SOCKET '", socket_address, "' is neither a path nor @abstract"));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // A path is NUL-terminated inside sun_path; an abstract name is not, and its length is all the
  // kernel has, so the address length below counts exactly its bytes.
  const bool abstract = socket_address[0] == '@';
  if (socket_address.size() + (abstract ? 0 : 1) > sizeof(addr.sun_path))
    return absl::InvalidArgumentError(
        absl::StrCat("NOTIFY_SOCKET '", socket_address, "' is too long"));
  std::memcpy(addr.sun_path, socket_address.data(), socket_address.size());
  if (abstract) addr.sun_path[0] = '\0';
  const socklen_t addr_len =
      static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_address.size());

  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return absl::UnavailableError(
        absl::StrCat("cannot create a notify socket: ", std::strerror(errno)));
  const ssize_t sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                                reinterpret_cast<const sockaddr*>(&addr), addr_len);
  const int error = errno;
  ::close(fd);
  if (sent < 0)
    return absl::UnavailableError(
        absl::StrCat("cannot notify ", socket_address, ": ", std::strerror(error)));
  if (static_cast<size_t>(sent) != state.size())
    return absl::UnavailableError(absl::StrCat("short notification to ", socket_address));
  return absl::OkStatus();
}

}  // namespace choreo::broker

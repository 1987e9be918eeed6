#include "broker/port_file.h"

#include <absl/strings/str_cat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace choreo::broker {

absl::Status WritePortFile(const std::string& path, uint16_t port) {
  const std::string temp = absl::StrCat(path, ".tmp.", ::getpid());
  const std::string contents = absl::StrCat(port, "\n");
  std::FILE* file = std::fopen(temp.c_str(), "w");
  if (file == nullptr)
    return absl::InternalError(absl::StrCat("cannot create ", temp, ": ", std::strerror(errno)));
  const bool written = std::fwrite(contents.data(), 1, contents.size(), file) == contents.size();
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    const int error = errno;
    std::remove(temp.c_str());
    return absl::InternalError(absl::StrCat("cannot write ", temp, ": ", std::strerror(error)));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    std::remove(temp.c_str());
    return absl::InternalError(
        absl::StrCat("cannot rename ", temp, " to ", path, ": ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace choreo::broker

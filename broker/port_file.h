// The --port-file of choreod: lets a supervisor or test that started the broker on port 0 learn
// the port it got.
#pragma once

#include <absl/status/status.h>

#include <cstdint>
#include <string>

namespace choreo::broker {

// Writes "PORT\n" to `path` atomically: into a temporary file next to it, then rename(), so a
// reader polling for the file never sees it partially written. Errors: Internal with errno text.
absl::Status WritePortFile(const std::string& path, uint16_t port);

}  // namespace choreo::broker

#include "client/record_codec.h"

#include <chrono>

namespace choreo::client_internal {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace choreo::client_internal

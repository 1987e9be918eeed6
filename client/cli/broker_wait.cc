#include "client/cli/broker_wait.h"

#include <algorithm>
#include <string>
#include <thread>

#include "client/connection.h"
#include "client/producer/retry_policy.h"

namespace choreo::cli {

Status WaitForBroker(const ClientOptions& options, std::chrono::milliseconds wait,
                     std::ostream& progress) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + wait;
  uint32_t failures = 0;
  for (;;) {
    ClientOptions attempt = options;
    const auto remaining = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (wait.count() > 0) {
      attempt.connect_timeout =
          std::clamp(remaining, std::chrono::milliseconds(1), options.connect_timeout);
    }
    Result<std::unique_ptr<client_internal::Connection>> connection =
        client_internal::Connection::Open(attempt);
    if (connection.ok()) return OkStatus();
    const Status& error = connection.status();
    if (!client_internal::IsUnreachable(error)) return error;
    if (Clock::now() >= deadline) {
      std::string message = error.message();
      if (message.find(options.broker) == std::string::npos) {
        message = options.broker + ": " + message;
      }
      message += "; is choreod running? ";
      message += wait.count() > 0
                     ? "(waited " + std::to_string(wait.count()) + " ms)"
                     : "(--broker HOST:PORT names the broker; --wait[=DURATION] waits for it)";
      return Status(error.code(), std::move(message));
    }
    if (++failures == 1) {
      progress << "waiting up to " << wait.count() << " ms for the broker at " << options.broker
               << " (" << error.message() << ")" << std::endl;
    }
    // The last attempt is made at the deadline.
    const auto backoff = client_internal::Backoff(std::chrono::milliseconds(100),
                                                  std::chrono::milliseconds(1000), failures);
    std::this_thread::sleep_until(std::min(Clock::now() + backoff, deadline));
  }
}

}  // namespace choreo::cli

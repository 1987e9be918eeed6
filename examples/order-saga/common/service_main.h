// What the example's three services share: their common flags, the SagaService options built
// from them, running until SIGINT/SIGTERM, one-line logging and the randomness that stands in for
// the outside world (a card that is declined, a carrier with no capacity).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "choreo/client/options.h"
#include "choreo/client/status.h"
#include "choreo/saga/service.h"
#include "common/flags.h"

namespace order_saga {

// How every program connects to the broker: --broker, TLS (--tls-ca, --tls-cert, --tls-key; any
// of them turns TLS on) and a user (--user with --password-file). The password is read from a
// file, never from the command line, which any local user can read in `ps` or /proc; see
// kClientFlagsUsage for why a file and not an environment variable. `client_id` names the
// program in the broker's logs. Exits with the usage on a malformed or incomplete combination.
choreo::ClientOptions ReadClientFlags(Flags& flags, std::string_view client_id);

// The usage lines of the flags above.
extern const char kClientFlagsUsage[];

// Flags every service takes.
struct ServiceFlags {
  choreo::ClientOptions client;                 // ReadClientFlags
  std::filesystem::path state_dir;              // --state-dir, default ./state
  uint32_t workers = 4;                         // --workers
  uint32_t partitions = 4;                      // --partitions of the topics a service creates
  std::chrono::milliseconds session_timeout{};  // --session-timeout-ms, default 10000
  std::string instance_id;                      // --instance-id (static membership), default none
};

// The usage lines of the flags above but ServiceFlags::client (kClientFlagsUsage has those).
extern const char kServiceFlagsUsage[];

// `service` is the client id.
ServiceFlags ReadServiceFlags(Flags& flags, std::string_view service);

// Options of a SagaService named `service` (also its group and ce_source), with a durable inbox
// in <state_dir>/<service>.inbox: the outcomes of its HandlerContext::Once effects survive a
// crash, so a redelivered event gets the same answer. Creates state_dir; exits on error.
choreo::saga::ServiceOptions ServiceOptionsFor(std::string_view service, const ServiceFlags& flags);

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts afterwards, so
// that only RunUntilStopped's signal thread takes them. Call first thing in main().
void BlockStopSignals();

// Starts `service` and runs it until SIGINT or SIGTERM (then Stop(): the running handlers finish
// and their steps are committed) or a fatal error. Returns the exit status: 0 after a signal, 1
// after an error.
int RunUntilStopped(choreo::saga::SagaService& service, std::string_view name);

// Writes "<RFC 3339 time> <service> <text>" as one line to stdout, from any thread.
void Log(std::string_view service, std::string_view text);
// Prints "error: <what>: <status>" to stderr and exits with status 1.
[[noreturn]] void Die(std::string_view what, const choreo::Status& status);

// The first 8 characters of an event id: enough to tell a saga's events apart in a log line.
std::string_view ShortId(std::string_view id);

// Thread-safe randomness for the simulated outside world.
bool Chance(double probability);
int64_t RandomInt(int64_t low, int64_t high);  // in [low, high]
std::string RandomHex(int digits);

}  // namespace order_saga

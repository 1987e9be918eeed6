// The few Redis commands choreo-redis-peer sends, over one synchronous hiredis connection.
//
// Lifecycle and threading: a StreamConnection is one TCP connection, opened by Connect and closed
// by the destructor; it is used by one thread at a time (hiredis contexts are not thread-safe).
// Every call sends one command and waits for its reply: nothing is pipelined. Errors (connection
// lost, a reply of the wrong shape, an error reply) come back as absl::Status; after a
// connection-level error the connection is unusable and every later call fails.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;  // hiredis

namespace choreo::bench {

class StreamConnection {
 public:
  // Connects to `address` ("host:port"), with TCP_NODELAY. Fails if the server does not answer
  // within 5 s; a command waits at most 30 s for its reply.
  static absl::StatusOr<std::unique_ptr<StreamConnection>> Connect(const std::string& address);
  ~StreamConnection();
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  // XADD <stream> * v <value>: appends one entry with one field, no trimming (no MAXLEN).
  absl::Status Add(std::string_view stream, std::string_view value);

  // The position a reader has reached in each of its streams: the last entry ID it saw.
  struct ReadCursor {
    std::vector<std::string> streams;
    std::vector<std::string> last_ids;  // "0" before the first entry: read from the start
  };
  // XREAD BLOCK <block_ms> COUNT <count> STREAMS <streams...> <last_ids...>: waits up to
  // `block_ms` for entries after the cursor, calls `on_value` with the value of field `v` of each
  // entry received (valid during the call only), and advances the cursor. Returns the number of
  // entries received, 0 when the wait timed out.
  absl::StatusOr<int64_t> Read(ReadCursor& cursor, int count, int block_ms,
                               const std::function<void(std::string_view value)>& on_value);

  // INFO <section> as text ("name:value" lines).
  absl::StatusOr<std::string> Info(std::string_view section);
  // CONFIG GET <name>: the value, or NotFound.
  absl::StatusOr<std::string> ConfigValue(std::string_view name);
  // DEL <keys...>.
  absl::Status Delete(const std::vector<std::string>& keys);

 private:
  explicit StreamConnection(redisContext* context) : context_(context) {}
  redisContext* context_;  // owned; freed by the destructor
};

// The value of field `name` in INFO text ("name:value\r\n" lines); empty when absent.
std::string InfoField(std::string_view info, std::string_view name);

}  // namespace choreo::bench

// Broker: the choreo server. Owns the log store, the network server and the request handlers,
// and can be embedded in-process (tests) or run by choreod (broker/main.cc).
//
// Lifecycle: Start() locks the data directory (a second broker on it fails at once), opens the
// store, binds the listen address (and the HTTP address) and starts serving on its own threads;
// Shutdown() stops accepting, lets in-flight requests finish (long polls are answered early with
// what they have), waits up to `shutdown_grace` for connections to drain, then closes the store,
// which finishes in-flight commits and syncs the WAL. Wait() blocks until Shutdown() has completed.
// The destructor calls Shutdown().
//
// Threading: every method is thread-safe, but Shutdown() and Wait() must not be called from a
// callback running on the broker's own threads (they join those threads).
#pragma once

#include <absl/status/statusor.h>
#include <absl/time/time.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "choreo/storage/log_store.h"

namespace choreo::broker {
// One io thread per two hardware threads, at least one.
int DefaultIoThreads();
}  // namespace choreo::broker

namespace choreo::broker {

struct BrokerOptions {
  // "HOST:PORT" to listen on; HOST is an IP address or a resolvable name ("[::1]:7420" for IPv6).
  // Port 0 picks an ephemeral port, reported by Broker::port(). Default: "127.0.0.1:7420".
  std::string listen = "127.0.0.1:7420";
  // "HOST:PORT" of the Kafka protocol listener (broker/kafka/README.md): Kafka clients (kcat,
  // librdkafka, ...) produce and consume on the same topics; 9092 is Kafka's conventional port.
  // Port 0 picks an ephemeral port, reported by Broker::kafka_port(). Plain TCP only (no TLS yet).
  // It shares every limit below with the native listener (max_connections counts per listener).
  // Default: empty (off).
  std::string kafka_listen;
  // The host Kafka clients are told to connect to (Metadata): Kafka clients connect to the address
  // the broker advertises, not the one they bootstrapped from. Default: empty, meaning the host of
  // kafka_listen, or this machine's host name when that is a wildcard (0.0.0.0, ::).
  std::string kafka_advertised_host;
  // Name reported in MetadataResponse.broker_id. Default: "choreod".
  std::string broker_id = "choreod";
  // The log store (data directory, fsync policy, ...). Default: see storage::StoreOptions.
  storage::StoreOptions store;

  // Threads running the network and request handlers. Default: one per two cores (at least one).
  // Every hand-off between threads costs a wake-up; on 2 cores one io thread gave lower latency at
  // 10k rec/s (p50 0.25 vs 0.29-0.30 ms) and the same throughput as two (bench/RESULTS.md,
  // "Latency (issue 15)").
  int io_threads = DefaultIoThreads();
  // Threads for blocking storage calls (reads that need the disk, topic administration), so
  // RocksDB I/O never runs on a network thread (reads of data in memory do). Default: 4.
  int storage_threads = 4;

  // Largest frame a client may send; a longer declared length is answered with MESSAGE_TOO_LARGE
  // and the connection is closed without reading the body. Default: 64 MiB.
  uint32_t max_frame_bytes = 64u << 20;
  // Largest record batch accepted by produce (a topic's max_message_bytes may lower it).
  // Default: 16 MiB.
  uint64_t max_batch_bytes = 16ull << 20;
  // Requests a connection may have outstanding (dispatched but not yet answered). At the limit
  // the broker stops reading that socket until responses drain, which also bounds its response
  // queue. Default: 1024.
  uint32_t max_in_flight = 1024;
  // Connections served at once; further ones get a RESOURCE_EXHAUSTED response and are closed.
  // Default: 4096.
  uint32_t max_connections = 4096;
  // Upper bound on the batch bytes of one fetch response (the request's max_bytes is clamped to
  // it). At least one batch is still returned when it is larger. Default: 16 MiB.
  uint64_t max_fetch_bytes = 16ull << 20;
  // Upper bound on a fetch's max_wait_ms (long poll). Default: 30 s.
  absl::Duration max_fetch_wait = absl::Seconds(30);

  // Partition count for a created topic whose config leaves it 0. Default: 1.
  uint32_t default_partitions = 1;
  // Retention for a created topic whose config leaves it 0; -1 keeps data forever. Default: -1.
  int64_t default_retention_ms = -1;
  // Per-partition size retention for a topic whose config leaves it 0; -1 is unlimited.
  // Default: -1.
  int64_t default_retention_bytes = -1;

  // How long Shutdown() waits for connections to finish their in-flight requests before closing
  // them forcibly. Default: 10 s.
  absl::Duration shutdown_grace = absl::Seconds(10);

  // --- Operations (see broker/README.md, "Operations") ---

  // "HOST:PORT" of the HTTP endpoint serving /metrics (Prometheus text), /healthz, /readyz and the
  // web console; empty disables it. Port 0 picks an ephemeral port, reported by
  // Broker::http_port(). Default: "127.0.0.1:7421".
  std::string http_listen = "127.0.0.1:7421";
  // Serve the web console on the HTTP endpoint: its pages at "/" and its JSON API under "/api/"
  // (broker/README.md, "Web console"). Default: true.
  bool http_console = true;
  // Let the console change state: replay and discard dead-lettered sagas, reset a group's
  // offsets. Without it those requests answer 403 and the console is read-only. Default: false.
  bool http_console_actions = false;
  // Produce request bytes held in memory at once, broker-wide (read but not yet appended and
  // answered). When full, connections that produce stop being read until appends complete.
  // At least 64 KiB. Default: 256 MiB.
  uint64_t max_pending_produce_bytes = 256ull << 20;
  // Fetch response bytes held in memory at once, broker-wide: read from the store and not yet
  // written to the socket. When full, fetches wait (first come, first served) for responses to
  // be written; a fetch is never failed for it, and a long poll holds none while it waits for
  // data. One response larger than the whole budget is still served, alone. At least 64 KiB.
  // Default: 256 MiB.
  uint64_t max_fetch_memory_bytes = 256ull << 20;
  // Scheduled (delayed) events stored and not yet delivered, broker-wide; a schedule beyond it is
  // refused with RESOURCE_EXHAUSTED. They are kept on disk, not in memory: this bounds the disk a
  // runaway timer loop can fill. Default: 10 million.
  uint64_t max_scheduled_events = 10'000'000;
  // A connection must complete its handshake this long after it was accepted, or it is closed.
  // Default: 10 s.
  absl::Duration handshake_timeout = absl::Seconds(10);
  // A connection with no request in flight that sends no complete request for this long is
  // closed (a partial frame does not count as activity). Default: 10 min.
  absl::Duration idle_timeout = absl::Minutes(10);
  // How often the retention pass runs over all topics (on its own thread, never a network
  // thread); zero disables retention. Default: 60 s.
  absl::Duration retention_check_interval = absl::Seconds(60);
  // A batch whose max timestamp is more than this ahead of the broker's clock is rejected with
  // INVALID_TIMESTAMP (topics with log append time are stamped instead, never rejected); -1
  // accepts any. Bounds how long one producer's wrong clock can hold back time-based retention
  // and mislead seek-by-time. Kafka's message.timestamp.difference.max.ms is unbounded by default;
  // an hour tolerates any sane clock error and delayed sends. Default: 1 hour.
  int64_t max_timestamp_skew_ms = 3600 * 1000;
  // Create an unknown topic (with the default_* settings) when it is produced to or named in a
  // metadata request. Default: false.
  bool auto_create_topics = false;

  // --- Consumer groups (see broker/group/README.md) ---

  // Session timeout of a group member that does not ask for one: a member whose heartbeats stop
  // for this long is removed and its partitions go to the others. Default: 10 s.
  absl::Duration group_session_timeout = absl::Seconds(10);
  // Bounds on the session timeout a member may ask for (requests outside are clamped).
  // Defaults: 100 ms and 5 min.
  absl::Duration group_min_session_timeout = absl::Milliseconds(100);
  absl::Duration group_max_session_timeout = absl::Minutes(5);
  // Longest heartbeat interval handed to members (never more than a third of their session
  // timeout). Default: 1 s.
  absl::Duration group_heartbeat_interval = absl::Seconds(1);
  // How long a member may keep a partition it was asked to give up (it is removed after that)
  // when it does not ask for another limit. Default: 60 s.
  absl::Duration group_rebalance_timeout = absl::Seconds(60);

  // --- TLS (see the root README, "TLS") ---

  // PEM certificate chain and private key of the broker. Both set: the protocol listener and the
  // HTTP endpoint speak only TLS (1.2 or later); both empty: plain TCP. A file that cannot be read
  // or a key that does not match fails Start(). Default: empty (no TLS).
  std::string tls_cert_file;
  std::string tls_key_file;
  // PEM CA bundle: with it, protocol clients must present a certificate signed by one of these CAs
  // (mutual TLS); the HTTP endpoint asks for none. Needs tls_cert_file. Default: empty.
  std::string tls_ca_file;

  // --- Authentication and ACLs (see the root README, "Authentication and ACLs") ---

  // How protocol clients authenticate: "none" (no authentication, every request allowed: keep
  // such a broker on localhost), "sasl" (SCRAM-SHA-256 against the stored users, and PLAIN on TLS
  // connections), "mtls" (the client certificate; needs tls_ca_file). With "sasl" or "mtls" every
  // request is checked against the ACLs, and what no ACL allows is denied. The Kafka listener does
  // not authenticate yet, so it cannot be combined with them. Default: "none".
  std::string auth = "none";
  // Principals allowed everything whatever the ACLs say (user names or certificate principals).
  // Default: none.
  std::vector<std::string> super_users;
  // With auth "mtls": the principal is the certificate's subject in RFC 2253 form ("subject",
  // e.g. "CN=orders,O=shop") or its common name ("cn", e.g. "orders"). Default: "subject".
  std::string mtls_principal = "subject";
};

class Broker {
 public:
  // Opens the store, binds `options.listen` and starts serving. Errors: InvalidArgument (bad
  // options or listen address), Unavailable (cannot bind), or the store's Open() error.
  // Process-wide side effect: the protobuf library's log lines go to the "protobuf" spdlog logger,
  // rate limited, instead of stderr (protobuf_log.h).
  static absl::StatusOr<std::unique_ptr<Broker>> Start(BrokerOptions options);

  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // The port actually bound (useful with listen port 0).
  uint16_t port() const;
  // The address actually bound, as "HOST:PORT".
  std::string listen_address() const;
  // The Kafka listener's port actually bound; 0 if BrokerOptions::kafka_listen is empty.
  uint16_t kafka_port() const;
  // The HTTP port actually bound; 0 if BrokerOptions::http_listen is empty.
  uint16_t http_port() const;

  // Re-reads the TLS certificate, key and CA files (choreod calls it on SIGHUP): connections
  // accepted afterwards use them; open connections keep theirs. On error (a file unreadable, a key
  // not matching) the previous ones stay in use. Errors: FailedPrecondition without TLS,
  // InvalidArgument naming the bad file.
  absl::Status ReloadTls();

  // Stops accepting, answers in-flight requests, closes connections and the store. Idempotent;
  // returns the store's Close() status the first time, OK afterwards.
  absl::Status Shutdown();
  // Blocks until Shutdown() has completed (called from another thread or a signal handler loop).
  void Wait();

  class Impl;

 private:
  explicit Broker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo::broker

// choreod: the choreo broker daemon. Parses flags, starts a Broker and shuts it down cleanly on
// SIGINT/SIGTERM, reloads its TLS files on SIGHUP, telling systemd (Type=notify) when it is ready
// and when it drains. The only broker code not in the choreo_broker library.
#include <absl/flags/flag.h>
#include <absl/flags/parse.h>
#include <absl/flags/usage.h>
#include <absl/flags/usage_config.h>
#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <absl/time/time.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "broker/flag_args.h"
#include "broker/port_file.h"
#include "broker/systemd_notify.h"
#include "choreo/broker/broker.h"

// Defaults come from BrokerOptions/StoreOptions where they exist, so the two cannot drift apart.
ABSL_FLAG(std::string, listen, choreo::broker::BrokerOptions{}.listen,
          "HOST:PORT to serve the choreo protocol on. Port 0 picks a free port (see --port-file).");
ABSL_FLAG(std::string, kafka_listen, choreo::broker::BrokerOptions{}.kafka_listen,
          "HOST:PORT to serve the Kafka protocol on (Kafka's conventional port is 9092), for Kafka "
          "clients such as kcat and librdkafka; empty: off. Port 0 picks a free port (see "
          "--kafka-port-file).");
ABSL_FLAG(std::string, kafka_advertised_host, "",
          "The host Kafka clients are told to connect to; empty: the host of --kafka-listen, or "
          "this machine's name when that is a wildcard address.");
ABSL_FLAG(std::string, kafka_port_file, "",
          "If set, write the Kafka listener's bound port to this file, atomically, once "
          "listening.");
ABSL_FLAG(std::string, port_file, "",
          "If set, write the bound port (decimal, newline-terminated) to this file, atomically, "
          "once listening.");
ABSL_FLAG(std::string, http_port_file, "",
          "If set, write the bound HTTP port (see --http-listen) to this file, atomically, before "
          "the --port-file.");
ABSL_FLAG(std::string, data_dir, choreo::storage::StoreOptions{}.data_dir,
          "Directory of the log store (created if missing).");
ABSL_FLAG(std::string, fsync, "always",
          "When to fsync the log: always (before acknowledging a produce), interval (every "
          "--fsync-interval-ms) or never (leave it to the OS).");
ABSL_FLAG(int32_t, fsync_interval_ms, 100, "WAL fsync period under --fsync=interval.");
ABSL_FLAG(std::string, log_level, "info",
          "Log level: trace, debug, info, warn, error, critical or off.");
ABSL_FLAG(std::string, broker_id, choreo::broker::BrokerOptions{}.broker_id,
          "Name reported in metadata responses.");
ABSL_FLAG(int32_t, io_threads, choreo::broker::BrokerOptions{}.io_threads,
          "Threads serving the network and request handlers (default: one per two cores).");
ABSL_FLAG(int32_t, storage_threads, choreo::broker::BrokerOptions{}.storage_threads,
          "Threads for blocking storage reads and topic administration.");
ABSL_FLAG(uint32_t, max_frame_bytes, choreo::broker::BrokerOptions{}.max_frame_bytes,
          "Largest request frame accepted; a larger one is answered with MESSAGE_TOO_LARGE and "
          "the connection closed.");
ABSL_FLAG(uint64_t, max_batch_bytes, choreo::broker::BrokerOptions{}.max_batch_bytes,
          "Largest record batch accepted by produce (at most --max-frame-bytes).");
ABSL_FLAG(uint32_t, max_in_flight, choreo::broker::BrokerOptions{}.max_in_flight,
          "Unanswered requests allowed per connection before the broker stops reading from it.");
ABSL_FLAG(uint32_t, max_connections, choreo::broker::BrokerOptions{}.max_connections,
          "Connections served at once; more are answered with RESOURCE_EXHAUSTED and closed.");
ABSL_FLAG(uint64_t, max_fetch_bytes, choreo::broker::BrokerOptions{}.max_fetch_bytes,
          "Cap on the batch bytes of one fetch response (one batch is returned even if larger).");
ABSL_FLAG(
    int32_t, max_fetch_wait_ms,
    static_cast<int32_t>(absl::ToInt64Milliseconds(choreo::broker::BrokerOptions{}.max_fetch_wait)),
    "Cap on a fetch's long-poll wait.");
ABSL_FLAG(
    int32_t, shutdown_grace_ms,
    static_cast<int32_t>(absl::ToInt64Milliseconds(choreo::broker::BrokerOptions{}.shutdown_grace)),
    "On SIGINT/SIGTERM, how long connections may take to finish in-flight requests before "
    "they are closed forcibly.");
// Never parsed by abseil: NormalizeFlagArgs expands --config (like --flagfile) before parsing.
// Defined so that --help lists it.
ABSL_FLAG(std::string, config, "",
          "Read flags from FILE (abseil flag-file format: one --flag=value per line, '#' "
          "comments); flags after it on the command line override the file's.");
// Operations: the HTTP endpoint, connection limits, retention and topic defaults.
ABSL_FLAG(std::string, http_listen, choreo::broker::BrokerOptions{}.http_listen,
          "HOST:PORT for /metrics (Prometheus), /healthz, /readyz and the web console; empty "
          "disables it.");
ABSL_FLAG(bool, http_console, choreo::broker::BrokerOptions{}.http_console,
          "Serve the web console on --http-listen: its pages at / and its JSON API under /api/.");
ABSL_FLAG(bool, http_console_actions, choreo::broker::BrokerOptions{}.http_console_actions,
          "Let the web console change state (replay or discard dead-lettered sagas, reset group "
          "offsets); without it those requests answer 403 and the console is read-only.");
ABSL_FLAG(uint64_t, max_pending_produce_bytes,
          choreo::broker::BrokerOptions{}.max_pending_produce_bytes,
          "Produce data held in memory at once (read, not yet appended); when full, producing "
          "connections are not read until appends complete.");
ABSL_FLAG(uint64_t, max_fetch_memory_bytes, choreo::broker::BrokerOptions{}.max_fetch_memory_bytes,
          "Fetch response bytes held in memory at once (read, not yet written to sockets); when "
          "full, fetches wait for responses to be written.");
ABSL_FLAG(uint64_t, max_scheduled_events, choreo::broker::BrokerOptions{}.max_scheduled_events,
          "Scheduled (delayed) events pending at once, broker-wide; more are refused with "
          "RESOURCE_EXHAUSTED. They are stored on disk, not held in memory.");
ABSL_FLAG(int64_t, handshake_timeout_ms,
          absl::ToInt64Milliseconds(choreo::broker::BrokerOptions{}.handshake_timeout),
          "Close a connection that has not completed its handshake this long after connecting.");
ABSL_FLAG(int64_t, idle_timeout_ms,
          absl::ToInt64Milliseconds(choreo::broker::BrokerOptions{}.idle_timeout),
          "Close a connection with nothing in flight that sends no complete request for this "
          "long.");
ABSL_FLAG(int64_t, retention_check_interval_ms,
          absl::ToInt64Milliseconds(choreo::broker::BrokerOptions{}.retention_check_interval),
          "How often retention runs over all topics; 0 disables retention.");
ABSL_FLAG(int64_t, producer_id_expiration_ms,
          choreo::storage::StoreOptions{}.producer_id_expiration_ms,
          "Forget an idempotent producer (id, epoch, sequence state) that has not appended or "
          "been initialized for this long; its next append fails with UNKNOWN_PRODUCER_ID.");
ABSL_FLAG(int64_t, max_timestamp_skew_ms, choreo::broker::BrokerOptions{}.max_timestamp_skew_ms,
          "Reject a batch whose max timestamp is more than this ahead of the broker's clock "
          "(INVALID_TIMESTAMP); -1 accepts any.");
ABSL_FLAG(uint64_t, retention_min_trim_bytes,
          choreo::storage::StoreOptions{}.retention_min_trim_bytes,
          "Retention skips a partition whose trim would drop fewer bytes than this (unless it "
          "drops 10% of the partition or everything), to avoid many small range deletions.");
ABSL_FLAG(bool, auto_create_topics, choreo::broker::BrokerOptions{}.auto_create_topics,
          "Create an unknown topic (with the --default-* settings) when it is produced to or "
          "named in a metadata request.");
ABSL_FLAG(uint32_t, default_partitions, choreo::broker::BrokerOptions{}.default_partitions,
          "Partitions of a topic created without a partition count (or auto-created).");
ABSL_FLAG(int64_t, default_retention_ms, choreo::broker::BrokerOptions{}.default_retention_ms,
          "Retention by age of a topic created without one; -1 keeps records forever.");
ABSL_FLAG(int64_t, default_retention_bytes, choreo::broker::BrokerOptions{}.default_retention_bytes,
          "Retention by size (per partition) of a topic created without one; -1 is unlimited.");
ABSL_FLAG(uint64_t, write_buffer_bytes, choreo::storage::StoreOptions{}.write_buffer_bytes,
          "RocksDB memtable size of the records column family.");
ABSL_FLAG(uint64_t, block_cache_bytes, choreo::storage::StoreOptions{}.block_cache_bytes,
          "RocksDB block cache shared by all column families.");
ABSL_FLAG(bool, direct_io_writes, choreo::storage::StoreOptions{}.direct_io_writes,
          "Write RocksDB flushes and compactions with O_DIRECT, bypassing the page cache, where "
          "the data directory's filesystem supports it (else buffered).");
ABSL_FLAG(std::string, storage_compression, "none",
          "Compression of stored batches: none (store them as producers sent them; producers "
          "can compress with lz4 or zstd) or lz4 (compress every stored batch).");
// TLS (README "TLS"): off unless --tls-cert and --tls-key are given.
ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of the broker. With --tls-key, the protocol listener and the HTTP "
          "endpoint speak only TLS (1.2 or later). Reloaded on SIGHUP.");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls-cert. Reloaded on SIGHUP.");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA bundle: protocol clients must present a certificate signed by it (mutual TLS). "
          "Reloaded on SIGHUP.");
// Authentication and ACLs (README "Authentication and ACLs"): off unless --auth is given.
ABSL_FLAG(std::string, auth, "none",
          "How protocol clients authenticate: none (no authentication, every request allowed; "
          "keep the broker on localhost), sasl (SCRAM-SHA-256 against the stored users, and PLAIN "
          "over TLS), mtls (the client certificate; needs --tls-ca). With sasl or mtls every "
          "request is checked against the ACLs, and what no ACL allows is denied.");
ABSL_FLAG(std::string, super_users, "",
          "Principals allowed everything whatever the ACLs say, separated by ';' (user names, "
          "or certificate principals such as CN=admin,O=shop).");
ABSL_FLAG(std::string, mtls_principal, "subject",
          "With --auth=mtls, the principal of a client certificate: subject (its subject in RFC "
          "2253 form, e.g. CN=orders,O=shop) or cn (its common name, e.g. orders).");

namespace {

constexpr char kUsage[] =
    "the choreo message broker.\n"
    "\n"
    "Usage: choreod [--flag=value ...]\n"
    "With no flags it serves on 127.0.0.1:7420 with its data in ./data.\n"
    "Flag names may be written with dashes or underscores (--data-dir or --data_dir), on the\n"
    "command line and in --config/--flagfile files (one --flag=value per line, '#' starts a\n"
    "comment). Flags after --config FILE override the file's.";

// abseil only knows underscored flag names; rewrite dashed ones (and expand flag files) first.
std::vector<std::string> NormalizedArgs(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<std::vector<std::string>> normalized = choreo::broker::NormalizeFlagArgs(args);
  if (!normalized.ok()) {
    std::fprintf(stderr, "choreod: %s\n", std::string(normalized.status().message()).c_str());
    std::exit(2);
  }
  normalized->insert(normalized->begin(), argv[0]);
  return *std::move(normalized);
}

absl::StatusOr<choreo::broker::BrokerOptions> OptionsFromFlags() {
  choreo::broker::BrokerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.broker_id = absl::GetFlag(FLAGS_broker_id);
  options.store.data_dir = absl::GetFlag(FLAGS_data_dir);
  absl::StatusOr<choreo::storage::FsyncPolicy> fsync =
      choreo::storage::ParseFsyncPolicy(absl::GetFlag(FLAGS_fsync));
  if (!fsync.ok()) return fsync.status();
  options.store.fsync = *fsync;
  if (absl::GetFlag(FLAGS_fsync_interval_ms) <= 0)
    return absl::InvalidArgumentError("--fsync-interval-ms must be positive");
  options.store.fsync_interval = absl::Milliseconds(absl::GetFlag(FLAGS_fsync_interval_ms));
  options.io_threads = absl::GetFlag(FLAGS_io_threads);
  options.storage_threads = absl::GetFlag(FLAGS_storage_threads);
  options.max_frame_bytes = absl::GetFlag(FLAGS_max_frame_bytes);
  options.max_batch_bytes = absl::GetFlag(FLAGS_max_batch_bytes);
  options.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  options.max_connections = absl::GetFlag(FLAGS_max_connections);
  options.max_fetch_bytes = absl::GetFlag(FLAGS_max_fetch_bytes);
  options.max_fetch_wait = absl::Milliseconds(absl::GetFlag(FLAGS_max_fetch_wait_ms));
  options.shutdown_grace = absl::Milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  options.http_listen = absl::GetFlag(FLAGS_http_listen);
  options.kafka_listen = absl::GetFlag(FLAGS_kafka_listen);
  options.kafka_advertised_host = absl::GetFlag(FLAGS_kafka_advertised_host);
  options.http_console = absl::GetFlag(FLAGS_http_console);
  options.http_console_actions = absl::GetFlag(FLAGS_http_console_actions);
  options.max_pending_produce_bytes = absl::GetFlag(FLAGS_max_pending_produce_bytes);
  options.max_fetch_memory_bytes = absl::GetFlag(FLAGS_max_fetch_memory_bytes);
  options.max_scheduled_events = absl::GetFlag(FLAGS_max_scheduled_events);
  options.handshake_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_handshake_timeout_ms));
  options.idle_timeout = absl::Milliseconds(absl::GetFlag(FLAGS_idle_timeout_ms));
  options.retention_check_interval =
      absl::Milliseconds(absl::GetFlag(FLAGS_retention_check_interval_ms));
  options.store.retention_min_trim_bytes = absl::GetFlag(FLAGS_retention_min_trim_bytes);
  options.store.producer_id_expiration_ms = absl::GetFlag(FLAGS_producer_id_expiration_ms);
  if (options.store.producer_id_expiration_ms <= 0)
    return absl::InvalidArgumentError("--producer-id-expiration-ms must be positive");
  options.max_timestamp_skew_ms = absl::GetFlag(FLAGS_max_timestamp_skew_ms);
  if (options.max_timestamp_skew_ms < -1)
    return absl::InvalidArgumentError("--max-timestamp-skew-ms must be -1 (any) or >= 0");
  options.auto_create_topics = absl::GetFlag(FLAGS_auto_create_topics);
  options.default_partitions = absl::GetFlag(FLAGS_default_partitions);
  options.default_retention_ms = absl::GetFlag(FLAGS_default_retention_ms);
  options.default_retention_bytes = absl::GetFlag(FLAGS_default_retention_bytes);
  options.store.write_buffer_bytes = absl::GetFlag(FLAGS_write_buffer_bytes);
  options.store.block_cache_bytes = absl::GetFlag(FLAGS_block_cache_bytes);
  options.store.direct_io_writes = absl::GetFlag(FLAGS_direct_io_writes);
  const std::string compression = absl::GetFlag(FLAGS_storage_compression);
  if (compression != "none" && compression != "lz4")
    return absl::InvalidArgumentError("--storage-compression must be none or lz4, not '" +
                                      compression + "'");
  options.store.lz4_compression = compression == "lz4";
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  options.tls_ca_file = absl::GetFlag(FLAGS_tls_ca);
  options.auth = absl::GetFlag(FLAGS_auth);
  options.mtls_principal = absl::GetFlag(FLAGS_mtls_principal);
  for (absl::string_view principal :
       absl::StrSplit(absl::GetFlag(FLAGS_super_users), ';', absl::SkipWhitespace())) {
    options.super_users.emplace_back(principal);
  }
  if (options.default_retention_ms == 0 || options.default_retention_bytes == 0)
    return absl::InvalidArgumentError(
        "--default-retention-ms and --default-retention-bytes must be -1 or positive");
  return options;
}

bool SetUpLogging() {
  const std::string name = absl::GetFlag(FLAGS_log_level);
  const spdlog::level::level_enum level = spdlog::level::from_str(name);
  // from_str maps anything unknown to "off"; only accept "off" when asked for.
  if (level == spdlog::level::off && name != "off") {
    std::fprintf(stderr, "choreod: unknown --log-level '%s'\n", name.c_str());
    return false;
  }
  // Logs go to stderr, leaving stdout free; the broker's named loggers clone this one. One line
  // per event: UTC timestamp, logger (subsystem), level, then key=value fields.
  spdlog::set_default_logger(spdlog::stderr_color_mt("choreod"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %n %l %v", spdlog::pattern_time_type::utc);
  spdlog::set_level(level);
  return true;
}

// --help lists the flags defined in this file (abseil's default expects a file named choreod.cc).
void ConfigureUsage() {
  absl::SetProgramUsageMessage(kUsage);
  absl::FlagsUsageConfig config;
  config.contains_helpshort_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "broker/main.cc");
  };
  config.contains_help_flags = config.contains_helpshort_flags;
  config.version_string = [] { return std::string("choreod " CHOREO_VERSION "\n"); };
  absl::SetFlagsUsageConfig(config);
}

// A failed notification is logged, not fatal: systemd then times the start out itself.
void Notify(const std::string& state) {
  if (absl::Status sent = choreo::broker::SystemdNotify(state); !sent.ok())
    spdlog::warn("cannot notify systemd: {}", sent.ToString());
}

}  // namespace

int main(int argc, char** argv) {
  ConfigureUsage();
  std::vector<std::string> args = NormalizedArgs(argc, argv);
  std::vector<char*> arg_ptrs;
  for (std::string& arg : args)
    arg_ptrs.push_back(arg.data());
  absl::ParseCommandLine(static_cast<int>(arg_ptrs.size()), arg_ptrs.data());
  if (!SetUpLogging()) return 2;

  absl::StatusOr<choreo::broker::BrokerOptions> options = OptionsFromFlags();
  if (!options.ok()) {
    spdlog::critical("bad flags: {}", options.status().ToString());
    return 2;
  }

  // Installed before the broker starts, so an early SIGTERM still shuts down cleanly.
  asio::io_context signal_io;
  asio::signal_set signals(signal_io, SIGINT, SIGTERM, SIGHUP);

  absl::StatusOr<std::unique_ptr<choreo::broker::Broker>> broker =
      choreo::broker::Broker::Start(*std::move(options));
  if (!broker.ok()) {
    spdlog::critical("cannot start: {}", std::string(broker.status().message()));
    return 1;
  }
  // The HTTP port first: whoever waits for --port-file may then read both.
  for (const auto& [file, port] :
       {std::pair{absl::GetFlag(FLAGS_http_port_file), (*broker)->http_port()},
        std::pair{absl::GetFlag(FLAGS_kafka_port_file), (*broker)->kafka_port()},
        std::pair{absl::GetFlag(FLAGS_port_file), (*broker)->port()}}) {
    if (file.empty()) continue;
    if (absl::Status written = choreo::broker::WritePortFile(file, port); !written.ok()) {
      spdlog::critical("{}", written.ToString());
      (void)(*broker)->Shutdown();
      return 1;
    }
  }

  // Under systemd (Type=notify) the unit is "started" from here on, and "stopping" while it drains.
  Notify(absl::StrCat("READY=1\nSTATUS=serving on port ", (*broker)->port()));

  // SIGHUP reloads the TLS files (the broker logs the outcome) and keeps serving; SIGINT or
  // SIGTERM ends the loop.
  int signal_number = 0;
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec,
                                                                    int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      spdlog::info("received SIGHUP");
      (void)(*broker)->ReloadTls();  // logged by the broker; without TLS there is nothing to do
      signals.async_wait(on_signal);
      return;
    }
    signal_number = signo;
  };
  signals.async_wait(on_signal);
  signal_io.run();
  const char* signal_name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
  spdlog::info("received {}", signal_name);
  Notify(absl::StrCat("STOPPING=1\nSTATUS=draining after ", signal_name));
  const absl::Status closed = (*broker)->Shutdown();
  return closed.ok() ? 0 : 1;
}

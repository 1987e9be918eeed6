// Broker: owns the components and wires them together. Start-up goes data-dir lock -> store ->
// topic table -> metrics -> HTTP endpoint -> listener -> io threads -> retention and scheduled
// delivery; shutdown runs in reverse: not ready, retention and scheduled delivery stopped,
// connections drained, io threads stopped, storage pool joined, store closed, HTTP endpoint
// stopped, lock released.
#include "choreo/broker/broker.h"

#include <absl/base/thread_annotations.h>
#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/host_name.hpp>
#include <asio/thread_pool.hpp>

#include <algorithm>
#include <atomic>
#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "broker/data_dir_lock.h"
#include "broker/group/coordinator.h"
#include "broker/group/topic_source.h"
#include "broker/handlers/dispatch.h"
#include "broker/handlers/request_context.h"
#include "broker/http/console_api.h"
#include "broker/http/http_auth.h"
#include "broker/http/http_server.h"
#include "broker/http/operator_endpoints.h"
#include "broker/kafka/handlers/kafka_protocol.h"
#include "broker/logging.h"
#include "broker/metrics/broker_collectors.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/metrics/group_collector.h"
#include "broker/metrics/saga_collector.h"
#include "broker/metrics/storage_metrics.h"
#include "broker/net/fetch_memory.h"
#include "broker/net/memory_budget.h"
#include "broker/net/server.h"
#include "broker/net/tls_context.h"
#include "broker/protobuf_log.h"
#include "broker/retention/retention_scheduler.h"
#include "broker/scheduled/scheduled_delivery.h"
#include "broker/schema/schema_registry.h"
#include "broker/security/security.h"
#include "broker/topic/partition_waiters.h"
#include "broker/topic/topic_table.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {

int DefaultIoThreads() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency() / 2));
}

namespace {

absl::Status ValidateOperationsOptions(const BrokerOptions& options);
absl::Status ValidateTlsOptions(const BrokerOptions& options);
absl::StatusOr<Security::Options> SecurityOptionsFrom(const BrokerOptions& options);

GroupOptions GroupOptionsFrom(const BrokerOptions& options) {
  return GroupOptions{.default_session_timeout = options.group_session_timeout,
                      .min_session_timeout = options.group_min_session_timeout,
                      .max_session_timeout = options.group_max_session_timeout,
                      .heartbeat_interval = options.group_heartbeat_interval,
                      .default_rebalance_timeout = options.group_rebalance_timeout};
}

absl::Status ValidateOptions(const BrokerOptions& options) {
  if (options.io_threads < 1 || options.storage_threads < 1)
    return absl::InvalidArgumentError("io_threads and storage_threads must be at least 1");
  // Protobuf parses at most INT_MAX bytes; below 1 KiB not even a handshake fits comfortably.
  if (options.max_frame_bytes < 1024 || options.max_frame_bytes > INT_MAX)
    return absl::InvalidArgumentError(
        absl::StrCat("max_frame_bytes must be in [1024, ", INT_MAX, "]"));
  if (options.max_batch_bytes == 0 || options.max_batch_bytes > options.max_frame_bytes)
    return absl::InvalidArgumentError("max_batch_bytes must be in [1, max_frame_bytes]");
  if (options.max_in_flight == 0 || options.max_connections == 0 || options.max_fetch_bytes == 0)
    return absl::InvalidArgumentError(
        "max_in_flight, max_connections and max_fetch_bytes must be positive");
  if (options.max_fetch_wait < absl::ZeroDuration() ||
      options.shutdown_grace < absl::ZeroDuration())
    return absl::InvalidArgumentError("max_fetch_wait and shutdown_grace must not be negative");
  if (absl::Status tls = ValidateTlsOptions(options); !tls.ok()) return tls;
  if (absl::StatusOr<Security::Options> security = SecurityOptionsFrom(options); !security.ok())
    return security.status();
  return ValidateOperationsOptions(options);
}

absl::StatusOr<Security::Options> SecurityOptionsFrom(const BrokerOptions& options) {
  absl::StatusOr<AuthMode> mode = ParseAuthMode(options.auth);
  if (!mode.ok()) return mode.status();
  absl::StatusOr<MtlsPrincipal> mtls = ParseMtlsPrincipal(options.mtls_principal);
  if (!mtls.ok()) return mtls.status();
  if (*mode == AuthMode::kMtls && options.tls_ca_file.empty())
    return absl::InvalidArgumentError(
        "--auth=mtls needs client certificates: give --tls-ca (and --tls-cert, --tls-key)");
  for (const std::string& principal : options.super_users) {
    if (!ValidPrincipal(principal))
      return absl::InvalidArgumentError(
          absl::StrCat("--super-users: '", principal, "' is not a principal"));
  }
  return Security::Options{
      .mode = *mode, .super_users = options.super_users, .mtls_principal = *mtls};
}

absl::Status ValidateTlsOptions(const BrokerOptions& options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty())
    return absl::InvalidArgumentError(
        "TLS needs both a certificate (--tls-cert) and a key "
        "(--tls-key)");
  if (!options.tls_ca_file.empty() && options.tls_cert_file.empty())
    return absl::InvalidArgumentError(
        "--tls-ca (client certificates) needs TLS: give --tls-cert and --tls-key too");
  return absl::OkStatus();
}

absl::Status ValidateOperationsOptions(const BrokerOptions& options) {
  if (options.max_pending_produce_bytes < (64u << 10))
    return absl::InvalidArgumentError("max_pending_produce_bytes must be at least 64 KiB");
  if (options.max_fetch_memory_bytes < (64u << 10))
    return absl::InvalidArgumentError("max_fetch_memory_bytes must be at least 64 KiB");
  if (options.handshake_timeout <= absl::ZeroDuration() ||
      options.idle_timeout <= absl::ZeroDuration())
    return absl::InvalidArgumentError("handshake_timeout and idle_timeout must be positive");
  if (options.max_timestamp_skew_ms < -1)
    return absl::InvalidArgumentError("max_timestamp_skew_ms must be -1 (any) or >= 0");
  if (options.retention_check_interval < absl::ZeroDuration())
    return absl::InvalidArgumentError("retention_check_interval must not be negative");
  if (options.default_partitions == 0 || options.default_partitions > storage::kMaxPartitions)
    return absl::InvalidArgumentError(
        absl::StrCat("default_partitions must be in [1, ", storage::kMaxPartitions, "]"));
  return absl::OkStatus();
}

// (body case, API name) of every routed request, for the per-API metrics.
std::vector<std::pair<int, std::string>> RoutedApis() {
  std::vector<std::pair<int, std::string>> apis;
  for (int body = 1; body < 64; ++body) {
    const char* name = RequestName(static_cast<proto::Request::BodyCase>(body));
    if (std::string_view(name) != "unknown") apis.emplace_back(body, name);
  }
  return apis;
}

}  // namespace

// Members are declared in dependency order, so they are destroyed in reverse: the storage pool
// first (its queued work may touch io objects), then the io_context (pending coroutine frames
// reference the services), then the services and the store.
class Broker::Impl {
 public:
  explicit Impl(BrokerOptions options)
      : options_(std::move(options)), blocking_(static_cast<size_t>(options_.storage_threads)) {}

  ~Impl() { (void)Shutdown(); }

  absl::Status Start();
  absl::Status Shutdown();
  void Wait();
  uint16_t port() const { return server_->port(); }
  std::string address() const { return server_->address(); }
  uint16_t http_port() const { return http_ ? http_->port() : 0; }
  uint16_t kafka_port() const { return kafka_server_ ? kafka_server_->port() : 0; }
  absl::Status ReloadTls();

 private:
  void RunIoThread();
  void MarkDone();
  // The operator HTTP endpoint (/metrics, /healthz, /readyz).
  absl::Status StartHttp();
  void StopHttp();
  // Binds the Kafka listener (--kafka-listen), if configured.
  absl::Status ListenKafka();
  // "" when ready; else why not (/readyz): not serving, or the store refuses writes.
  std::string NotReadyReason() const;

  const BrokerOptions options_;
  std::unique_ptr<DataDirLock> data_dir_lock_;  // held from before the store opens until closed
  MetricsRegistry registry_;
  // The store's observer: must outlive it.
  std::unique_ptr<StorageMetrics> storage_metrics_;
  std::unique_ptr<storage::LogStore> store_;
  std::unique_ptr<TopicTable> topics_;
  PartitionWaiters waiters_;
  std::unique_ptr<BrokerMetrics> metrics_;
  std::unique_ptr<MemoryBudget> produce_memory_;
  std::unique_ptr<FetchMemory> fetch_memory_;
  std::unique_ptr<TopicTableSource> group_topics_;
  std::unique_ptr<GroupCoordinator> groups_;
  std::unique_ptr<SchemaRegistry> schemas_;
  std::unique_ptr<BrokerServices> services_;
  // TLS of both listeners (null without TLS): borrowed by them, so it outlives them.
  std::unique_ptr<TlsContexts> tls_;
  std::unique_ptr<TlsHandshakeFailures> tls_failures_;
  // The web console's API (null when disabled): borrowed by the HTTP handler, so it outlives it.
  std::unique_ptr<ConsoleApi> console_;
  // The HTTP endpoint has its own io_context and thread, so a scrape (which walks the data
  // directory) or a console page never delays a request, and /healthz answers even if the io
  // threads are stuck.
  asio::io_context http_io_;
  std::unique_ptr<HttpServer> http_;
  std::thread http_thread_;
  std::atomic<bool> serving_{false};  // /readyz
  std::unique_ptr<RetentionScheduler> retention_;
  std::unique_ptr<ScheduledDelivery> scheduled_;
  std::unique_ptr<Security> security_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<Server> server_;
  // The Kafka listener (null when off) and its broker-wide state, which its sessions borrow.
  std::unique_ptr<KafkaListener> kafka_listener_;
  std::unique_ptr<Server> kafka_server_;
  asio::thread_pool blocking_;
  std::vector<std::thread> io_threads_;

  Mutex mu_;
  CondVar done_changed_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;  // Shutdown() has completed
  absl::Status close_status_;
};

absl::Status Broker::Impl::Start() {
  // Before anything else: a bad certificate or key must fail start-up without touching the data.
  if (!options_.tls_cert_file.empty()) {
    absl::StatusOr<std::unique_ptr<TlsContexts>> tls = TlsContexts::Load(
        {.cert = options_.tls_cert_file, .key = options_.tls_key_file, .ca = options_.tls_ca_file});
    if (!tls.ok()) return tls.status();
    tls_ = *std::move(tls);
    tls_failures_ = std::make_unique<TlsHandshakeFailures>(registry_);
  }
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock = DataDirLock::Acquire(options_.store.data_dir);
  if (!lock.ok()) return lock.status();
  data_dir_lock_ = *std::move(lock);
  storage_metrics_ = std::make_unique<StorageMetrics>(registry_);
  storage::StoreOptions store_options = options_.store;
  store_options.observer = storage_metrics_.get();
  absl::StatusOr<std::unique_ptr<storage::LogStore>> store = storage::LogStore::Open(store_options);
  if (!store.ok()) return store.status();
  store_ = std::move(*store);
  topics_ = std::make_unique<TopicTable>(*store_);
  // The committer thread must not block: Notify only posts wake-ups.
  store_->SetCommitListener([this](storage::TopicId topic, storage::PartitionId partition,
                                   storage::Offset) { waiters_.Notify(topic, partition); });
  metrics_ = std::make_unique<BrokerMetrics>(registry_, RoutedApis());
  RegisterBrokerCollectors(*metrics_, *topics_, *store_, options_.store.data_dir);
  produce_memory_ = std::make_unique<MemoryBudget>(options_.max_pending_produce_bytes,
                                                   &metrics_->pending_produce_bytes());
  fetch_memory_ = std::make_unique<FetchMemory>(options_.max_fetch_memory_bytes,
                                                &metrics_->fetch_memory_bytes(),
                                                &metrics_->fetch_memory_peak_bytes());
  group_topics_ = std::make_unique<TopicTableSource>(*topics_);
  groups_ = std::make_unique<GroupCoordinator>(GroupOptionsFrom(options_), *group_topics_);
  // Groups from before this start get partitions only once their old members had time to notice.
  if (absl::StatusOr<std::vector<std::string>> previous = store_->ListGroupsWithOffsets();
      previous.ok()) {
    groups_->HoldAfterRestart(*previous, absl::Now());
  }
  RegisterGroupCollector(registry_, *groups_, *store_);
  RegisterSagaCollector(registry_, *store_);
  schemas_ = std::make_unique<SchemaRegistry>(
      *store_,
      registry_.GetCounter("choreo_schema_rejected_records_total",
                           "Records refused by schema validation: their batch had a record "
                           "whose type or version is not registered."));
  if (absl::Status loaded = schemas_->Load(); !loaded.ok()) {
    (void)store_->Close();
    return loaded;
  }
  // Users, ACLs and producer owners: loaded before the first connection is accepted.
  security_ = std::make_unique<Security>(*store_, registry_, *SecurityOptionsFrom(options_));
  if (absl::Status loaded = security_->Load(); !loaded.ok()) {
    (void)store_->Close();
    return loaded;
  }
  // Started with the listener below; created here because handlers notify it.
  scheduled_ = std::make_unique<ScheduledDelivery>(*store_, *topics_, options_, schemas_.get(),
                                                   registry_, metrics_->partitions());
  services_ = std::make_unique<BrokerServices>(
      BrokerServices{options_, *store_, *topics_, waiters_, blocking_, *metrics_, *produce_memory_,
                     *fetch_memory_, *groups_, *schemas_, *scheduled_, *security_});

  server_ = std::make_unique<Server>(io_, *services_, ListenerTls{tls_.get(), tls_failures_.get()});
  absl::Status listening = StartHttp();
  if (listening.ok()) listening = server_->Listen(options_.listen);
  if (listening.ok()) listening = ListenKafka();
  if (!listening.ok()) {
    StopHttp();
    (void)store_->Close();  // the listen error is the one worth reporting
    return listening;
  }
  server_->Start();
  if (kafka_server_) kafka_server_->Start();
  work_.emplace(io_.get_executor());
  for (int i = 0; i < options_.io_threads; ++i)
    io_threads_.emplace_back([this] { RunIoThread(); });
  if (options_.retention_check_interval > absl::ZeroDuration()) {
    retention_ =
        std::make_unique<RetentionScheduler>(*store_, options_.retention_check_interval, *metrics_);
    retention_->Start();
  }
  scheduled_->Start();
  {
    MutexLock lock(&mu_);
    started_ = true;
  }
  serving_ = true;
  BrokerLog().info("listening on {} (tls {}, auth {}, http {}, data dir {}, fsync {}, {} topics)",
                   server_->address(),
                   !tls_            ? "off"
                   : tls_->mutual() ? "on, client certificates required"
                                    : "on",
                   options_.auth, http_ ? std::to_string(http_->port()) : "off",
                   options_.store.data_dir, storage::FsyncPolicyName(options_.store.fsync),
                   topics_->List().size());
  if (kafka_server_) {
    BrokerLog().info("kafka listener on {} (advertised as {}:{})", kafka_server_->address(),
                     kafka_listener_->advertised_host(), kafka_listener_->advertised_port());
  }
  return absl::OkStatus();
}

absl::Status Broker::Impl::ListenKafka() {
  if (options_.kafka_listen.empty()) return absl::OkStatus();
  // The same TLS as the protocol listener: certificates, client CA, SIGHUP reload, failure counts.
  kafka_server_ = std::make_unique<Server>(
      io_, *services_, ListenerTls{tls_.get(), tls_failures_.get(), TlsListener::kKafka},
      [this](uint64_t id) { return kafka_listener_->NewProtocol(id); });
  if (absl::Status s = kafka_server_->Listen(options_.kafka_listen); !s.ok()) return s;
  std::string host = options_.kafka_advertised_host;
  if (host.empty()) {
    host = kafka_server_->address().substr(0, kafka_server_->address().rfind(':'));
    if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    if (host == "0.0.0.0" || host == "::") host = asio::ip::host_name();
  }
  kafka_listener_ = std::make_unique<KafkaListener>(*services_, std::move(host),
                                                    static_cast<int32_t>(kafka_server_->port()));
  return absl::OkStatus();
}

absl::Status Broker::Impl::StartHttp() {
  if (options_.http_listen.empty()) return absl::OkStatus();
  if (options_.http_console) {
    console_ = std::make_unique<ConsoleApi>(
        ConsoleServices{.store = *store_,
                        .topics = *topics_,
                        .groups = *groups_,
                        .partitions = metrics_->partitions(),
                        .schemas = *schemas_,
                        .options = {.actions = options_.http_console_actions,
                                    .broker_id = options_.broker_id,
                                    .version = CHOREO_VERSION,
                                    .data_dir = options_.store.data_dir,
                                    .started_ms = absl::ToUnixMillis(absl::Now())}});
  }
  absl::StatusOr<std::unique_ptr<HttpServer>> http = HttpServer::Start(
      http_io_, options_.http_listen,
      RequireHttpCredentials(*security_, tls_ != nullptr,
                             OperatorEndpoints(
                                 registry_, [this] { return NotReadyReason(); }, console_.get())),
      ListenerTls{tls_.get(), tls_failures_.get()});
  if (!http.ok()) return http.status();
  http_ = *std::move(http);
  http_thread_ = std::thread([this] { http_io_.run(); });
  return absl::OkStatus();
}

absl::Status Broker::Impl::ReloadTls() {
  if (!tls_) return absl::FailedPreconditionError("TLS is not enabled (no --tls-cert)");
  absl::Status reloaded = tls_->Reload();
  if (reloaded.ok()) {
    BrokerLog().info("reloaded the TLS certificate {} and key {}{}", options_.tls_cert_file,
                     options_.tls_key_file,
                     options_.tls_ca_file.empty() ? "" : " and CA file " + options_.tls_ca_file);
  } else {
    BrokerLog().error("TLS reload failed, keeping the previous certificate: {}",
                      std::string(reloaded.message()));
  }
  return reloaded;
}

std::string Broker::Impl::NotReadyReason() const {
  if (!serving_) return "not serving";
  const storage::WriteHealth health = store_->GetWriteHealth();
  if (!health.refusing) return "";
  // Fetches still work; producers get a retriable error and should wait, not fail over blindly.
  return absl::StrCat("storage refuses writes (", health.reason, "); ",
                      !health.recoverable ? "the store cannot resume by itself after this error: "
                                            "restart the broker once space is freed or the disk "
                                            "fixed (nothing acknowledged is lost)"
                      : health.no_space   ? "retrying by itself once space is freed"
                                          : "retrying by itself");
}

void Broker::Impl::StopHttp() {
  if (!http_) return;
  // A scrape in progress finishes its handler first; unanswered connections are just dropped.
  http_io_.stop();
  if (http_thread_.joinable()) http_thread_.join();
  http_->Stop();
}

void Broker::Impl::RunIoThread() {
  // Handlers log their own exceptions (SpawnLogged); this is a last line of defence so that one
  // escaping exception does not take an io thread down with it.
  while (true) {
    try {
      io_.run();
      return;
    } catch (const std::exception& e) {
      BrokerLog().error("io thread caught exception: {}", e.what());
    }
  }
}

absl::Status Broker::Impl::Shutdown() {
  bool first = false;
  bool started = false;
  {
    MutexLock lock(&mu_);
    first = !shutting_down_;
    shutting_down_ = true;
    started = started_;
  }
  if (!first) {
    Wait();
    return absl::OkStatus();
  }
  if (!started) {
    MarkDone();
    return absl::OkStatus();
  }
  BrokerLog().info("shutting down");
  serving_ = false;
  if (retention_) retention_->RequestStop();
  scheduled_->RequestStop();
  bool graceful = server_->Drain(options_.shutdown_grace);
  if (kafka_server_) graceful = kafka_server_->Drain(options_.shutdown_grace) && graceful;
  // Every connection is closed (or abandoned): nothing more for the io threads to do.
  work_.reset();
  io_.stop();
  for (std::thread& thread : io_threads_)
    thread.join();
  blocking_.join();
  // Scrapes read the store: stop them before it closes (/readyz said "not serving" until now).
  StopHttp();
  // Commits already queued finish here; the WAL is synced and RocksDB closed. Close() also cancels
  // a running retention pass, so joining the scheduler afterwards does not wait for a compaction.
  close_status_ = store_->Close();
  if (retention_) retention_->Join();
  // After Close(): deliveries still queued in the committer have completed (or failed, staying
  // pending for the next start).
  scheduled_->Join();
  data_dir_lock_.reset();
  if (close_status_.ok()) {
    BrokerLog().info("shut down{}", graceful ? "" : " (some connections were aborted)");
  } else {
    BrokerLog().error("closing the store failed: {}", close_status_.ToString());
  }
  MarkDone();
  return close_status_;
}

void Broker::Impl::MarkDone() {
  {
    MutexLock lock(&mu_);
    done_ = true;
    // Under the lock: once Wait() returns, the broker (this condition variable too) may be gone.
    done_changed_.SignalAll();
  }
}

void Broker::Impl::Wait() {
  MutexLock lock(&mu_);
  while (!done_)
    done_changed_.Wait(&mu_);
}

Broker::Broker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Broker::~Broker() = default;

absl::StatusOr<std::unique_ptr<Broker>> Broker::Start(BrokerOptions options) {
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) return valid;
  if (absl::Status valid = ValidateGroupOptions(GroupOptionsFrom(options)); !valid.ok())
    return valid;
  // Before the first frame is parsed: a client's invalid UTF-8 must not reach stderr unlimited.
  RouteProtobufLogs();
  auto impl = std::make_unique<Impl>(std::move(options));
  if (absl::Status started = impl->Start(); !started.ok()) return started;
  return std::unique_ptr<Broker>(new Broker(std::move(impl)));
}

uint16_t Broker::port() const {
  return impl_->port();
}

uint16_t Broker::kafka_port() const {
  return impl_->kafka_port();
}

uint16_t Broker::http_port() const {
  return impl_->http_port();
}

std::string Broker::listen_address() const {
  return impl_->address();
}

absl::Status Broker::ReloadTls() {
  return impl_->ReloadTls();
}

absl::Status Broker::Shutdown() {
  return impl_->Shutdown();
}

void Broker::Wait() {
  impl_->Wait();
}

}  // namespace choreo::broker

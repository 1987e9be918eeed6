// Broker: owns the components and wires them together. Start-up goes store -> topic table ->
// listener -> io threads; shutdown runs in reverse: connections drained, io threads stopped,
// storage pool joined, store closed.
#include "choreo/broker/broker.h"

#include <absl/base/thread_annotations.h>
#include <absl/strings/str_cat.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/thread_pool.hpp>

#include <climits>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "broker/handlers/request_context.h"
#include "broker/logging.h"
#include "broker/net/server.h"
#include "broker/topic/partition_waiters.h"
#include "broker/topic/topic_table.h"

namespace choreo::broker {

namespace {

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
  return absl::OkStatus();
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

 private:
  void RunIoThread();
  void MarkDone();

  const BrokerOptions options_;
  std::unique_ptr<storage::LogStore> store_;
  std::unique_ptr<TopicTable> topics_;
  PartitionWaiters waiters_;
  std::unique_ptr<BrokerServices> services_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<Server> server_;
  asio::thread_pool blocking_;
  std::vector<std::thread> io_threads_;

  // std::mutex, not absl::Mutex: the distro's abseil is not built with TSan, so TSan cannot see
  // absl::Mutex's happens-before edges and would report false races on what it guards.
  std::mutex mu_;
  std::condition_variable done_changed_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;  // Shutdown() has completed
  absl::Status close_status_;
};

absl::Status Broker::Impl::Start() {
  absl::StatusOr<std::unique_ptr<storage::LogStore>> store =
      storage::LogStore::Open(options_.store);
  if (!store.ok()) return store.status();
  store_ = std::move(*store);
  topics_ = std::make_unique<TopicTable>(*store_);
  topics_->Load();
  // The committer thread must not block: Notify only posts wake-ups.
  store_->SetCommitListener([this](storage::TopicId topic, storage::PartitionId partition,
                                   storage::Offset) { waiters_.Notify(topic, partition); });
  services_ = std::make_unique<BrokerServices>(
      BrokerServices{options_, *store_, *topics_, waiters_, blocking_});

  server_ = std::make_unique<Server>(io_, *services_);
  if (absl::Status listening = server_->Listen(options_.listen); !listening.ok()) {
    (void)store_->Close();  // the listen error is the one worth reporting
    return listening;
  }
  server_->Start();
  work_.emplace(io_.get_executor());
  for (int i = 0; i < options_.io_threads; ++i)
    io_threads_.emplace_back([this] { RunIoThread(); });
  {
    std::lock_guard lock(mu_);
    started_ = true;
  }
  BrokerLog().info("listening on {} (data dir {}, fsync {}, {} topics)", server_->address(),
                   options_.store.data_dir, storage::FsyncPolicyName(options_.store.fsync),
                   topics_->List().size());
  return absl::OkStatus();
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
    std::lock_guard lock(mu_);
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
  const bool graceful = server_->Drain(options_.shutdown_grace);
  // Every connection is closed (or abandoned): nothing more for the io threads to do.
  work_.reset();
  io_.stop();
  for (std::thread& thread : io_threads_)
    thread.join();
  blocking_.join();
  // Commits already queued finish here; the WAL is synced and RocksDB closed.
  close_status_ = store_->Close();
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
    std::lock_guard lock(mu_);
    done_ = true;
  }
  done_changed_.notify_all();
}

void Broker::Impl::Wait() {
  std::unique_lock lock(mu_);
  done_changed_.wait(lock, [this] { return done_; });
}

Broker::Broker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Broker::~Broker() = default;

absl::StatusOr<std::unique_ptr<Broker>> Broker::Start(BrokerOptions options) {
  if (absl::Status valid = ValidateOptions(options); !valid.ok()) return valid;
  auto impl = std::make_unique<Impl>(std::move(options));
  if (absl::Status started = impl->Start(); !started.ok()) return started;
  return std::unique_ptr<Broker>(new Broker(std::move(impl)));
}

uint16_t Broker::port() const {
  return impl_->port();
}

std::string Broker::listen_address() const {
  return impl_->address();
}

absl::Status Broker::Shutdown() {
  return impl_->Shutdown();
}

void Broker::Wait() {
  impl_->Wait();
}

}  // namespace choreo::broker

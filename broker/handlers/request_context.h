// What a request handler may use: the broker-wide services and the state of its connection.
//
// Threading: a handler runs as a coroutine on its session's strand (`RequestContext::executor`).
// Blocking storage calls go through RunBlocking(services.blocking, ...); everything in
// ConnectionState is strand-owned.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <asio/any_io_executor.hpp>
#include <asio/thread_pool.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "broker/security/authenticator.h"
#include "broker/topic/partition_waiters.h"
#include "broker/topic/topic_table.h"
#include "choreo/broker/broker.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class BrokerMetrics;
class GroupCoordinator;
class FetchMemory;
class MemoryBudget;
class SchemaRegistry;
class ScheduledDelivery;
class Security;

// Broker-wide services shared by every connection. All borrowed; owned by Broker, which keeps
// them alive until every handler has finished.
struct BrokerServices {
  const BrokerOptions& options;
  storage::LogStore& store;
  TopicTable& topics;
  PartitionWaiters& waiters;
  asio::thread_pool& blocking;   // for blocking storage calls
  BrokerMetrics& metrics;        // cached counters for the request path (broker/metrics/)
  MemoryBudget& produce_memory;  // bounds produce data in memory (--max-pending-produce-bytes)
  FetchMemory& fetch_memory;     // bounds fetch responses in memory (--max-fetch-memory-bytes)
  GroupCoordinator& groups;      // consumer groups (broker/group/)
  SchemaRegistry& schemas;       // the schema registry (broker/schema/)
  ScheduledDelivery& scheduled;  // delivers scheduled events when due (broker/scheduled/)
  Security& security;            // authentication and ACLs (broker/security/)
};

// Per-connection state handlers share with their session. Strand-owned.
class ConnectionState {
 public:
  explicit ConnectionState(uint64_t id) : id_(id) {}

  uint64_t id() const { return id_; }
  // True once the connection is closing (peer gone, protocol error, broker shutdown): long polls
  // should answer with what they have.
  bool closing() const { return closing_; }

  // Long polls park their waiter here so that closing the connection wakes them.
  void Park(const std::shared_ptr<Waiter>& waiter) { parked_.insert(waiter); }
  void Unpark(const std::shared_ptr<Waiter>& waiter) { parked_.erase(waiter); }

  // Security (broker/security/). The session sets the transport once its TLS handshake (if any)
  // is done: the peer address, whether it is TLS, the client certificate's principal (if any).
  void SetTransport(std::string peer, bool tls, std::optional<std::string> certificate_principal) {
    peer_ = std::move(peer);
    tls_ = tls;
    certificate_principal_ = std::move(certificate_principal);
  }
  const std::string& peer() const { return peer_; }
  bool tls() const { return tls_; }
  const std::optional<std::string>& certificate_principal() const { return certificate_principal_; }
  // The authenticated principal ("" until authenticated; kAnonymousPrincipal with authentication
  // off).
  const std::string& principal() const { return principal_; }
  bool authenticated() const { return !principal_.empty(); }
  void Authenticate(std::string principal) { principal_ = std::move(principal); }
  // The connection's SASL exchange, created by the first SaslAuthenticate step.
  std::unique_ptr<SaslAuthenticator>& sasl() { return sasl_; }

  // Marks the connection closing and wakes every parked long poll.
  void BeginClosing() {
    closing_ = true;
    for (const auto& waiter : parked_)
      waiter->Wake();
  }

 private:
  uint64_t id_;
  bool closing_ = false;
  std::string peer_;
  bool tls_ = false;
  std::optional<std::string> certificate_principal_;
  std::string principal_;
  std::unique_ptr<SaslAuthenticator> sasl_;
  absl::flat_hash_set<std::shared_ptr<Waiter>> parked_;
};

// Keeps a waiter parked on its connection (so a closing connection wakes it) for its lifetime.
class ParkGuard {
 public:
  ParkGuard(ConnectionState& connection, std::shared_ptr<Waiter> waiter)
      : connection_(connection), waiter_(std::move(waiter)) {
    connection_.Park(waiter_);
  }
  ~ParkGuard() { connection_.Unpark(waiter_); }
  ParkGuard(const ParkGuard&) = delete;
  ParkGuard& operator=(const ParkGuard&) = delete;

 private:
  ConnectionState& connection_;
  std::shared_ptr<Waiter> waiter_;
};

struct RequestContext {
  BrokerServices& services;
  ConnectionState& connection;
  asio::any_io_executor executor;  // the session strand the handler runs on
  // Fetch memory (services.fetch_memory) the handler's response holds: set by the fetch handler,
  // released by the session once the response is written or dropped.
  uint64_t fetch_memory_held = 0;
};

}  // namespace choreo::broker

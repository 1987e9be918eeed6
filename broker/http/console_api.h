// The web console's JSON API, served under /api/ on --http-listen (routes and response shapes in
// broker/README.md, "Web console"). Read-only unless ConsoleOptions::actions: then the
// state-changing routes (dead-letter replay and discard, group offset resets) work too; without it
// they answer 403.
//
// Threading: the handler runs on the HTTP server's thread. It reads the store directly (bounded
// reads: a page of records, one dead-letter topic, one index query), so a request never waits for
// the broker's network or storage threads; the broker stops the HTTP server before closing the
// store. Every service is borrowed and must outlive the handler.
#pragma once

#include <cstdint>
#include <string>

#include "broker/group/coordinator.h"
#include "broker/http/http_server.h"
#include "broker/metrics/partition_stats.h"
#include "broker/topic/topic_table.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

class SchemaRegistry;

struct ConsoleOptions {
  // Allow the routes that change state (POST). Default: false (they answer 403).
  bool actions = false;
  std::string broker_id = {};
  std::string version = {};
  // For the disk figures of /api/overview.
  std::string data_dir = {};
  int64_t started_ms = 0;
};

struct ConsoleServices {
  storage::LogStore& store;
  TopicTable& topics;
  GroupCoordinator& groups;
  PartitionStats& partitions;
  const SchemaRegistry& schemas;
  ConsoleOptions options;
};

class ConsoleApi {
 public:
  explicit ConsoleApi(ConsoleServices services);
  ~ConsoleApi();
  ConsoleApi(const ConsoleApi&) = delete;
  ConsoleApi& operator=(const ConsoleApi&) = delete;

  // Answers a request whose path starts with "/api/"; 404 (JSON) for unknown routes.
  HttpResponse Handle(const HttpRequest& request);

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace choreo::broker

// ProcessedStore: the inbox, for side effects outside choreo.
//
// What the saga layer guarantees by itself: a handler's published events and the commit of its
// input event are one atomic broker write (service.h), so inside choreo every step happens exactly
// once. A handler may still RUN more than once for one event: it is retried after an error, and an
// event whose step was not yet committed when the service crashed (or lost its partition) is
// handled again. Effects outside choreo (charging a card, writing the service's own database) need
// the inbox pattern: HandlerContext::Once(name, effect) runs `effect` only if no outcome is
// recorded for the idempotency key (event, handler, name), records its outcome, and on every later
// delivery returns the recorded outcome without running it again. The key is stable across
// redeliveries, restarts and instances (it is built from the event id), so it can also be passed
// to an external API that takes idempotency keys.
//
// Which duplicates each store rules out:
//   - InMemoryProcessedStore: retries and redeliveries within one process's lifetime. After a
//     restart, or when another instance takes over the partition, the effect may run again.
//   - FileProcessedStore (durable, no server): also restarts of this instance. The effect may run
//     twice only if the process dies after the effect and before its outcome reaches the disk (an
//     fsync per recorded outcome); effects that ARE the recorded outcome (deciding and recording
//     a result) are exact. Instances do not share it: give each partition owner the same file only
//     through one process.
//   - Your own implementation inside your database's transaction (see RunOnce's contract): exact
//     for effects in that database, across instances, since the record and the effect commit
//     together.
//
// Implementations must be thread-safe: workers call RunOnce concurrently (never concurrently for
// the same key: one saga's events are handled one at a time).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "choreo/client/status.h"

namespace choreo::saga {

class ProcessedStore {
 public:
  // The effect: does the work and returns the outcome to record (any bytes, e.g. a payment id).
  using Effect = std::function<Result<std::string>()>;

  virtual ~ProcessedStore() = default;

  // If an outcome is recorded for `key`, returns it without calling `effect`. Otherwise calls
  // `effect`; if it succeeds, records its outcome durably (as durable as the store is) before
  // returning it; if it fails, records nothing and returns its error (the next delivery runs it
  // again). A database implementation does all of it in one transaction: insert `key` (unique),
  // run the effect's writes, store the outcome, commit; on a unique-key conflict, read the stored
  // outcome instead.
  virtual Result<std::string> RunOnce(std::string_view key, const Effect& effect) = 0;
};

// Outcomes in memory, at most `max_entries` (the oldest are forgotten first). Default 1,000,000.
std::unique_ptr<ProcessedStore> NewInMemoryProcessedStore(size_t max_entries = 1000000);

// Outcomes in an append-only file (created if missing; read whole at start), one fsync per
// recorded outcome. The file grows by about (key + outcome + 16) bytes per effect; entries older
// than `retention` are dropped when the file is compacted at open. Errors: kInvalidArgument
// (unreadable or corrupt file: the path and line are named), kStorageError (I/O).
Result<std::unique_ptr<ProcessedStore>> OpenFileProcessedStore(
    const std::string& path, std::chrono::hours retention = std::chrono::hours(24 * 7));

}  // namespace choreo::saga

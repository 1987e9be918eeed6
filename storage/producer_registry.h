// ProducerRegistry: which idempotent-producer ids exist, the current epoch of each and when each
// was last active, in memory and in `meta` (the id counter and one epoch key per producer,
// meta_format.h).
//
// The per-partition sequence state lives elsewhere (PartitionState::producers, owned by the
// committer); this class only answers "is this (id, epoch) allowed to append?", hands out ids and
// epoch bumps, and decides which producers expired.
//
// Expiry (Kafka's producer.id.expiration.ms): a producer is active when it is allocated, its
// epoch is checked by an append (CheckEpoch) or it is initialized again; Expire() forgets those
// idle since before a cutoff. A forgotten id is never handed out again; its appends and Inits
// fail with kUnknownProducerId, whose message says that it expired. Activity is kept in memory;
// what survives a restart is the allocation/bump time (in the epoch value) and each partition
// state's last append time, which LogStore::Open feeds back through NoteActivity().
//
// Lifecycle: constructed on an open StoreDb, Load() once before use. Threading: all methods are
// thread-safe. Init() calls are serialized and write to RocksDB (synced unless the fsync policy is
// kNever) before they change what CheckEpoch() answers; CheckEpoch() only takes a short lock.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <atomic>
#include <cstdint>
#include <vector>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"
#include "storage/store_db.h"

namespace choreo::storage {

// What ProducerRegistry::Expire() forgot. The ids are gone from memory even when `status` says
// that deleting their keys failed (they then expire again after the next start).
struct ExpiredProducers {
  std::vector<int64_t> ids;
  absl::Status status;
};

class ProducerRegistry {
 public:
  // `db` must outlive the registry.
  ProducerRegistry(StoreDb& db, FsyncPolicy fsync) : db_(db), fsync_(fsync) {}

  // Reads the id counter and every producer's epoch. A producer whose value carries no activity
  // time (written before it was stored) counts as active at `now_ms`. DataLoss if a value cannot
  // be decoded.
  absl::Status Load(int64_t now_ms);

  // See LogStore::InitProducer. Marks the producer active at `now_ms`.
  absl::StatusOr<ProducerIdentity> Init(int64_t producer_id, int32_t epoch, bool bump_epoch,
                                        int64_t now_ms);

  // OK if `producer_id` is known and `epoch` is its current epoch; then marks it active at
  // `now_ms`. Otherwise kUnknownProducerId (never allocated, or expired) or kProducerFenced.
  absl::Status CheckEpoch(int64_t producer_id, int32_t epoch, int64_t now_ms);

  // Raises the producer's last activity to `ms` if it is known. False if it is not.
  bool NoteActivity(int64_t producer_id, int64_t ms);

  // Forgets every producer last active before `cutoff_ms` and deletes its epoch key (not synced:
  // a lost delete only makes the producer expire again after the next start). Returns the ids
  // forgotten, for the caller to drop their partition states.
  ExpiredProducers Expire(int64_t cutoff_ms);

  // Producers known now (not expired).
  size_t Count() const;

 private:
  struct Entry {
    int32_t epoch = 0;
    int64_t active_ms = 0;
  };

  absl::StatusOr<ProducerIdentity> Allocate(int64_t now_ms) CHOREO_REQUIRES(admin_mu_);
  absl::StatusOr<int32_t> CurrentEpoch(int64_t producer_id, int64_t now_ms);
  absl::Status Unknown(int64_t producer_id) const;

  StoreDb& db_;
  const FsyncPolicy fsync_;
  // Serializes Init() and Expire(); held across their RocksDB writes.
  Mutex admin_mu_ CHOREO_ACQUIRED_BEFORE(mu_);
  // Written under admin_mu_; read without it to tell an expired id from one never allocated.
  std::atomic<int64_t> next_id_{0};
  mutable Mutex mu_;
  absl::flat_hash_map<int64_t, Entry> entries_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::storage

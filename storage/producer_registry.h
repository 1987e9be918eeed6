// ProducerRegistry: which idempotent-producer ids exist and the current epoch of each, in memory
// and in `meta` (the id counter and one epoch key per producer, meta_format.h).
//
// The per-partition sequence state lives elsewhere (PartitionState::producers, owned by the
// committer); this class only answers "is this (id, epoch) allowed to append?" and hands out ids
// and epoch bumps.
//
// Lifecycle: constructed on an open StoreDb, Load() once before use. Threading: all methods are
// thread-safe. Init() calls are serialized and write to RocksDB (synced unless the fsync policy is
// kNever) before they change what CheckEpoch() answers; CheckEpoch() only takes a short lock.
// Producer ids are never expired or reused (expiry is future work, see README.md).
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <cstdint>

#include "choreo/common/mutex.h"
#include "choreo/storage/log_store.h"
#include "storage/store_db.h"

namespace choreo::storage {

class ProducerRegistry {
 public:
  // `db` must outlive the registry.
  ProducerRegistry(StoreDb& db, FsyncPolicy fsync) : db_(db), fsync_(fsync) {}

  // Reads the id counter and every producer's epoch. DataLoss if a value cannot be decoded.
  absl::Status Load();

  // See LogStore::InitProducer.
  absl::StatusOr<ProducerIdentity> Init(int64_t producer_id, int32_t epoch, bool bump_epoch);

  // OK if `producer_id` was allocated and `epoch` is its current epoch. Otherwise
  // kUnknownProducerId or kProducerFenced.
  absl::Status CheckEpoch(int64_t producer_id, int32_t epoch) const;

 private:
  absl::StatusOr<ProducerIdentity> Allocate() CHOREO_REQUIRES(admin_mu_);
  absl::StatusOr<int32_t> CurrentEpoch(int64_t producer_id) const;

  StoreDb& db_;
  const FsyncPolicy fsync_;
  // Serializes Init(); held across its RocksDB write.
  Mutex admin_mu_ CHOREO_ACQUIRED_BEFORE(mu_);
  int64_t next_id_ CHOREO_GUARDED_BY(admin_mu_) = 0;
  mutable Mutex mu_;
  absl::flat_hash_map<int64_t, int32_t> epochs_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace choreo::storage

#include "ceiling.h"

#include <absl/strings/str_cat.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "bench/common/value_source.h"
#include "choreo/proto/batch.h"

namespace choreo::bench {
namespace {

// Batches in flight in the store at once: enough to keep group commit fed.
constexpr int kWindow = 64;

// One encoded batch per partition, records keyed as choreo-bench keys them.
std::vector<std::string> MakeBatches(const BenchOptions& options, int* records_per_batch) {
  const int value_bytes = std::max(options.record_bytes, 8);
  *records_per_batch = std::max<int>(1, static_cast<int>(options.batch_bytes / (value_bytes + 16)));
  std::vector<std::string> batches(options.partitions);
  bench::ValueSource values(static_cast<size_t>(value_bytes));
  for (uint32_t p = 0; p < options.partitions; ++p) {
    proto::RecordList list;
    for (int i = 0; i < *records_per_batch; ++i) {
      proto::Record* r = list.add_records();
      if (options.key_cardinality > 0)
        r->set_key(absl::StrCat("key-", i % options.key_cardinality));
      r->set_value(std::string(values.Next()));
      r->set_timestamp_ms(1);
    }
    proto::EncodeBatch(list, proto::COMPRESSION_NONE, {}, &batches[p]);
  }
  return batches;
}

}  // namespace

absl::StatusOr<CeilingResult> RunCeiling(const BenchOptions& options, storage::FsyncPolicy fsync) {
  std::string dir = (std::filesystem::temp_directory_path() / "choreo-ceiling-XXXXXX").string();
  if (mkdtemp(dir.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  struct RemoveDir {
    std::string path;
    ~RemoveDir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } remove_dir{dir};

  storage::StoreOptions store_options;
  store_options.data_dir = dir;
  store_options.fsync = fsync;
  auto store = storage::LogStore::Open(store_options);
  if (!store.ok()) return store.status();
  auto topic = (*store)->CreateTopic("ceiling", {.partitions = options.partitions});
  if (!topic.ok()) return topic.status();

  int records_per_batch = 0;
  const std::vector<std::string> batches = MakeBatches(options, &records_per_batch);
  const int value_bytes = std::max(options.record_bytes, 8);

  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  absl::Status first_error;
  int64_t appended = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(options.duration_s));
  for (uint64_t n = 0;; ++n) {
    if (options.records > 0 ? appended >= options.records
                            : std::chrono::steady_clock::now() >= deadline)
      break;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < kWindow; });
      if (!first_error.ok()) break;
      ++in_flight;
    }
    const uint32_t partition = static_cast<uint32_t>(n % options.partitions);
    storage::BatchFields fields{.record_count = static_cast<uint32_t>(records_per_batch),
                                .max_timestamp_ms = 1};
    (*store)->Append("ceiling", partition, batches[partition], fields,
                     [&](absl::StatusOr<storage::AppendResult> result) {
                       std::lock_guard<std::mutex> lock(mu);
                       if (!result.ok() && first_error.ok()) first_error = result.status();
                       --in_flight;
                       cv.notify_all();
                     });
    appended += records_per_batch;
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return in_flight == 0; });
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!first_error.ok()) return first_error;
  if (absl::Status s = (*store)->Close(); !s.ok()) return s;
  return CeilingResult{
      .records = appended, .value_bytes = appended * value_bytes, .seconds = seconds};
}

}  // namespace choreo::bench

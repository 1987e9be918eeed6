// Micro-benchmarks of the storage layer: append (group commit under each fsync policy) and read.
#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>

#include "choreo/proto/batch.h"
#include "choreo/storage/log_store.h"

namespace choreo {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    path = (std::filesystem::temp_directory_path() / "choreo-microbench-XXXXXX").string();
    if (mkdtemp(path.data()) == nullptr) std::abort();
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

std::string MakeBatch(int records, int value_bytes) {
  proto::RecordList list;
  for (int i = 0; i < records; ++i) {
    proto::Record* r = list.add_records();
    r->set_key("key-" + std::to_string(i));
    r->set_value(std::string(value_bytes, 'v'));
  }
  std::string out;
  proto::EncodeBatch(list, proto::COMPRESSION_NONE, {}, &out);
  return out;
}

// Args: fsync policy (0 always, 1 interval, 2 never), records per batch. 100-byte values, 8
// partitions, up to 32 appends in flight so group commit has something to group.
void BM_StorageAppend(benchmark::State& state) {
  TempDir dir;
  storage::StoreOptions options;
  options.data_dir = dir.path;
  options.fsync = static_cast<storage::FsyncPolicy>(state.range(0));
  auto store = storage::LogStore::Open(options);
  if (!store.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  (void)(*store)->CreateTopic("t", {.partitions = 8});
  const int records = static_cast<int>(state.range(1));
  const std::string batch = MakeBatch(records, 100);
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  uint32_t n = 0;
  for (auto _ : state) {
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return in_flight < 32; });
      ++in_flight;
    }
    (*store)->Append("t", n++ % 8, batch, {.record_count = static_cast<uint32_t>(records)},
                     [&](absl::StatusOr<storage::AppendResult>) {
                       std::lock_guard<std::mutex> lock(mu);
                       --in_flight;
                       cv.notify_all();
                     });
  }
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return in_flight == 0; });
  state.SetItemsProcessed(state.iterations() * records);
  state.SetBytesProcessed(state.iterations() * batch.size());
}
BENCHMARK(BM_StorageAppend)
    ->ArgNames({"fsync", "records"})
    ->Args({0, 1000})
    ->Args({1, 1000})
    ->Args({2, 1000})
    ->Args({0, 1})
    ->UseRealTime();

// Reads 1 MiB at a time through a 100k-record partition from the start, wrapping around.
void BM_StorageRead(benchmark::State& state) {
  TempDir dir;
  storage::StoreOptions options;
  options.data_dir = dir.path;
  options.fsync = storage::FsyncPolicy::kNever;
  auto store = storage::LogStore::Open(options);
  if (!store.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  (void)(*store)->CreateTopic("t", {.partitions = 1});
  const std::string batch = MakeBatch(1000, 100);
  for (int i = 0; i < 100; ++i)
    (void)(*store)->AppendAndWait("t", 0, batch, {.record_count = 1000});
  storage::Offset offset = 0;
  int64_t records = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    auto result = (*store)->Read("t", 0, offset, 1 << 20);
    if (!result.ok() || result->batches.empty()) {
      offset = 0;
      continue;
    }
    for (const auto& b : result->batches) {
      records += b.record_count;
      bytes += static_cast<int64_t>(b.data.size());
    }
    offset = result->batches.back().next_offset();
  }
  state.SetItemsProcessed(records);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_StorageRead);

}  // namespace
}  // namespace choreo

// Scrape-time collectors for what the broker does not count itself: the process (memory, file
// descriptors) and the data directory's size on disk.
#pragma once

#include <cstdint>
#include <string>

#include "broker/metrics/metrics.h"

namespace choreo::broker {

// process_resident_memory_bytes, process_open_fds, process_start_time_seconds (the names the
// Prometheus client libraries use), read from /proc/self. Missing files are skipped.
void CollectProcessMetrics(SampleWriter& writer);

// choreo_data_dir_bytes: the bytes of every regular file under `data_dir` (RocksDB SST files,
// WAL, manifest). Walks the directory, so it costs a few syscalls per file per scrape; RocksDB
// keeps few, large files.
void CollectDataDirSize(SampleWriter& writer, const std::string& data_dir);

// The bytes of every regular file under `path` (also the console's overview). A file deleted
// during the walk (RocksDB removes obsolete files at any time) is simply not counted.
uint64_t DirectoryBytes(const std::string& path);

}  // namespace choreo::broker

#include "broker/metrics/system_collectors.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace choreo::broker {
namespace {

// The value of `key` (e.g. "VmRSS:") in /proc/self/status, in bytes; -1 if absent.
int64_t StatusKiloBytes(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    std::istringstream fields(line.substr(key.size()));
    int64_t kib = -1;
    fields >> kib;
    return kib < 0 ? -1 : kib * 1024;
  }
  return -1;
}

// Process start time in seconds since the epoch: from /proc/self/stat field 22 (clock ticks
// after boot) and the boot time in /proc/stat.
double StartTimeSeconds() {
  std::ifstream stat("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = content.rfind(')');  // the command name may contain spaces
  if (paren == std::string::npos) return -1;
  std::istringstream fields(content.substr(paren + 2));
  std::string field;
  // After the name, fields start at 3 (state); starttime is field 22.
  for (int i = 3; i <= 22 && fields >> field; ++i) {
  }
  std::ifstream boot("/proc/stat");
  std::string line;
  double btime = -1;
  while (std::getline(boot, line)) {
    if (line.rfind("btime ", 0) == 0) btime = std::strtod(line.c_str() + 6, nullptr);
  }
  const long ticks = ::sysconf(_SC_CLK_TCK);
  if (btime < 0 || ticks <= 0 || field.empty()) return -1;
  return btime + std::strtod(field.c_str(), nullptr) / static_cast<double>(ticks);
}

}  // namespace

void CollectProcessMetrics(SampleWriter& writer) {
  if (const int64_t rss = StatusKiloBytes("VmRSS:"); rss >= 0) {
    writer.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    writer.Sample("process_resident_memory_bytes", {}, static_cast<double>(rss));
  }
  std::error_code ec;
  double fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  if (!ec) {
    writer.Family("process_open_fds", "gauge", "Open file descriptors (sockets included).");
    writer.Sample("process_open_fds", {}, fds);
  }
  if (const double start = StartTimeSeconds(); start >= 0) {
    writer.Family("process_start_time_seconds", "gauge",
                  "Start time of the process since the Unix epoch in seconds.");
    writer.Sample("process_start_time_seconds", {}, start);
  }
}

void CollectDataDirSize(SampleWriter& writer, const std::string& data_dir) {
  writer.Family("choreo_data_dir_bytes", "gauge",
                "Bytes of the files in the data directory (RocksDB SST files, WAL, manifest).");
  writer.Sample("choreo_data_dir_bytes", {}, static_cast<double>(DirectoryBytes(data_dir)));
}

uint64_t DirectoryBytes(const std::string& path) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(path, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_ec;  // a file RocksDB deletes mid-walk is simply not counted
    if (it->is_regular_file(size_ec)) {
      const uintmax_t size = it->file_size(size_ec);
      if (!size_ec) bytes += size;
    }
  }
  return bytes;
}

}  // namespace choreo::broker

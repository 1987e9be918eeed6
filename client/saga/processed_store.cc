// The two bundled inboxes. The file format is one line per recorded outcome:
//   <time ms> <key as hex> <outcome as hex>\n
// Hex keeps any bytes on one line. A line cut short by a crash (no newline yet) is the one entry
// whose fsync never returned, so it was never acknowledged: it is dropped at open.
#include "choreo/saga/processed_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <unordered_map>

#include "choreo/common/mutex.h"

namespace choreo::saga {
namespace {

// What both bundled stores share: outcomes cached in memory, the effect run outside the lock (one
// slow effect must not hold up other sagas' effects), then recorded by the subclass.
class CachingProcessedStore : public ProcessedStore {
 public:
  Result<std::string> RunOnce(std::string_view key, const Effect& effect) final {
    {
      MutexLock lock(&mu_);
      if (auto it = outcomes_.find(std::string(key)); it != outcomes_.end()) return it->second;
    }
    Result<std::string> outcome = effect();
    if (!outcome.ok()) return outcome;
    MutexLock lock(&mu_);
    if (auto it = outcomes_.find(std::string(key)); it != outcomes_.end()) return it->second;
    if (Status s = RecordLocked(key, *outcome); !s.ok()) return s;
    outcomes_.emplace(std::string(key), *outcome);
    return outcome;
  }

 protected:
  // Records a new outcome; called with mu_ held, before the outcome is cached. An error fails the
  // RunOnce (the effect ran, but its outcome is not recorded: the caller retries).
  virtual Status RecordLocked(std::string_view key, const std::string& outcome)
      CHOREO_REQUIRES(mu_) = 0;

  Mutex mu_;
  std::unordered_map<std::string, std::string> outcomes_ CHOREO_GUARDED_BY(mu_);
};

class InMemoryProcessedStore final : public CachingProcessedStore {
 public:
  explicit InMemoryProcessedStore(size_t max_entries) : max_entries_(max_entries) {}

 private:
  Status RecordLocked(std::string_view key, const std::string&) override CHOREO_REQUIRES(mu_) {
    order_.emplace_back(key);
    while (order_.size() > max_entries_) {
      outcomes_.erase(order_.front());
      order_.pop_front();
    }
    return OkStatus();
  }

  const size_t max_entries_;
  std::deque<std::string> order_ CHOREO_GUARDED_BY(mu_);  // insertion order, to forget the oldest
};

std::string ToHex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out->clear();
  out->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi << 4 | lo));
  }
  return true;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status IoError(const std::string& what, const std::string& path) {
  return Status(ErrorCode::kStorageError, what + " " + path + ": " + std::strerror(errno));
}

class FileProcessedStore final : public CachingProcessedStore {
 public:
  ~FileProcessedStore() override {
    if (fd_ >= 0) ::close(fd_);
  }

  static Result<std::unique_ptr<ProcessedStore>> Open(const std::string& path,
                                                      std::chrono::hours retention) {
    auto store = std::unique_ptr<FileProcessedStore>(new FileProcessedStore(path));
    if (Status s = store->Load(NowMs() - std::chrono::milliseconds(retention).count()); !s.ok())
      return s;
    return std::unique_ptr<ProcessedStore>(std::move(store));
  }

 private:
  struct Entry {
    int64_t time_ms;
    std::string key;
    std::string outcome;
  };

  explicit FileProcessedStore(std::string path) : path_(std::move(path)) {}

  // Reads every complete line, keeps those newer than `cutoff_ms`, and rewrites the file with
  // just those (atomically, by rename) so it does not grow forever.
  Status Load(int64_t cutoff_ms) {
    std::vector<Entry> kept;
    bool rewrite = false;
    {
      std::ifstream in(path_, std::ios::binary);
      if (in) {
        std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        size_t pos = 0;
        int line_number = 0;
        while (pos < content.size()) {
          const size_t end = content.find('\n', pos);
          if (end == std::string::npos) {
            rewrite = true;  // a torn last line: never acknowledged
            break;
          }
          ++line_number;
          std::string_view line(content.data() + pos, end - pos);
          pos = end + 1;
          Entry entry;
          const size_t s1 = line.find(' ');
          const size_t s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
          if (s2 == std::string_view::npos ||
              std::sscanf(std::string(line.substr(0, s1)).c_str(), "%ld", &entry.time_ms) != 1 ||
              !FromHex(line.substr(s1 + 1, s2 - s1 - 1), &entry.key) ||
              !FromHex(line.substr(s2 + 1), &entry.outcome)) {
            return Status(ErrorCode::kInvalidArgument, "processed-events file " + path_ +
                                                           " is corrupt at line " +
                                                           std::to_string(line_number));
          }
          if (entry.time_ms < cutoff_ms) {
            rewrite = true;
            continue;
          }
          kept.push_back(std::move(entry));
        }
      }
    }
    if (rewrite) {
      const std::string tmp = path_ + ".tmp";
      const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) return IoError("cannot create", tmp);
      std::string data;
      for (const Entry& e : kept)
        data += Line(e.time_ms, e.key, e.outcome);
      const bool ok = WriteAll(fd, data) && ::fsync(fd) == 0;
      ::close(fd);
      if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) return IoError("cannot rewrite", path_);
    }
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return IoError("cannot open", path_);
    MutexLock lock(&mu_);  // uncontended (the store is not shared yet); for the analysis
    for (Entry& e : kept)
      outcomes_[std::move(e.key)] = std::move(e.outcome);
    return OkStatus();
  }

  static std::string Line(int64_t time_ms, std::string_view key, std::string_view outcome) {
    return std::to_string(time_ms) + " " + ToHex(key) + " " + ToHex(outcome) + "\n";
  }

  static bool WriteAll(int fd, std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  Status RecordLocked(std::string_view key, const std::string& outcome) override
      CHOREO_REQUIRES(mu_) {
    if (!WriteAll(fd_, Line(NowMs(), key, outcome)) || ::fdatasync(fd_) != 0) {
      return IoError("cannot record an outcome in", path_);
    }
    return OkStatus();
  }

  const std::string path_;
  int fd_ = -1;
};

}  // namespace

std::unique_ptr<ProcessedStore> NewInMemoryProcessedStore(size_t max_entries) {
  return std::make_unique<InMemoryProcessedStore>(max_entries);
}

Result<std::unique_ptr<ProcessedStore>> OpenFileProcessedStore(const std::string& path,
                                                               std::chrono::hours retention) {
  return FileProcessedStore::Open(path, retention);
}

}  // namespace choreo::saga

#include "tests/broker/ops_test_util.h"

#include <sys/resource.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHOREO_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CHOREO_TEST_ASAN 1
#endif
#ifdef CHOREO_TEST_ASAN
#include <sanitizer/allocator_interface.h>
#endif

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace choreo::broker::testing {

bool WaitUntil(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling, with a deadline
  }
  return true;
}

uint64_t DirectoryBytes(const std::string& path) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(path, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const uintmax_t size = it->file_size(size_ec);
      if (!size_ec) bytes += size;
    }
  }
  return bytes;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RssSample ReadRss() {
  RssSample sample;
#ifdef CHOREO_TEST_ASAN
  sample.rss_kib = static_cast<int64_t>(__sanitizer_get_current_allocated_bytes() / 1024);
  sample.peak_kib = sample.rss_kib;
  return sample;
#endif
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    int64_t* field = line.rfind("VmRSS:", 0) == 0   ? &sample.rss_kib
                     : line.rfind("VmHWM:", 0) == 0 ? &sample.peak_kib
                                                    : nullptr;
    if (field != nullptr) *field = std::strtoll(line.c_str() + 6, nullptr, 10);
  }
  return sample;
}

void ResetPeakRss() {
#ifdef CHOREO_TEST_ASAN
  return;
#endif
  std::ofstream("/proc/self/clear_refs") << "5";
}

void RaiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

proto::Request CreateTopicRequest(const std::string& name, const proto::TopicConfig& config) {
  proto::Request request;
  auto* topic = request.mutable_create_topics()->add_topics();
  topic->set_name(name);
  *topic->mutable_config() = config;
  return request;
}

proto::Request AlterTopicRequest(const std::string& name, const proto::TopicConfig& config) {
  proto::Request request;
  request.mutable_alter_topic()->set_name(name);
  *request.mutable_alter_topic()->mutable_config() = config;
  return request;
}

proto::TopicConfig Config(uint32_t partitions, int64_t retention_ms, int64_t retention_bytes,
                          uint64_t max_message_bytes) {
  proto::TopicConfig config;
  config.set_partitions(partitions);
  config.set_retention_ms(retention_ms);
  config.set_retention_bytes(retention_bytes);
  config.set_max_message_bytes(max_message_bytes);
  return config;
}

}  // namespace choreo::broker::testing

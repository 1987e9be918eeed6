// Helpers for the operations tests (retention, metrics, limits): waiting on a condition with a
// deadline, measuring a directory and the process's memory, topic-configuration requests. Plain
// HTTP GETs are in raw_connection.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "choreo/proto/choreo.pb.h"
#include "tests/broker/raw_connection.h"

namespace choreo::broker::testing {

// Polls `condition` every few milliseconds until it holds or `timeout` passes; returns its last
// value. For state owned by another thread or process that offers no notification.
bool WaitUntil(const std::function<bool()>& condition,
               std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Bytes of the regular files under `path` (files vanishing mid-walk are skipped).
uint64_t DirectoryBytes(const std::string& path);

int64_t NowMs();

// This process's resident memory (VmRSS) and peak resident memory (VmHWM), from /proc/self/status.
// Under AddressSanitizer both are the heap bytes in use instead (ASan's allocator interface):
// ASan's quarantine keeps up to 256 MiB of freed memory resident and its redzones inflate every
// allocation, so RSS there says nothing about what the code retains (measured: +434 MiB where the
// gcc build grows by less than 64 MiB), while the bytes in use say exactly that.
struct RssSample {
  int64_t rss_kib = -1;
  int64_t peak_kib = -1;
};
RssSample ReadRss();
// Resets VmHWM to the current RSS (writes "5" to /proc/self/clear_refs; Linux >= 4.0). Under
// ASan, nothing to reset: the sample is taken when read.
void ResetPeakRss();
// Raises the soft open-file limit to the hard limit (tests with hundreds of sockets).
void RaiseFileLimit();

proto::Request CreateTopicRequest(const std::string& name, const proto::TopicConfig& config);
proto::Request AlterTopicRequest(const std::string& name, const proto::TopicConfig& config);
proto::TopicConfig Config(uint32_t partitions, int64_t retention_ms = 0,
                          int64_t retention_bytes = 0, uint64_t max_message_bytes = 0);

}  // namespace choreo::broker::testing

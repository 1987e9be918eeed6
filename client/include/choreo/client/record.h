// Records as the client library's users see them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace choreo {

struct Header {
  std::string key;
  std::string value;
};

// One event. An empty key means "no key": such records are spread over partitions instead of being
// kept in order with others of the same key.
struct Record {
  std::string key;
  std::string value;
  std::vector<Header> headers;
  // Milliseconds since the Unix epoch; 0 means "now", filled in when the record is sent.
  int64_t timestamp_ms = 0;
};

// Where an acknowledged record was stored.
struct RecordMetadata {
  std::string topic;
  uint32_t partition = 0;
  int64_t offset = 0;
};

// A record read from the log, with its position.
struct ConsumedRecord {
  std::string topic;
  uint32_t partition = 0;
  int64_t offset = 0;
  Record record;
};

struct TopicPartition {
  std::string topic;
  uint32_t partition = 0;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

}  // namespace choreo

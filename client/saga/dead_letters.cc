#include "choreo/saga/dead_letters.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "choreo/client/admin.h"
#include "choreo/client/consumer.h"
#include "choreo/client/producer.h"
#include "choreo/client/topic_reader.h"

namespace choreo::saga {
namespace {

constexpr std::string_view kKindNames[] = {"dead", "parked", "replay", "discard", "resolved"};

int64_t ParseInt64(std::optional<std::string_view> text, int64_t fallback) {
  if (!text) return fallback;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  return ec == std::errc() && ptr == text->data() + text->size() ? value : fallback;
}

bool IsDlqHeader(std::string_view key) {
  return key.rfind("choreo_dlq_", 0) == 0;
}

DeadLetter ToDeadLetter(DeadLetterKind kind, const ConsumedRecord& consumed) {
  const std::vector<Header>& h = consumed.record.headers;
  DeadLetter d;
  d.kind = kind;
  d.saga_id = consumed.record.key;
  d.dlq_partition = consumed.partition;
  d.dlq_offset = consumed.offset;
  d.topic = std::string(FindHeader(h, dlq_headers::kTopic).value_or(""));
  d.partition = static_cast<uint32_t>(ParseInt64(FindHeader(h, dlq_headers::kPartition), 0));
  d.offset = ParseInt64(FindHeader(h, dlq_headers::kOffset), -1);
  d.error = std::string(FindHeader(h, dlq_headers::kError).value_or(""));
  d.attempts = static_cast<int>(ParseInt64(FindHeader(h, dlq_headers::kAttempts), 0));
  d.handler = std::string(FindHeader(h, dlq_headers::kHandler).value_or(""));
  if (auto time = FindHeader(h, dlq_headers::kTime)) {
    Result<int64_t> ms = ParseRfc3339(*time);
    if (ms.ok()) d.time_ms = *ms;
  }
  d.record.key = consumed.record.key;
  d.record.value = consumed.record.value;
  d.record.timestamp_ms = consumed.record.timestamp_ms;
  for (const Header& header : h) {
    if (!IsDlqHeader(header.key)) d.record.headers.push_back(header);
  }
  Result<Envelope> envelope = ReadEnvelope(d.record.headers);
  if (envelope.ok()) d.envelope = std::move(envelope).value();
  return d;
}

}  // namespace

std::string_view DeadLetterKindName(DeadLetterKind kind) {
  return kKindNames[static_cast<int>(kind)];
}

std::optional<DeadLetterKind> ParseDeadLetterKind(std::string_view name) {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    if (kKindNames[i] == name) return static_cast<DeadLetterKind>(i);
  }
  return std::nullopt;
}

void DeadLetterIndex::Apply(const ConsumedRecord& record) {
  std::optional<std::string_view> kind_name = FindHeader(record.record.headers, dlq_headers::kKind);
  if (!kind_name) return;
  std::optional<DeadLetterKind> kind = ParseDeadLetterKind(*kind_name);
  if (!kind) return;
  const std::string& saga_id = record.record.key;
  switch (*kind) {
    case DeadLetterKind::kDead:
    case DeadLetterKind::kParked: {
      ParkedSaga& saga = parked_[saga_id];
      saga.saga_id = saga_id;
      saga.records.push_back(ToDeadLetter(*kind, record));
      break;
    }
    case DeadLetterKind::kReplay:
    case DeadLetterKind::kDiscard:
      if (auto it = parked_.find(saga_id); it != parked_.end()) it->second.requested = *kind;
      break;
    case DeadLetterKind::kResolved: {
      auto it = parked_.find(saga_id);
      if (it == parked_.end()) break;
      const int64_t through =
          ParseInt64(FindHeader(record.record.headers, dlq_headers::kThrough), -1);
      std::vector<DeadLetter>& records = it->second.records;
      // Records of the saga are all in one partition (same key), so offsets compare.
      std::erase_if(records, [&](const DeadLetter& d) { return d.dlq_offset <= through; });
      if (records.empty()) {
        parked_.erase(it);
      } else {
        it->second.requested.reset();
      }
      break;
    }
  }
}

const ParkedSaga* DeadLetterIndex::Find(std::string_view saga_id) const {
  auto it = parked_.find(saga_id);
  return it == parked_.end() ? nullptr : &it->second;
}

Record MakeDeadLetterRecord(DeadLetterKind kind, const ConsumedRecord& original,
                            std::string_view saga_id, std::string_view error, int attempts,
                            std::string_view handler, int64_t now_ms) {
  Record r;
  r.key = std::string(saga_id);
  r.value = original.record.value;
  r.timestamp_ms = now_ms;
  for (const Header& header : original.record.headers) {
    if (!IsDlqHeader(header.key)) r.headers.push_back(header);
  }
  auto add = [&](std::string_view key, std::string value) {
    r.headers.push_back(Header{std::string(key), std::move(value)});
  };
  add(dlq_headers::kKind, std::string(DeadLetterKindName(kind)));
  add(dlq_headers::kError, std::string(error));
  add(dlq_headers::kAttempts, std::to_string(attempts));
  add(dlq_headers::kHandler, std::string(handler));
  add(dlq_headers::kTopic, original.topic);
  add(dlq_headers::kPartition, std::to_string(original.partition));
  add(dlq_headers::kOffset, std::to_string(original.offset));
  add(dlq_headers::kTime, FormatRfc3339(now_ms));
  return r;
}

Record MakeControlRecord(DeadLetterKind kind, std::string_view saga_id) {
  Record r;
  r.key = std::string(saga_id);
  r.headers.push_back(
      Header{std::string(dlq_headers::kKind), std::string(DeadLetterKindName(kind))});
  return r;
}

Record MakeResolvedRecord(std::string_view saga_id, DeadLetterKind action, int64_t through) {
  Record r = MakeControlRecord(DeadLetterKind::kResolved, saga_id);
  r.value = std::string(DeadLetterKindName(action));
  r.headers.push_back(Header{std::string(dlq_headers::kThrough), std::to_string(through)});
  return r;
}

Result<std::vector<ParkedSaga>> ReadParkedSagas(const ClientOptions& client,
                                                std::string_view topic) {
  DeadLetterIndex index;
  Status read = ReadTopicToEnd(client, topic, client.request_timeout,
                               [&](ConsumedRecord&& r) { index.Apply(r); });
  if (!read.ok()) return read;
  std::vector<ParkedSaga> out;
  for (const auto& [id, saga] : index.parked())
    out.push_back(saga);
  return out;
}

Status RequestDeadLetterAction(const ClientOptions& client, std::string_view topic,
                               std::string_view saga_id, DeadLetterKind kind) {
  if (kind != DeadLetterKind::kReplay && kind != DeadLetterKind::kDiscard) {
    return Status(ErrorCode::kInvalidArgument, "only replay and discard can be requested");
  }
  if (saga_id.empty()) return Status(ErrorCode::kInvalidArgument, "a saga id is required");
  Result<std::unique_ptr<Producer>> producer = Producer::Create(ProducerOptions{.client = client});
  if (!producer.ok()) return producer.status();
  Result<RecordMetadata> sent = (*producer)->Send(topic, MakeControlRecord(kind, saga_id)).get();
  (void)(*producer)->Close(client.request_timeout);
  return sent.status();
}

}  // namespace choreo::saga

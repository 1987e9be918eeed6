#include "storage/event_index_format.h"

#include <absl/strings/str_cat.h>

#include "choreo/common/big_endian.h"
#include "storage/keys.h"
#include "storage/meta_format.h"
#include "storage/string_view_compat.h"

namespace choreo::storage {
namespace {

constexpr uint8_t kValueVersion = 1;
constexpr uint8_t kReferenceVersion = 2;
constexpr size_t kPositionBytes = kEntryPositionBytes;
constexpr uint64_t kTimeBias = 1ull << 63;

void PutU16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xFF));
}

uint16_t GetU16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}

void PutU64(std::string* out, uint64_t v) {
  char buf[8];
  PutBigEndian64(buf, v);
  out->append(buf, 8);
}

void PutString16(std::string* out, std::string_view s) {
  PutU16(out, static_cast<uint16_t>(s.size()));
  out->append(s);
}

// Reads a u16-length-prefixed string at *p; false if it runs past `end`.
bool GetString16(const char** p, const char* end, std::string* out) {
  if (end - *p < 2) return false;
  const uint16_t n = GetU16(*p);
  *p += 2;
  if (end - *p < n) return false;
  out->assign(*p, n);
  *p += n;
  return true;
}

}  // namespace

std::string EntryPrefix(EventIndexKind kind, std::string_view value) {
  std::string out;
  out.reserve(3 + value.size());
  out.push_back(static_cast<char>(kind));
  PutString16(&out, value);
  return out;
}

std::string EntrySeekKey(EventIndexKind kind, std::string_view value, int64_t time_ms) {
  std::string out = EntryPrefix(kind, value);
  PutU64(&out, static_cast<uint64_t>(time_ms) + kTimeBias);
  return out;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<uint8_t>(end.back());
    if (last != 0xFF) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

std::string EncodeEntryPosition(const EntryPosition& at) {
  char buf[kPositionBytes];
  PutBigEndian64(buf, static_cast<uint64_t>(at.time_ms) + kTimeBias);
  PutTopicId(buf + 8, at.topic_id);
  PutBigEndian32(buf + 12, at.partition);
  PutBigEndian64(buf + 16, static_cast<uint64_t>(at.offset));
  return std::string(buf, kPositionBytes);
}

std::optional<EntryPosition> DecodeEntryPositionBytes(std::string_view bytes) {
  if (bytes.size() != kPositionBytes) return std::nullopt;
  const char* p = bytes.data();
  EntryPosition at;
  at.time_ms = static_cast<int64_t>(GetBigEndian64(p) - kTimeBias);
  at.topic_id = GetTopicId(p + 8);
  at.partition = GetBigEndian32(p + 12);
  at.offset = static_cast<int64_t>(GetBigEndian64(p + 16));
  return at;
}

std::string EncodeEntryKey(EventIndexKind kind, std::string_view value, const EntryPosition& at) {
  std::string out = EntryPrefix(kind, value);
  out.append(EncodeEntryPosition(at));
  return out;
}

std::optional<EntryPosition> DecodeEntryPosition(std::string_view prefix, std::string_view key) {
  if (key.size() != prefix.size() + kPositionBytes || key.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  return DecodeEntryPositionBytes(key.substr(prefix.size()));
}

std::optional<EntryPosition> DecodeAnyEntryPosition(std::string_view key) {
  if (key.size() < 3) return std::nullopt;
  const char kind = key[0];
  if (kind != 's' && kind != 'e' && kind != 't' && kind != 'k') return std::nullopt;
  const uint16_t n = GetU16(key.data() + 1);
  if (key.size() != 3u + n + kPositionBytes) return std::nullopt;
  return DecodeEntryPosition(key.substr(0, 3u + n), key);
}

std::string EncodeEntryValue(const IndexedEventFields& f) {
  std::string out;
  out.reserve(1 + 14 + f.type.size() + f.source.size() + f.event_id.size() + f.saga_id.size() +
              f.causation_id.size() + f.key.size() + f.dlq_kind.size());
  out.push_back(static_cast<char>(kValueVersion));
  for (const std::string* s :
       {&f.type, &f.source, &f.event_id, &f.saga_id, &f.causation_id, &f.key, &f.dlq_kind}) {
    PutString16(&out, *s);
  }
  return out;
}

std::string EncodeEntryReference(std::string_view saga_id) {
  std::string out(1, static_cast<char>(kReferenceVersion));
  PutString16(&out, saga_id);
  return out;
}

absl::Status DecodeEntryValue(std::string_view value, IndexedEventFields* f, bool* reference) {
  const char* p = value.data() + 1;
  const char* end = value.data() + value.size();
  *reference = !value.empty() && static_cast<uint8_t>(value[0]) == kReferenceVersion;
  if (*reference) {
    if (!GetString16(&p, end, &f->saga_id)) {
      return absl::DataLossError("event index entry: truncated reference");
    }
    return absl::OkStatus();
  }
  if (value.empty() || static_cast<uint8_t>(value[0]) != kValueVersion) {
    return absl::DataLossError("event index entry: unknown value version");
  }
  for (std::string* s :
       {&f->type, &f->source, &f->event_id, &f->saga_id, &f->causation_id, &f->key, &f->dlq_kind}) {
    if (!GetString16(&p, end, s)) return absl::DataLossError("event index entry: truncated value");
  }
  return absl::OkStatus();
}

std::string OpenSagaPrefix(std::string_view definition) {
  std::string out;
  out.push_back(kOpenSagaKind);
  out.push_back(static_cast<char>(definition.size()));
  out.append(definition);
  return out;
}

std::string OpenSagaKey(std::string_view definition, std::string_view saga_id) {
  std::string out = OpenSagaPrefix(definition);
  out.append(saga_id);
  return out;
}

std::optional<OpenSagaKeyParts> DecodeOpenSagaKey(std::string_view key) {
  if (key.size() < 2 || key[0] != kOpenSagaKind) return std::nullopt;
  const auto n = static_cast<uint8_t>(key[1]);
  if (key.size() < 2u + n) return std::nullopt;
  return OpenSagaKeyParts{key.substr(2, n), key.substr(2u + n)};
}

std::string EncodeOpenSagaValue(int64_t started_ms) {
  std::string out(1, static_cast<char>(kValueVersion));
  PutU64(&out, static_cast<uint64_t>(started_ms));
  return out;
}

absl::StatusOr<int64_t> DecodeOpenSagaValue(std::string_view value) {
  if (value.size() < 9 || static_cast<uint8_t>(value[0]) != kValueVersion) {
    return absl::DataLossError("open saga entry: malformed value");
  }
  return static_cast<int64_t>(GetBigEndian64(value.data() + 1));
}

std::string SagaDefinitionMetaKey(std::string_view name) {
  std::string out(1, kSagaDefinitionKeyPrefix);
  out.append(name);
  return out;
}

std::string EncodeSagaDefinition(const SagaDefinition& d) {
  std::string out(1, static_cast<char>(kValueVersion));
  PutU64(&out, static_cast<uint64_t>(d.deadline_ms));
  for (const std::vector<std::string>* types : {&d.start_types, &d.terminal_types}) {
    PutU16(&out, static_cast<uint16_t>(types->size()));
    for (const std::string& type : *types)
      PutString16(&out, type);
  }
  return out;
}

absl::StatusOr<SagaDefinition> DecodeSagaDefinition(std::string_view name, std::string_view value) {
  auto malformed = [&] {
    return absl::DataLossError(absl::StrCat("saga definition '", ToAbsl(name), "' is malformed"));
  };
  if (value.size() < 9 || static_cast<uint8_t>(value[0]) != kValueVersion) return malformed();
  SagaDefinition d;
  d.name = std::string(name);
  d.deadline_ms = static_cast<int64_t>(GetBigEndian64(value.data() + 1));
  const char* p = value.data() + 9;
  const char* end = value.data() + value.size();
  for (std::vector<std::string>* types : {&d.start_types, &d.terminal_types}) {
    if (end - p < 2) return malformed();
    const uint16_t n = GetU16(p);
    p += 2;
    for (uint16_t i = 0; i < n; ++i) {
      std::string type;
      if (!GetString16(&p, end, &type)) return malformed();
      types->push_back(std::move(type));
    }
  }
  return d;
}

}  // namespace choreo::storage

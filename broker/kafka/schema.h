// Table-driven Kafka message definitions: each API's request and response is a list of FieldDefs
// (name, type, the versions it exists in, the versions it may be null in, its default), written in
// messages_*.cc from the protocol's documented facts. One generic codec (codec.h) walks them, so
// adding a version is usually one `.From(v)` on a field plus a wider range on the message.
//
// Field names are the snake_case form of the names in Kafka's message definitions
// ("PartitionIndex" -> "partition_index"); the value tree (value.h) is addressed by them.
//
// The definitions are built once, on first use, and are immutable afterwards (thread-safe reads).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <vector>

namespace choreo::kafka {

enum class FieldType : uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kString,   // int16 length (compact: uvarint length+1) then UTF-8 bytes
  kBytes,    // int32 length (compact: uvarint length+1) then bytes
  kRecords,  // as kBytes; holds record batches (record_batch.h)
  kArray,    // int32 count (compact: uvarint count+1) then the elements
};

inline constexpr int16_t kMaxVersion = 0x7FFF;

// An inclusive range of versions; empty when min > max.
struct VersionRange {
  int16_t min = 0;
  int16_t max = kMaxVersion;
  bool Contains(int16_t v) const { return v >= min && v <= max; }
};
inline constexpr VersionRange kNoVersions{1, 0};

// One field of a struct. Built with the chained setters in the definition tables:
//   Field("transactional_id", FieldType::kString).From(3).Nullable()
struct FieldDef {
  std::string_view name;
  FieldType type = FieldType::kInt32;
  VersionRange versions;                  // the versions the field is on the wire in
  VersionRange nullable = kNoVersions;    // the versions in which it may be null
  int64_t default_int = 0;                // integers and bools absent from a version
  bool default_null = false;              // strings, bytes, arrays absent from a version
  FieldType element = FieldType::kInt32;  // kArray of scalars: the element type
  std::vector<FieldDef> fields;           // kArray of structs: the element's fields

  FieldDef& From(int16_t v) { return versions.min = v, *this; }
  FieldDef& Until(int16_t v) { return versions.max = v, *this; }
  // Nullable in every version it exists in (nullable outside them is harmless).
  FieldDef& Nullable() { return nullable = {0, kMaxVersion}, *this; }
  FieldDef& NullableFrom(int16_t v) { return nullable = {v, kMaxVersion}, *this; }
  FieldDef& Default(int64_t v) { return default_int = v, *this; }
  FieldDef& DefaultNull() { return default_null = true, *this; }

  bool is_struct_array() const { return type == FieldType::kArray && !fields.empty(); }
};

FieldDef Field(std::string_view name, FieldType type);
// An array whose elements are structs with `fields`.
FieldDef Array(std::string_view name, std::initializer_list<FieldDef> fields);
// An array of scalars (int32 partitions, string group ids, ...).
FieldDef ScalarArray(std::string_view name, FieldType element);

using FieldList = std::vector<FieldDef>;

// One direction of one API.
struct MessageDef {
  std::string_view name;                // "ProduceRequest"
  int16_t flexible_from = kMaxVersion;  // first flexible (tagged-field, compact) version
  FieldList fields;

  bool flexible(int16_t version) const { return version >= flexible_from; }
};

// One API: what the codec implements of it.
struct ApiDef {
  int16_t key = 0;
  std::string_view name;  // "Produce"
  VersionRange versions;  // versions the definitions below are written (and tested) for
  MessageDef request;
  MessageDef response;
};

namespace api_key {
inline constexpr int16_t kProduce = 0;
inline constexpr int16_t kFetch = 1;
inline constexpr int16_t kListOffsets = 2;
inline constexpr int16_t kMetadata = 3;
inline constexpr int16_t kOffsetCommit = 8;
inline constexpr int16_t kOffsetFetch = 9;
inline constexpr int16_t kFindCoordinator = 10;
inline constexpr int16_t kJoinGroup = 11;
inline constexpr int16_t kHeartbeat = 12;
inline constexpr int16_t kLeaveGroup = 13;
inline constexpr int16_t kSyncGroup = 14;
inline constexpr int16_t kDescribeGroups = 15;
inline constexpr int16_t kListGroups = 16;
inline constexpr int16_t kSaslHandshake = 17;
inline constexpr int16_t kApiVersions = 18;
inline constexpr int16_t kCreateTopics = 19;
inline constexpr int16_t kDeleteTopics = 20;
inline constexpr int16_t kInitProducerId = 22;
inline constexpr int16_t kSaslAuthenticate = 36;
}  // namespace api_key

// Every API the codec knows, sorted by key. Built on first call; never null afterwards.
const std::vector<ApiDef>& AllApis();
// The API with `key`, or nullptr.
const ApiDef* FindApi(int16_t key);

// The definition tables, one function per area (messages_*.cc); AllApis() collects them.
void AddClientApis(
    std::vector<ApiDef>* apis);                // ApiVersions, Metadata, Produce, Fetch, ListOffsets
void AddGroupApis(std::vector<ApiDef>* apis);  // coordinator, membership and offset APIs
void AddAdminApis(std::vector<ApiDef>* apis);  // InitProducerId, CreateTopics, DeleteTopics
void AddSecurityApis(std::vector<ApiDef>* apis);  // SaslHandshake, SaslAuthenticate

}  // namespace choreo::kafka

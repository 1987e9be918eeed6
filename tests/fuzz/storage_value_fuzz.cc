// Fuzz target: the decoders of every stored key and value (storage/*_format.h), as recovery and
// reads meet them after a torn write, a bit flip or a file from another version.
//
// Input: byte 0 picks the decoder; for decoders of a key and a value, byte 1 is the key's length
// and the key follows; the rest is the value. Checked: no decoder crashes, reads out of bounds or
// allocates more than its input can justify, and whatever a decoder accepts survives a round trip
// (encode, decode again, encode: the same bytes), so nothing it returns is an impossible value the
// encoders could not have written.
#include <absl/status/statusor.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/event_index_format.h"
#include "storage/meta_format.h"
#include "storage/offsets_format.h"
#include "storage/producer_format.h"
#include "storage/scheduled_format.h"
#include "storage/schema_format.h"
#include "storage/value_format.h"
#include "tests/fuzz/fuzz_check.h"

namespace cs = choreo::storage;

namespace {

template <typename T>
bool Accepted(const std::optional<T>& decoded) {
  return decoded.has_value();
}
template <typename T>
bool Accepted(const absl::StatusOr<T>& decoded) {
  return decoded.ok();
}

// If `decode` accepts `bytes`, encode(decode(bytes)) is a fixed point of decode-then-encode.
// `decode` returns an optional or a StatusOr; `encode` takes the decoded value.
template <typename Decode, typename Encode>
void RoundTrip(std::string_view bytes, Decode decode, Encode encode) {
  auto first = decode(bytes);
  if (!Accepted(first)) return;
  const std::string encoded = encode(*first);
  auto second = decode(encoded);
  FUZZ_CHECK(Accepted(second));
  FUZZ_CHECK(encode(*second) == encoded);
}

std::string EncodeBatchValue(const cs::BatchHeader& h, std::string_view batch) {
  const cs::BatchFields fields{.record_count = h.record_count,
                               .max_timestamp_ms = h.max_timestamp_ms,
                               .producer_id = h.producer_id,
                               .producer_epoch = h.producer_epoch,
                               .base_sequence = h.base_sequence};
  const cs::BatchHeaderBytes header = cs::EncodeBatchHeader(fields, batch);
  return std::string(header.data(), header.size()) + std::string(batch);
}

void FuzzBatchValue(std::string_view value) {
  auto full = cs::DecodeBatchValue(value);
  auto header_only = cs::DecodeBatchHeaderOnly(value);
  if (full.ok()) {
    FUZZ_CHECK(header_only.ok());
    FUZZ_CHECK(full->batch.size() == full->header.batch_length);
    FUZZ_CHECK(full->header.record_count > 0);
    const std::string again = EncodeBatchValue(full->header, full->batch);
    FUZZ_CHECK(again == value.substr(0, again.size()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t which = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  // For the decoders that take a key (or name) and a value.
  const size_t key_length =
      rest.empty() ? 0 : std::min<size_t>(static_cast<uint8_t>(rest[0]), rest.size() - 1);
  const std::string_view key = rest.empty() ? rest : rest.substr(1, key_length);
  const std::string_view value = rest.empty() ? rest : rest.substr(1 + key_length);

  switch (which % 18) {
    case 0:
      FuzzBatchValue(rest);
      break;
    case 1:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeProducerState(v); },
          [](const cs::ProducerPartitionState& s) { return cs::EncodeProducerState(s); });
      break;
    case 2:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeProducerStateKey(v); },
          [](const cs::ProducerStateKey& k) { return cs::EncodeProducerStateKey(k); });
      break;
    case 3:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeGroupOffsetValue(v); },
          [](const cs::GroupOffsetValue& o) { return cs::EncodeGroupOffsetValue(o); });
      break;
    case 4:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeGroupOffsetKey(v); },
          [](const cs::GroupOffsetKey& k) {
            return cs::EncodeGroupOffsetKey(k.group, k.topic_id, k.partition);
          });
      break;
    case 5:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeDueValue(v); },
          [](const cs::DueValue& d) { return cs::EncodeDueValue(d); });
      break;
    case 6:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeDueKey(v); },
          [](const cs::DueKey& k) { return cs::EncodeDueKey(k.due_ms, k.id); });
      break;
    case 7:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeIdValue(v); },
          [](const cs::IdValue& v) { return cs::EncodeIdValue(v); });
      break;
    case 8: {
      choreo::storage::IndexedEventFields fields;
      bool reference = false;
      if (cs::DecodeEntryValue(rest, &fields, &reference).ok()) {
        const std::string encoded =
            reference ? cs::EncodeEntryReference(fields.saga_id) : cs::EncodeEntryValue(fields);
        choreo::storage::IndexedEventFields again;
        bool again_reference = false;
        FUZZ_CHECK(cs::DecodeEntryValue(encoded, &again, &again_reference).ok());
        FUZZ_CHECK(again_reference == reference);
        FUZZ_CHECK((again_reference ? cs::EncodeEntryReference(again.saga_id)
                                    : cs::EncodeEntryValue(again)) == encoded);
      }
      break;
    }
    case 9: {
      // An index entry key ends with its position; the decoder must have read exactly that.
      const std::optional<cs::EntryPosition> at = cs::DecodeAnyEntryPosition(rest);
      if (at.has_value()) {
        FUZZ_CHECK(rest.size() >= cs::kEntryPositionBytes);
        FUZZ_CHECK(cs::EncodeEntryPosition(*at) ==
                   rest.substr(rest.size() - cs::kEntryPositionBytes));
      }
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeEntryPositionBytes(v); },
          [](const cs::EntryPosition& p) { return cs::EncodeEntryPosition(p); });
      break;
    }
    case 10:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeOpenSagaKey(v); },
          [](const cs::OpenSagaKeyParts& k) { return cs::OpenSagaKey(k.definition, k.saga_id); });
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeOpenSagaValue(v); },
          [](int64_t started_ms) { return cs::EncodeOpenSagaValue(started_ms); });
      break;
    case 11:
      RoundTrip(
          value, [key](std::string_view v) { return cs::DecodeSagaDefinition(key, v); },
          [](const cs::SagaDefinition& d) { return cs::EncodeSagaDefinition(d); });
      break;
    case 12:
      RoundTrip(
          value, [key](std::string_view v) { return cs::DecodeTopicRecord(key, v); },
          [](const cs::TopicInfo& t) { return cs::EncodeTopicRecord(t); });
      break;
    case 13:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeNextTopicId(v); },
          [](cs::TopicId id) { return cs::EncodeNextTopicId(id); });
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeNextProducerId(v); },
          [](int64_t id) { return cs::EncodeNextProducerId(id); });
      break;
    case 14:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeLogStart(v); },
          [](const cs::LogStart& s) { return cs::EncodeLogStart(s); });
      break;
    case 15:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeEndBytes(v); },
          [](int64_t bytes) { return cs::EncodeEndBytes(bytes); });
      break;
    case 16:
      RoundTrip(
          rest, [](std::string_view v) { return cs::DecodeProducerEpoch(v); },
          [](const auto& epoch) { return cs::EncodeProducerEpoch(epoch); });
      break;
    case 17: {
      // The schema's key holds the subject and version: encode both back.
      auto decoded = cs::DecodeSchema(key, value);
      if (decoded.ok()) {
        const std::string key_again = cs::SchemaMetaKey(decoded->subject, decoded->version);
        const std::string value_again = cs::EncodeSchemaValue(*decoded);
        FUZZ_CHECK(key_again == key);
        auto again = cs::DecodeSchema(key_again, value_again);
        FUZZ_CHECK(again.ok());
        FUZZ_CHECK(cs::EncodeSchemaValue(*again) == value_again);
      }
      break;
    }
  }
  return 0;
}

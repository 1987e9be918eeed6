// Pins the event index's on-disk formats (storage/event_index_format.h): changing a byte here
// means existing data directories no longer read back.
#include <gtest/gtest.h>

#include <string>

#include "storage/event_index_format.h"
#include "storage/meta_format.h"

namespace choreo::storage {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes)
    out.push_back(static_cast<char>(b));
  return out;
}

TEST(EventIndexFormatTest, EntryKeyIsKindValueTimeAndPosition) {
  const std::string key =
      EncodeEntryKey(EventIndexKind::kSaga, "ab",
                     {.time_ms = 1, .topic_id = TopicId{2}, .partition = 3, .offset = 4});
  EXPECT_EQ(key, Bytes({'s', 0, 2, 'a', 'b', 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0,
                        0,   2, 0, 0,   0,   3,    0, 0, 0, 0, 0, 0, 0, 4}));
  std::optional<EntryPosition> at =
      DecodeEntryPosition(EntryPrefix(EventIndexKind::kSaga, "ab"), key);
  ASSERT_TRUE(at.has_value());
  EXPECT_EQ(at->time_ms, 1);
  EXPECT_EQ(at->topic_id, TopicId{2});
  EXPECT_EQ(at->partition, 3u);
  EXPECT_EQ(at->offset, 4);
  EXPECT_TRUE(DecodeAnyEntryPosition(key).has_value());
  EXPECT_FALSE(DecodeEntryPosition(EntryPrefix(EventIndexKind::kSaga, "a"), key).has_value());
  // Negative times sort before positive ones.
  EXPECT_LT(EntrySeekKey(EventIndexKind::kType, "t", -5),
            EntrySeekKey(EventIndexKind::kType, "t", 0));
  EXPECT_EQ(PrefixEnd(Bytes({'a', 0xFF})), "b");
  // Page tokens are the position part alone.
  const std::string position = EncodeEntryPosition(*at);
  EXPECT_EQ(position, key.substr(5));
  EXPECT_EQ(DecodeEntryPositionBytes(position)->offset, 4);
  EXPECT_FALSE(DecodeEntryPositionBytes(position.substr(1)).has_value());
}

TEST(EventIndexFormatTest, EntryValueRoundTrips) {
  IndexedEventFields f;
  f.type = "T";
  f.source = "src";
  f.event_id = "id";
  f.saga_id = "s";
  f.causation_id = "c";
  f.key = "k";
  f.dlq_kind = "dead";
  const std::string value = EncodeEntryValue(f);
  EXPECT_EQ(value, Bytes({1, 0,   1, 'T', 0,   3, 's', 'r', 'c', 0, 2,   'i', 'd', 0,
                          1, 's', 0, 1,   'c', 0, 1,   'k', 0,   4, 'd', 'e', 'a', 'd'}));
  IndexedEventFields back;
  bool reference = true;
  ASSERT_TRUE(DecodeEntryValue(value, &back, &reference).ok());
  EXPECT_FALSE(reference);
  EXPECT_EQ(back.source, "src");
  EXPECT_EQ(back.dlq_kind, "dead");
  EXPECT_FALSE(DecodeEntryValue(value.substr(0, 5), &back, &reference).ok());

  // The other entries of an event with a saga id refer to its saga entry.
  const std::string ref = EncodeEntryReference("s1");
  EXPECT_EQ(ref, Bytes({2, 0, 2, 's', '1'}));
  IndexedEventFields resolved;
  ASSERT_TRUE(DecodeEntryValue(ref, &resolved, &reference).ok());
  EXPECT_TRUE(reference);
  EXPECT_EQ(resolved.saga_id, "s1");
  EXPECT_FALSE(DecodeEntryValue(ref.substr(0, 2), &resolved, &reference).ok());
}

TEST(EventIndexFormatTest, OpenSagasAndDefinitions) {
  EXPECT_EQ(OpenSagaKey("ord", "s1"), Bytes({'o', 3, 'o', 'r', 'd', 's', '1'}));
  const std::string key = OpenSagaKey("ord", "s1");  // the parts are views into it
  std::optional<OpenSagaKeyParts> parts = DecodeOpenSagaKey(key);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->definition, "ord");
  EXPECT_EQ(parts->saga_id, "s1");
  EXPECT_EQ(EncodeOpenSagaValue(7), Bytes({1, 0, 0, 0, 0, 0, 0, 0, 7}));
  EXPECT_EQ(DecodeOpenSagaValue(EncodeOpenSagaValue(-3)).value(), -3);

  SagaDefinition d{
      .name = "ord", .start_types = {"A"}, .terminal_types = {"B", "C"}, .deadline_ms = 600000};
  EXPECT_EQ(SagaDefinitionMetaKey("ord"), "Sord");
  const std::string value = EncodeSagaDefinition(d);
  EXPECT_EQ(value, Bytes({1, 0, 0,   0, 0, 0, 0x09, 0x27, 0xC0, 0, 1,
                          0, 1, 'A', 0, 2, 0, 1,    'B',  0,    1, 'C'}));
  absl::StatusOr<SagaDefinition> back = DecodeSagaDefinition("ord", value);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->terminal_types, d.terminal_types);
  EXPECT_EQ(back->deadline_ms, 600000);
  EXPECT_FALSE(DecodeSagaDefinition("ord", value.substr(0, 12)).ok());
}

TEST(EventIndexFormatTest, TopicRecordCarriesTheIndexFlagOnlyWhenOff) {
  TopicInfo info{.id = TopicId{1}, .name = "t", .config = {.partitions = 1}};
  EXPECT_EQ(EncodeTopicRecord(info).size(), 33u);
  info.config.index_events = false;
  const std::string off = EncodeTopicRecord(info);
  ASSERT_EQ(off.size(), 34u);
  EXPECT_EQ(off[33], 1);
  EXPECT_FALSE(DecodeTopicRecord("t", off)->config.index_events);
  info.config.index_events = true;
  EXPECT_TRUE(DecodeTopicRecord("t", EncodeTopicRecord(info))->config.index_events);
}

}  // namespace
}  // namespace choreo::storage

#include "broker/error_mapping.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace choreo::broker {
namespace {

using storage::StoreErrorKind;

TEST(ErrorMappingTest, EveryStoreErrorKindHasItsWireCode) {
  const std::vector<std::pair<StoreErrorKind, proto::ErrorCode>> expected = {
      {StoreErrorKind::kNone, proto::NONE},
      {StoreErrorKind::kUnknownTopic, proto::UNKNOWN_TOPIC},
      {StoreErrorKind::kInvalidPartition, proto::INVALID_PARTITION},
      {StoreErrorKind::kTopicExists, proto::TOPIC_ALREADY_EXISTS},
      {StoreErrorKind::kInvalidTopic, proto::INVALID_TOPIC},
      {StoreErrorKind::kOffsetOutOfRange, proto::OFFSET_OUT_OF_RANGE},
      {StoreErrorKind::kCorruptData, proto::STORAGE_ERROR},
      {StoreErrorKind::kNoSpace, proto::NOT_ENOUGH_SPACE},
      {StoreErrorKind::kClosed, proto::SHUTTING_DOWN},
      {StoreErrorKind::kIoError, proto::STORAGE_ERROR},
      {StoreErrorKind::kInvalidBatch, proto::INVALID_REQUEST},
      {StoreErrorKind::kDuplicateSequence, proto::DUPLICATE_SEQUENCE},
      {StoreErrorKind::kOutOfOrderSequence, proto::OUT_OF_ORDER_SEQUENCE},
      {StoreErrorKind::kProducerFenced, proto::PRODUCER_FENCED},
      {StoreErrorKind::kUnknownProducerId, proto::UNKNOWN_PRODUCER_ID},
      {StoreErrorKind::kInvalidGroupId, proto::INVALID_REQUEST},
      {StoreErrorKind::kOffsetMetadataTooLarge, proto::INVALID_REQUEST},
      {StoreErrorKind::kInvalidStep, proto::INVALID_REQUEST},
  };
  // One row per kind: the enum is dense from kNone to its last value (update both together;
  // error_mapping.cc fails to compile with -Werror=switch when a kind is missing there).
  ASSERT_EQ(expected.size(), static_cast<size_t>(StoreErrorKind::kInvalidStep) + 1);
  for (const auto& [kind, code] : expected) {
    SCOPED_TRACE(static_cast<int>(kind));
    EXPECT_EQ(ErrorCodeForKind(kind), code);
    if (kind == StoreErrorKind::kNone) continue;
    // Through a real store status, as handlers see it.
    const absl::Status status = storage::MakeStoreError(kind, "details");
    EXPECT_EQ(ErrorCodeFor(status), code);
    proto::Error error;
    SetError(status, &error);
    EXPECT_EQ(error.code(), code);
    EXPECT_EQ(error.message(), "details");
  }
}

TEST(ErrorMappingTest, OkIsNoneAndForeignStatusesAreStorageErrors) {
  EXPECT_EQ(ErrorCodeFor(absl::OkStatus()), proto::NONE);
  EXPECT_EQ(ErrorCodeFor(absl::InternalError("boom")), proto::STORAGE_ERROR);
  EXPECT_EQ(ErrorCodeFor(absl::NotFoundError("not made by the store")), proto::STORAGE_ERROR);
}

}  // namespace
}  // namespace choreo::broker

#include "choreo/storage/errors.h"

#include <gtest/gtest.h>

#include "choreo/storage/log_store.h"

namespace choreo::storage {
namespace {

TEST(StoreErrorTest, KindsMapToCanonicalCodesAndBack) {
  struct Case {
    StoreErrorKind kind;
    absl::StatusCode code;
  };
  for (Case c : {Case{StoreErrorKind::kUnknownTopic, absl::StatusCode::kNotFound},
                 Case{StoreErrorKind::kInvalidPartition, absl::StatusCode::kInvalidArgument},
                 Case{StoreErrorKind::kTopicExists, absl::StatusCode::kAlreadyExists},
                 Case{StoreErrorKind::kInvalidTopic, absl::StatusCode::kInvalidArgument},
                 Case{StoreErrorKind::kOffsetOutOfRange, absl::StatusCode::kOutOfRange},
                 Case{StoreErrorKind::kCorruptData, absl::StatusCode::kDataLoss},
                 Case{StoreErrorKind::kNoSpace, absl::StatusCode::kResourceExhausted},
                 Case{StoreErrorKind::kClosed, absl::StatusCode::kUnavailable},
                 Case{StoreErrorKind::kIoError, absl::StatusCode::kInternal},
                 Case{StoreErrorKind::kInvalidBatch, absl::StatusCode::kInvalidArgument},
                 Case{StoreErrorKind::kDuplicateSequence, absl::StatusCode::kAlreadyExists},
                 Case{StoreErrorKind::kOutOfOrderSequence, absl::StatusCode::kFailedPrecondition},
                 Case{StoreErrorKind::kProducerFenced, absl::StatusCode::kAborted},
                 Case{StoreErrorKind::kUnknownProducerId, absl::StatusCode::kNotFound},
                 Case{StoreErrorKind::kInvalidGroupId, absl::StatusCode::kInvalidArgument},
                 Case{StoreErrorKind::kOffsetMetadataTooLarge, absl::StatusCode::kInvalidArgument},
                 Case{StoreErrorKind::kInvalidStep, absl::StatusCode::kInvalidArgument}}) {
    absl::Status status = MakeStoreError(c.kind, "message");
    EXPECT_EQ(status.code(), c.code);
    EXPECT_EQ(status.message(), "message");
    EXPECT_EQ(StoreErrorKindOf(status), c.kind);
  }
}

TEST(StoreErrorTest, OkAndForeignStatuses) {
  EXPECT_TRUE(MakeStoreError(StoreErrorKind::kNone, "ignored").ok());
  EXPECT_EQ(StoreErrorKindOf(absl::OkStatus()), StoreErrorKind::kNone);
  EXPECT_EQ(StoreErrorKindOf(absl::NotFoundError("not ours")), StoreErrorKind::kIoError);
}

TEST(FsyncPolicyTest, ParsesAndNames) {
  for (FsyncPolicy policy : {FsyncPolicy::kAlways, FsyncPolicy::kInterval, FsyncPolicy::kNever}) {
    absl::StatusOr<FsyncPolicy> parsed = ParseFsyncPolicy(FsyncPolicyName(policy));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, policy);
  }
  EXPECT_EQ(ParseFsyncPolicy("sometimes").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace choreo::storage

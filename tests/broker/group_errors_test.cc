// Coordinator errors reach the wire through the one mapping in broker/error_mapping.cc.
#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "broker/error_mapping.h"
#include "broker/group/group_errors.h"

namespace choreo::broker {
namespace {

TEST(GroupErrorsTest, EveryKindHasItsWireCode) {
  const std::vector<std::pair<GroupErrorKind, proto::ErrorCode>> expected = {
      {GroupErrorKind::kUnknownMember, proto::UNKNOWN_MEMBER_ID},
      {GroupErrorKind::kIllegalGeneration, proto::ILLEGAL_GENERATION},
      {GroupErrorKind::kGroupNotEmpty, proto::GROUP_NOT_EMPTY},
      {GroupErrorKind::kUnknownGroup, proto::UNKNOWN_GROUP},
      {GroupErrorKind::kInvalidRequest, proto::INVALID_REQUEST},
  };
  ASSERT_EQ(expected.size(), static_cast<size_t>(GroupErrorKind::kInvalidRequest) + 1);
  for (const auto& [kind, code] : expected) {
    SCOPED_TRACE(static_cast<int>(kind));
    const absl::Status status = MakeGroupError(kind, "why");
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(GroupErrorKindOf(status), kind);
    EXPECT_EQ(ErrorCodeForGroupKind(kind), code);
    proto::Error error;
    SetError(status, &error);
    EXPECT_EQ(error.code(), code);
    EXPECT_EQ(error.message(), "why");
  }
  EXPECT_EQ(GroupErrorKindOf(absl::OkStatus()), std::nullopt);
  EXPECT_EQ(GroupErrorKindOf(absl::NotFoundError("other")), std::nullopt);
}

}  // namespace
}  // namespace choreo::broker

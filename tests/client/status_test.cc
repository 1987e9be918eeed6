#include "choreo/client/status.h"

#include <gtest/gtest.h>

#include <string>

#include "client/wire_status.h"

namespace choreo::client_internal {
namespace {

TEST(StatusTest, OkIsCheapAndPrintsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "OK");
  EXPECT_TRUE(OkStatus().ok());
}

TEST(StatusTest, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status(ErrorCode::kUnknownTopic, "topic 'orders' does not exist").ToString(),
            "UNKNOWN_TOPIC: topic 'orders' does not exist");
  EXPECT_EQ(Status(ErrorCode::kTimeout, "").ToString(), "TIMEOUT");
  EXPECT_STREQ(ErrorCodeName(ErrorCode::kConnectionFailed), "CONNECTION_FAILED");
  EXPECT_STREQ(ErrorCodeName(ErrorCode::kProtocolError), "PROTOCOL_ERROR");
  EXPECT_STREQ(ErrorCodeName(ErrorCode::kWakeup), "WAKEUP");
  EXPECT_STREQ(ErrorCodeName(ErrorCode::kMaxPollIntervalExceeded), "MAX_POLL_INTERVAL_EXCEEDED");
}

TEST(StatusTest, RetriableCodes) {
  for (ErrorCode code :
       {ErrorCode::kConnectionFailed, ErrorCode::kTimeout, ErrorCode::kShuttingDown,
        ErrorCode::kResourceExhausted, ErrorCode::kStorageError, ErrorCode::kNotEnoughSpace}) {
    EXPECT_TRUE(Status(code, "").IsRetriable()) << ErrorCodeName(code);
  }
  for (ErrorCode code :
       {ErrorCode::kUnknownTopic, ErrorCode::kInvalidRequest, ErrorCode::kMessageTooLarge,
        ErrorCode::kClosed, ErrorCode::kOffsetOutOfRange, ErrorCode::kProtocolError}) {
    EXPECT_FALSE(Status(code, "").IsRetriable()) << ErrorCodeName(code);
  }
}

TEST(StatusTest, ResultHoldsValueOrError) {
  Result<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  Result<int> error = Status(ErrorCode::kInvalidArgument, "bad");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), ErrorCode::kInvalidArgument);
}

// Every wire error code maps to the client code of the same number and the same name.
TEST(WireStatusTest, EveryWireCodeMapsToTheSameNumberAndName) {
  const google::protobuf::EnumDescriptor* codes = proto::ErrorCode_descriptor();
  for (int i = 0; i < codes->value_count(); ++i) {
    const auto wire = static_cast<proto::ErrorCode>(codes->value(i)->number());
    const ErrorCode mapped = FromProtoCode(wire);
    EXPECT_EQ(static_cast<int>(mapped), codes->value(i)->number());
    if (wire == proto::NONE) {
      EXPECT_EQ(mapped, ErrorCode::kOk);
    } else {
      EXPECT_EQ(ErrorCodeName(mapped), codes->value(i)->name());
    }
  }
}

TEST(WireStatusTest, UnknownWireCodeBecomesUnknown) {
  proto::Error error;
  error.set_code(static_cast<proto::ErrorCode>(77));
  error.set_message("from the future");
  const Status status = FromProtoError(error);
  EXPECT_EQ(status.code(), ErrorCode::kUnknown);
  EXPECT_NE(status.message().find("77"), std::string::npos);
  EXPECT_NE(status.message().find("from the future"), std::string::npos);
}

TEST(WireStatusTest, CheckResponseSurfacesRequestLevelErrorsAndWrongBodies) {
  proto::Response error;
  error.mutable_error()->set_code(proto::UNKNOWN_TOPIC);
  error.mutable_error()->set_message("no such topic");
  Result<proto::Response> checked = CheckResponse(error, proto::Response::kMetadata);
  EXPECT_EQ(checked.status().code(), ErrorCode::kUnknownTopic);
  EXPECT_EQ(checked.status().message(), "no such topic");

  proto::Response wrong;
  wrong.mutable_produce();
  EXPECT_EQ(CheckResponse(wrong, proto::Response::kMetadata).status().code(),
            ErrorCode::kProtocolError);

  proto::Response right;
  right.mutable_metadata();
  EXPECT_TRUE(CheckResponse(right, proto::Response::kMetadata).ok());

  EXPECT_EQ(CheckResponse(Status(ErrorCode::kTimeout, "slow"), proto::Response::kMetadata)
                .status()
                .code(),
            ErrorCode::kTimeout);
}

}  // namespace
}  // namespace choreo::client_internal

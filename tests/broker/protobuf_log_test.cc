// The protobuf library's own log lines: routed through the broker's "protobuf" logger and rate
// limited, so a client sending frames with invalid UTF-8 cannot flood the log.
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "broker/log_rate_limiter.h"
#include "broker/logging.h"
#include "broker/protobuf_log.h"
#include "choreo/common/big_endian.h"
#include "choreo/proto/choreo.pb.h"
#include "tests/broker/broker_fixture.h"
#include "tests/broker/raw_connection.h"

namespace choreo::broker::testing {
namespace {

using Clock = LogRateLimiter::Clock;

TEST(LogRateLimiterTest, LetsThroughTheLimitPerSecondAndReportsTheSuppressedCount) {
  LogRateLimiter limiter(3);
  const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) {
    const LogRateLimiter::Decision d = limiter.Admit(t0);
    EXPECT_TRUE(d.log);
    EXPECT_EQ(d.suppressed_before, 0u);
  }
  for (int i = 0; i < 5; ++i)
    EXPECT_FALSE(limiter.Admit(t0 + std::chrono::milliseconds(100 * i)).log);
  EXPECT_FALSE(limiter.Admit(t0 + std::chrono::milliseconds(999)).log);
  // A new window: the first line carries the count of the six dropped ones, the next none.
  const LogRateLimiter::Decision first = limiter.Admit(t0 + std::chrono::seconds(1));
  EXPECT_TRUE(first.log);
  EXPECT_EQ(first.suppressed_before, 6u);
  const LogRateLimiter::Decision second = limiter.Admit(t0 + std::chrono::seconds(1));
  EXPECT_TRUE(second.log);
  EXPECT_EQ(second.suppressed_before, 0u);
}

// Keeps the lines given to the logger it is attached to.
class CapturingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// A frame holding a Request whose handshake's client_id (a proto3 string) is not UTF-8. Written
// byte by byte: protobuf itself would log while serializing it.
std::string InvalidUtf8Frame() {
  const std::string client_id = "\xff\xfe not utf-8";
  std::string handshake = "\x08\x01";  // protocol_major = 1
  handshake += '\x1a';                 // client_id = 3, length-delimited
  handshake += static_cast<char>(client_id.size());
  handshake += client_id;
  std::string request = "\x08\x07";  // correlation_id = 7
  request += '\x52';                 // handshake = 10, length-delimited
  request += static_cast<char>(handshake.size());
  request += handshake;
  std::string frame(4, '\0');
  PutBigEndian32(frame.data(), static_cast<uint32_t>(request.size()));
  return frame + request;
}

class ProtobufLogTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    sink_ = std::make_shared<CapturingSink>();
    ProtobufLog().sinks().push_back(sink_);
  }
  void TearDown() override {
    auto& sinks = ProtobufLog().sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    BrokerFixture::TearDown();
  }

  // Sends one invalid frame on a new connection; the broker answers INVALID_REQUEST and closes.
  void SendInvalidFrame() {
    RawConnection connection(broker_->port());
    ASSERT_TRUE(connection.connected());
    connection.SendAll(InvalidUtf8Frame());
    std::string reply;
    ASSERT_TRUE(connection.ReadUntilClose(&reply, std::chrono::seconds(10)));
    ASSERT_GT(reply.size(), 4u);
    proto::Response response;
    ASSERT_TRUE(response.ParseFromString(reply.substr(4)));
    EXPECT_EQ(response.error().code(), proto::INVALID_REQUEST);
  }

  size_t CountLines(const std::string& containing) {
    size_t n = 0;
    for (const std::string& line : sink_->Lines())
      n += line.find(containing) != std::string::npos ? 1 : 0;
    return n;
  }

  std::shared_ptr<CapturingSink> sink_;
};

TEST_F(ProtobufLogTest, InvalidUtf8FramesLogAFewLinesPerSecondThroughTheBrokerLogger) {
  // The limiter is process-wide: an earlier test may have used this second's lines. Send until one
  // arrives.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (CountLines("invalid UTF-8") == 0 && Clock::now() < deadline)
    ASSERT_NO_FATAL_FAILURE(SendInvalidFrame());
  ASSERT_GE(CountLines("invalid UTF-8"), 1u) << "protobuf's line did not reach the logger";

  constexpr int kFrames = 300;
  const size_t before = CountLines("invalid UTF-8");
  const auto start = Clock::now();
  for (int i = 0; i < kFrames; ++i)
    ASSERT_NO_FATAL_FAILURE(SendInvalidFrame());
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const size_t logged = CountLines("invalid UTF-8") - before;
  // At most one window's worth per started second of the burst, plus the window it began in.
  const auto bound = static_cast<size_t>(kProtobufLogLinesPerSecond * (std::ceil(seconds) + 1));
  EXPECT_LE(logged, bound) << kFrames << " frames in " << seconds << " s";

  // Once a window has passed, the next line says how many were dropped.
  const auto report_deadline = Clock::now() + std::chrono::seconds(10);
  while (CountLines("earlier protobuf log lines suppressed") == 0 &&
         Clock::now() < report_deadline) {
    ASSERT_NO_FATAL_FAILURE(SendInvalidFrame());
  }
  EXPECT_GE(CountLines("earlier protobuf log lines suppressed"), 1u);
}

}  // namespace
}  // namespace choreo::broker::testing

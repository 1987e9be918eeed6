// One plaintext Kafka connection driven by hand with the codec's encoders, for the requests no
// well-behaved client sends (kafka_kcat_test.cc, kafka_security_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "broker/kafka/request.h"
#include "tests/e2e/sized_frames.h"

namespace choreo::e2e {

class RawKafka {
 public:
  explicit RawKafka(uint16_t port) : socket_(io_) {
    asio::error_code ec;
    socket_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    EXPECT_FALSE(ec) << ec.message();
  }

  // An empty request body of `api_key`, to fill in.
  static kafka::Struct Request(int16_t api_key) {
    return kafka::NewMessage(kafka::FindApi(api_key)->request);
  }

  // Sends a request and reads its response body; nullopt if the broker closed the connection.
  std::optional<kafka::Struct> Call(int16_t api_key, int16_t version, const kafka::Struct& body) {
    std::string request;
    EXPECT_TRUE(
        kafka::EncodeRequest({api_key, version, ++correlation_, "raw"}, body, &request).ok());
    Send(request);
    std::optional<std::string> frame = Read();
    if (!frame) return std::nullopt;
    int32_t correlation = 0;
    absl::StatusOr<kafka::Struct> response =
        kafka::DecodeResponse(api_key, version, *frame, &correlation);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(correlation, correlation_);
    if (!response.ok()) return std::nullopt;
    return *std::move(response);
  }

  // One size-prefixed frame out; one in (nullopt: the connection was closed).
  void Send(std::string_view body) {
    std::string frame;
    kafka::AppendFrameSize(static_cast<uint32_t>(body.size()), &frame);
    frame.append(body);
    asio::error_code ec;
    asio::write(socket_, asio::buffer(frame), ec);
  }
  std::optional<std::string> Read() { return ReadSizedFrame(socket_); }

  // Whether the broker has closed the connection (reads EOF; blocks until it does or data comes).
  bool Closed() { return PeerClosed(socket_); }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  int32_t correlation_ = 0;
};

}  // namespace choreo::e2e

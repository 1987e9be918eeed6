#include "broker/metrics/metrics.h"

#include <gtest/gtest.h>

#include "broker/http/http_server.h"
#include "tests/broker/prometheus_text.h"

namespace choreo::broker {
namespace {

using testing::IsValidPrometheusText;

TEST(MetricsTest, CountersGaugesAndLabelsRender) {
  MetricsRegistry registry;
  registry.GetCounter("choreo_requests_total", "Requests handled.", {"api"}, {"produce"})
      ->Increment(3);
  registry.GetCounter("choreo_requests_total", "Requests handled.", {"api"}, {"fetch"})
      ->Increment();
  registry.GetGauge("choreo_connections", "Open connections.")->Set(7);
  const std::string text = registry.RenderPrometheusText();
  EXPECT_TRUE(IsValidPrometheusText(text)) << text;
  EXPECT_NE(text.find("choreo_requests_total{api=\"produce\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("choreo_requests_total{api=\"fetch\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE choreo_connections gauge\nchoreo_connections 7\n"), std::string::npos)
      << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  Histogram* h =
      registry.GetHistogram("choreo_fsync_seconds", "fsync latency.", {0.001, 0.01, 0.1});
  h->Observe(0.0005);
  h->Observe(0.005);
  h->Observe(0.005);
  h->Observe(5);
  const std::string text = registry.RenderPrometheusText();
  EXPECT_TRUE(IsValidPrometheusText(text)) << text;
  EXPECT_NE(text.find("choreo_fsync_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("choreo_fsync_seconds_bucket{le=\"0.01\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("choreo_fsync_seconds_bucket{le=\"0.1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("choreo_fsync_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("choreo_fsync_seconds_count 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("choreo_fsync_seconds_sum 5.0105\n"), std::string::npos) << text;
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.GetGauge("choreo_x", "x", {"topic"}, {"a\"b\\c\nd"})->Set(1);
  const std::string text = registry.RenderPrometheusText();
  EXPECT_TRUE(IsValidPrometheusText(text)) << text;
  EXPECT_NE(text.find(R"(choreo_x{topic="a\"b\\c\nd"} 1)"), std::string::npos) << text;
}

TEST(MetricsTest, CollectorsAddScrapeTimeSamples) {
  MetricsRegistry registry;
  registry.AddCollector([](SampleWriter& w) {
    w.Family("choreo_partition_high_watermark", "gauge", "Next offset.");
    w.Sample("choreo_partition_high_watermark", {{"topic", "orders"}, {"partition", "0"}}, 42);
  });
  const std::string text = registry.RenderPrometheusText();
  EXPECT_TRUE(IsValidPrometheusText(text)) << text;
  EXPECT_NE(text.find("choreo_partition_high_watermark{topic=\"orders\",partition=\"0\"} 42\n"),
            std::string::npos);
}

TEST(MetricsTest, ValidatorRejectsMalformedText) {
  EXPECT_FALSE(IsValidPrometheusText("choreo_x 1\n"));  // no TYPE
  EXPECT_FALSE(IsValidPrometheusText("# TYPE choreo_x gauge\nchoreo-x 1\n"));
  EXPECT_FALSE(IsValidPrometheusText("# TYPE choreo_x gauge\nchoreo_x{a=b} 1\n"));
  EXPECT_FALSE(IsValidPrometheusText("# TYPE choreo_x gauge\nchoreo_x one\n"));
  EXPECT_FALSE(IsValidPrometheusText("# TYPE choreo_x gauge\nchoreo_x 1"));  // no newline
  EXPECT_FALSE(IsValidPrometheusText("# TYPE choreo_x_total counter\nchoreo_x_total -1\n"));
  EXPECT_FALSE(IsValidPrometheusText(  // a family's samples must be contiguous
      "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"y\"} 1\n"));
  EXPECT_FALSE(IsValidPrometheusText(  // buckets must be cumulative
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n"
      "h_count 1\n"));
  EXPECT_FALSE(IsValidPrometheusText(  // +Inf must equal _count
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n"));
  EXPECT_TRUE(IsValidPrometheusText(
      "# HELP h help\n# TYPE h histogram\nh_bucket{a=\"b\",le=\"1\"} 1\n"
      "h_bucket{a=\"b\",le=\"+Inf\"} 2\nh_sum{a=\"b\"} 3\nh_count{a=\"b\"} 2\n"));
}

std::string HttpGet(uint16_t port, const std::string& request) {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(request));
  std::string out;
  asio::error_code ec;
  asio::read(s, asio::dynamic_buffer(out), ec);
  return out;
}

TEST(HttpServerTest, ServesRoutesAndRejectsOthers) {
  asio::io_context io;
  auto server = HttpServer::Start(io, "127.0.0.1:0", [](const HttpRequest& request) {
    if (request.method == "POST") return HttpResponse{.status = 405, .body = "GET only\n"};
    if (request.path == "/healthz") return HttpResponse{.body = "ok\n"};
    return HttpResponse{.status = 404, .body = "not found\n"};
  });
  ASSERT_TRUE(server.ok()) << server.status();
  auto guard = asio::make_work_guard(io);
  std::thread t([&] { io.run(); });
  const uint16_t port = (*server)->port();
  EXPECT_EQ(HttpGet(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").substr(0, 15),
            "HTTP/1.1 200 OK");
  EXPECT_NE(HttpGet(port, "GET /healthz HTTP/1.1\r\n\r\n").find("\r\n\r\nok\n"), std::string::npos);
  EXPECT_EQ(HttpGet(port, "GET /nope HTTP/1.1\r\n\r\n").substr(0, 12), "HTTP/1.1 404");
  EXPECT_EQ(HttpGet(port, "POST /healthz HTTP/1.1\r\n\r\n").substr(0, 12), "HTTP/1.1 405");
  EXPECT_EQ(HttpGet(port, "garbage\r\n\r\n").substr(0, 12), "HTTP/1.1 400");
  EXPECT_EQ(HttpGet(port, "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\n\r\n").substr(0, 12),
            "HTTP/1.1 400");
  asio::post(io, [&] { (*server)->Stop(); });
  guard.reset();
  io.stop();
  t.join();
}

}  // namespace
}  // namespace choreo::broker

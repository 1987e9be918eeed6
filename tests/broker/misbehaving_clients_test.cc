// Hundreds of misbehaving connections against one broker: silent ones, partial frames, oversize
// lengths, garbage, connections over the limit, handshaken-then-idle ones, and producers that
// pipeline without reading their responses. Throughout, a well-behaved client keeps producing and
// fetching successfully; the broker's memory stays bounded (RSS measured); every limit's metric
// moves; and in the end every misbehaving connection is gone.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "choreo/proto/frame.h"
#include "tests/broker/broker_fixture.h"
#include "tests/broker/ops_test_util.h"
#include "tests/broker/prometheus_text.h"
#include "tests/broker/raw_connection.h"

namespace choreo::broker::testing {
namespace {

constexpr int kMaxConnections = 250;

class MisbehavingClientsTest : public BrokerFixture {
 protected:
  void SetUp() override {
    BrokerFixture::SetUp();
    RaiseFileLimit();
    BrokerOptions options = DefaultOptions();
    options.http_listen = "127.0.0.1:0";
    options.max_connections = kMaxConnections;
    options.max_in_flight = 8;
    options.max_pending_produce_bytes = 256 << 10;
    options.max_fetch_bytes = 256 << 10;
    options.handshake_timeout = absl::Milliseconds(500);
    options.idle_timeout = absl::Seconds(1);
    // Storage memory is not what this test measures: keep memtables and cache small.
    options.store.write_buffer_bytes = 1 << 20;
    options.store.block_cache_bytes = 8 << 20;
    StartBroker(options);
  }

  std::map<std::string, double> Scrape() {
    return ParseSamples(HttpGet(broker_->http_port(), "/metrics").body);
  }
  double Metric(const std::string& series) {
    std::map<std::string, double> samples = Scrape();
    auto it = samples.find(series);
    return it == samples.end() ? -1 : it->second;
  }
};

// The well-behaved client: produce one batch, fetch it back, repeat; every answer must be right.
struct GoodClient {
  std::atomic<bool> stop{false};
  std::atomic<int> rounds{0};
  std::atomic<int64_t> max_round_ms{0};
  std::string failure;

  void Run(uint16_t port) {
    TestClient client(port);
    if (!client.Handshake()) return Fail("handshake failed");
    int64_t offset = 0;
    while (!stop) {
      const auto start = std::chrono::steady_clock::now();
      std::optional<proto::Response> produced =
          client.Call(ProduceRequest("good", 0, MakeBatch(2, "g")));
      if (!produced || produced->error().code() != proto::NONE) return Fail("produce failed");
      if (produced->produce().base_offset() != offset) return Fail("unexpected offset");
      proto::Request fetch = FetchRequest("good", 0, offset);
      fetch.mutable_fetch()->set_max_bytes(64 << 20);  // over the cap: clamped, and counted
      std::optional<proto::Response> fetched = client.Call(fetch);
      if (!fetched || fetched->fetch().partitions(0).batches_size() != 1)
        return Fail("fetch failed");
      offset += 2;
      const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
      if (ms > max_round_ms) max_round_ms = ms;
      ++rounds;
    }
  }
  void Fail(const std::string& why) {
    failure = why + " after " + std::to_string(rounds) + " rounds";
  }
};

std::string Frame(proto::Request request) {
  std::string frame;
  EXPECT_TRUE(proto::AppendFrame(request, &frame));
  return frame;
}

std::string HandshakeFrame() {
  proto::Request request;
  request.set_correlation_id(1);
  request.mutable_handshake()->set_protocol_major(1);
  request.mutable_handshake()->set_client_id("misbehaving");
  return Frame(request);
}

std::string ProduceFrame(const std::string& topic, size_t value_bytes, uint64_t correlation_id) {
  proto::Request request = ProduceRequest(topic, 0, MakeBatch(1, std::string(value_bytes, 'f')));
  request.set_correlation_id(correlation_id);
  return Frame(request);
}

std::string Header(uint32_t length) {
  return std::string{static_cast<char>(length >> 24), static_cast<char>(length >> 16),
                     static_cast<char>(length >> 8), static_cast<char>(length)};
}

// A producer that pipelines `frames_left` copies of one produce frame and never reads.
struct Flood {
  RawConnection* connection;
  const std::string* frame;
  int frames_left;
  size_t offset = 0;  // into the current frame
};

// One non-blocking write per flood; collects those with bytes left. True if any byte went out.
bool PushFloods(std::vector<Flood>& floods, std::vector<RawConnection*>* unfinished) {
  bool progress = false;
  for (Flood& flood : floods) {
    if (flood.frames_left == 0) continue;
    const size_t n = flood.connection->TrySend(std::string_view(*flood.frame).substr(flood.offset));
    flood.offset += n;
    progress = progress || n > 0;
    if (flood.offset == flood.frame->size()) {
      flood.offset = 0;
      --flood.frames_left;
    }
    if (flood.frames_left > 0) unfinished->push_back(flood.connection);
  }
  return progress;
}

TEST_F(MisbehavingClientsTest, BrokerStaysServingAndBoundedWhileClientsMisbehave) {
  {
    auto admin = Connect();
    CreateTopic(*admin, "good", 1);
    CreateTopic(*admin, "flood", 1);
  }
  GoodClient good;
  std::thread good_thread([&] { good.Run(broker_->port()); });
  ASSERT_TRUE(WaitUntil([&] { return good.rounds > 10 || !good.failure.empty(); }));
  const RssSample baseline = ReadRss();
  ResetPeakRss();

  std::mt19937 random(42);
  std::vector<std::unique_ptr<RawConnection>> attackers;
  std::vector<const char*> kinds;  // what each attacker does, for failure messages
  auto open = [&](const char* kind, int rcvbuf = 0) -> RawConnection& {
    attackers.push_back(std::make_unique<RawConnection>(broker_->port(), rcvbuf));
    kinds.push_back(kind);
    return *attackers.back();
  };
  // Long-lived misbehaviour first, so that it is admitted (not refused for the limit).
  // Producers that never read their responses (tiny receive buffers fill at once): small
  // pipelined requests, 60 KiB batches, and frames over the batch limit (read in full first).
  // The frames are shared, so the test itself stays small next to the broker it measures.
  const std::string small = ProduceFrame("flood", 100, 2);
  const std::string medium = ProduceFrame("flood", 60'000, 2);
  const std::string large = ProduceFrame("flood", 100'000, 2);
  std::vector<Flood> floods;
  for (int i = 0; i < 30; ++i) {
    RawConnection& connection = open("flood", /*rcvbuf=*/4096);
    connection.SendAll(HandshakeFrame());
    floods.push_back(i < 10   ? Flood{&connection, &small, 300}
                     : i < 25 ? Flood{&connection, &medium, 40}
                              : Flood{&connection, &large, 40});
  }
  // They start at once: opening everything else may take longer than the idle timeout.
  std::vector<RawConnection*> unused;
  PushFloods(floods, &unused);
  // Handshaken, then silent, or stuck in the middle of a small or a large frame.
  for (int i = 0; i < 15; ++i)
    open("idle").SendAll(HandshakeFrame());
  for (int i = 0; i < 15; ++i)
    open("half frame").SendAll(HandshakeFrame() + ProduceFrame("flood", 1000, 2).substr(0, 300));
  for (int i = 0; i < 5; ++i)
    open("half large frame")
        .SendAll(HandshakeFrame() + ProduceFrame("flood", 200 << 10, 2).substr(0, 70'000));
  // Immediate protocol errors.
  for (int i = 0; i < 30; ++i)
    open("oversize").SendAll(Header(0xFFFFFFF0));  // oversize length
  for (int i = 0; i < 20; ++i) {                   // garbage in a well-formed frame
    std::string body(40, '\0');
    for (char& c : body)
      c = static_cast<char>(random());
    open("garbage frame").SendAll(Header(40) + body);
  }
  for (int i = 0; i < 20; ++i) {  // garbage, length included
    std::string junk(64, '\0');
    for (char& c : junk)
      c = static_cast<char>(random());
    open("garbage").SendAll(junk);
  }
  for (int i = 0; i < 20; ++i)
    open("large unshaken").SendAll(Header(512 << 10) + "abc");  // large, unshaken
  // Partial frames before the handshake, then a burst of silent connections: the last ones go
  // over the connection limit even if the short-lived ones above are gone already.
  for (int i = 0; i < 60; ++i)
    open("partial unshaken").SendAll(Header(200) + std::string(20, 'h'));
  for (int i = 0; i < 200; ++i)
    open("silent");
  ASSERT_GT(attackers.size(), static_cast<size_t>(kMaxConnections));

  // Push the floods for as long as the broker takes their bytes (it stops reading them).
  const auto flood_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < flood_deadline) {
    std::vector<RawConnection*> flooders;  // those with bytes left to send
    const bool progress = PushFloods(floods, &flooders);
    if (flooders.empty()) break;
    if (!progress && !RawConnection::WaitAnyWritable(flooders, std::chrono::milliseconds(300)))
      break;  // the broker reads none of them any more
  }

  // Every limit triggers...
  const std::vector<std::string> limits = {
      "max_connections",           "max_in_flight",     "max_frame_bytes", "max_fetch_bytes",
      "max_pending_produce_bytes", "handshake_timeout", "idle_timeout"};
  std::map<std::string, double> samples;
  EXPECT_TRUE(WaitUntil([&] {
    samples = Scrape();
    for (const std::string& limit : limits)
      if (samples["choreo_limit_hits_total{limit=\"" + limit + "\"}"] <= 0) return false;
    return true;
  }));
  for (const std::string& limit : limits)
    EXPECT_GT(samples["choreo_limit_hits_total{limit=\"" + limit + "\"}"], 0) << limit;
  EXPECT_GT(samples["choreo_protocol_errors_total{reason=\"unparsable_frame\"}"] +
                samples["choreo_protocol_errors_total{reason=\"handshake_required\"}"],
            0);

  // ...and no misbehaving connection holds on: only the good client is left.
  EXPECT_TRUE(WaitUntil([&] { return Metric("choreo_connections") == 1; }))
      << "connections still open: " << Metric("choreo_connections");
  for (size_t i = 0; i < attackers.size(); ++i)
    EXPECT_TRUE(attackers[i]->WaitForClose(std::chrono::seconds(5))) << kinds[i] << " #" << i;

  const RssSample peak = ReadRss();
  const int rounds_during_attack = good.rounds;
  good.stop = true;
  good_thread.join();
  EXPECT_EQ(good.failure, "");
  EXPECT_EQ(Metric("choreo_produce_pending_bytes"), 0) << "produce memory leaked from the budget";
  EXPECT_GT(rounds_during_attack, 20);
  std::printf(
      "misbehaving clients: %zu connections; good client %d rounds, slowest %lld ms; RSS "
      "baseline %lld KiB, peak %lld KiB (+%lld KiB), now %lld KiB\n",
      attackers.size(), rounds_during_attack, static_cast<long long>(good.max_round_ms.load()),
      static_cast<long long>(baseline.rss_kib), static_cast<long long>(peak.peak_kib),
      static_cast<long long>(peak.peak_kib - baseline.rss_kib),
      static_cast<long long>(peak.rss_kib));
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // The budget (256 KiB) plus a read chunk per connection (~4 KiB) and the partial large frames'
  // reservations: a few MiB. 64 MiB leaves room for allocator slack and RocksDB's background work.
  EXPECT_LT(peak.peak_kib - baseline.rss_kib, 64 * 1024);
#endif
}

}  // namespace
}  // namespace choreo::broker::testing

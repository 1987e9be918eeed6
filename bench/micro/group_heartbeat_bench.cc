// What a heartbeat of a steady group costs against the number of topics in the broker, for a
// member subscribed by pattern. A group resolves its subscriptions (a pattern is matched against
// every topic) only when the topics or the subscriptions changed (ConsumerGroup::Refresh);
// `/1` makes the topics "change" before every heartbeat, which is what every heartbeat cost
// before that cache (bench/RESULTS.md, "Group heartbeats against the topic count").
#include <benchmark/benchmark.h>

#include <absl/time/time.h>

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "broker/group/coordinator.h"

namespace choreo::broker {
namespace {

class BenchTopics final : public TopicSource {
 public:
  BenchTopics(int count, bool churn) : churn_(churn) {
    for (int i = 0; i < count; ++i) {
      // One topic in 1000 matches the pattern below.
      const std::string name = (i % 1000 == 0 ? "orders." : "other.") + std::to_string(i);
      storage::TopicInfo& info = topics_[name];
      info.id = static_cast<storage::TopicId>(i + 1);
      info.name = name;
      info.config.partitions = 4;
    }
  }
  std::optional<storage::TopicInfo> Find(std::string_view name) const override {
    auto it = topics_.find(std::string(name));
    if (it == topics_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<storage::TopicInfo> List() const override {
    std::vector<storage::TopicInfo> out;
    out.reserve(topics_.size());
    for (const auto& [name, info] : topics_)
      out.push_back(info);
    return out;
  }
  uint64_t generation() const override {
    return churn_ ? generation_.fetch_add(1, std::memory_order_relaxed) + 1 : 0;
  }

 private:
  const bool churn_;
  mutable std::atomic<uint64_t> generation_{0};
  std::map<std::string, storage::TopicInfo> topics_;
};

void BM_GroupHeartbeat(benchmark::State& state) {
  BenchTopics topics(static_cast<int>(state.range(0)), state.range(1) != 0);
  GroupCoordinator coordinator(GroupOptions{}, topics);
  const absl::Time now = absl::FromUnixSeconds(1'000'000);
  HeartbeatInput join;
  join.member_epoch = kJoinEpoch;
  join.subscribed_pattern = "orders\\..*";
  join.session_timeout_ms = 60'000;
  absl::StatusOr<HeartbeatOutput> out = coordinator.Heartbeat("bench", join, now);
  if (!out.ok() || out->assignment.empty()) {
    state.SkipWithError("join failed");
    return;
  }
  HeartbeatInput beat;
  beat.member_id = out->member_id;
  beat.owned = out->assignment;
  for (auto _ : state) {
    beat.member_epoch = out->member_epoch;
    out = coordinator.Heartbeat("bench", beat, now);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}
// {topics in the broker, re-resolve on every heartbeat}
BENCHMARK(BM_GroupHeartbeat)
    ->ArgNames({"topics", "resolve_each"})
    ->Args({100, 0})
    ->Args({10'000, 0})
    ->Args({100, 1})
    ->Args({10'000, 1});

}  // namespace
}  // namespace choreo::broker

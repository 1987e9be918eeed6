#include "broker/metrics/saga_collector.h"

#include <absl/time/clock.h>

#include <memory>
#include <vector>

#include "choreo/common/mutex.h"

namespace choreo::broker {
namespace {

class SagaCounts {
 public:
  SagaCounts(const storage::LogStore& store, absl::Duration refresh)
      : store_(store), refresh_(refresh) {}

  void Collect(SampleWriter& writer) {
    std::vector<storage::OpenSagaCount> counts = Current();
    writer.Family("choreo_sagas_open", "gauge",
                  "Sagas of the definition opened and not closed by a terminal event.");
    for (const storage::OpenSagaCount& c : counts)
      writer.Sample("choreo_sagas_open", {{"saga", c.definition}}, static_cast<double>(c.open));
    writer.Family("choreo_sagas_stuck", "gauge",
                  "Open sagas of the definition older than its deadline (choreo saga stuck).");
    for (const storage::OpenSagaCount& c : counts)
      writer.Sample("choreo_sagas_stuck", {{"saga", c.definition}}, static_cast<double>(c.stuck));
  }

 private:
  std::vector<storage::OpenSagaCount> Current() {
    MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (now - counted_at_ < refresh_) return counts_;
    absl::StatusOr<std::vector<storage::OpenSagaCount>> counts =
        store_.CountOpenSagas(absl::ToUnixMillis(now));
    // On an error (store closing) keep the last counts rather than report zero.
    if (counts.ok()) {
      counts_ = *std::move(counts);
      counted_at_ = now;
    }
    return counts_;
  }

  const storage::LogStore& store_;
  const absl::Duration refresh_;
  Mutex mu_;
  absl::Time counted_at_ CHOREO_GUARDED_BY(mu_) = absl::InfinitePast();
  std::vector<storage::OpenSagaCount> counts_ CHOREO_GUARDED_BY(mu_);
};

}  // namespace

void RegisterSagaCollector(MetricsRegistry& registry, const storage::LogStore& store,
                           absl::Duration refresh) {
  auto counts = std::make_shared<SagaCounts>(store, refresh);
  registry.AddCollector([counts](SampleWriter& writer) { counts->Collect(writer); });
}

}  // namespace choreo::broker

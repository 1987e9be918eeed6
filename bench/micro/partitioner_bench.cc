#include <benchmark/benchmark.h>

#include <string>

#include "choreo/client/partitioner.h"

namespace choreo {
namespace {

void BM_DefaultPartitionForKey(benchmark::State& state) {
  const std::string key = "order-" + std::string(state.range(0), '7');
  for (auto _ : state)
    benchmark::DoNotOptimize(DefaultPartitionForKey(key, 12));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DefaultPartitionForKey)->Arg(4)->Arg(32);

}  // namespace
}  // namespace choreo

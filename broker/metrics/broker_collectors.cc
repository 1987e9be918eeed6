#include "broker/metrics/broker_collectors.h"

#include <vector>

#include "broker/metrics/storage_metrics.h"
#include "broker/metrics/system_collectors.h"

namespace choreo::broker {

void RegisterBrokerCollectors(BrokerMetrics& metrics, const TopicTable& topics,
                              const storage::LogStore& store, const std::string& data_dir) {
  PartitionStats& partitions = metrics.partitions();
  metrics.registry().AddCollector([&topics, &store, &partitions](SampleWriter& writer) {
    const std::vector<storage::TopicInfo> list = topics.List();
    writer.Family("choreo_topics", "gauge", "Topics in the store.");
    writer.Sample("choreo_topics", {}, static_cast<double>(list.size()));
    partitions.Collect(writer, list, store);
  });
  metrics.registry().AddCollector(
      [data_dir](SampleWriter& writer) { CollectDataDirSize(writer, data_dir); });
  metrics.registry().AddCollector(
      [&store](SampleWriter& writer) { CollectDbStats(writer, store); });
  metrics.registry().AddCollector(
      [&store](SampleWriter& writer) { CollectWriteHealth(writer, store); });
  metrics.registry().AddCollector(CollectProcessMetrics);
}

}  // namespace choreo::broker

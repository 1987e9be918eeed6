// /api/records: a page of one partition's records, from an offset, from a time, or the newest.

#include <algorithm>
#include <limits>

#include "broker/http/console_util.h"
#include "broker/http/record_reader.h"

namespace choreo::broker::console {
namespace {

constexpr int64_t kDefaultLimit = 50;
constexpr int64_t kMaxLimit = 500;
constexpr int64_t kDefaultValueBytes = 4096;
constexpr int64_t kMaxValueBytes = 64 * 1024;
// Batches read for one page at most: a page of small records never needs more, and a huge batch
// cannot make one request read without bound.
constexpr uint64_t kMaxReadBytes = 8ull << 20;

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

}  // namespace

HttpResponse Records(ConsoleServices& services, const HttpRequest& request) {
  std::string error;
  std::optional<std::string> topic_name =
      RequiredParam(request, "topic", storage::kMaxTopicNameLength, &error);
  if (!topic_name) return Error(400, error);
  std::optional<storage::TopicInfo> topic = services.topics.Find(*topic_name);
  if (!topic) return Error(404, Cat("unknown topic '", *topic_name, "'"), "UNKNOWN_TOPIC");
  const IntParam partition =
      ParseInt(request, "partition", 0, 0, static_cast<int64_t>(topic->config.partitions) - 1);
  const IntParam limit = ParseInt(request, "limit", kDefaultLimit, 1, kMaxLimit);
  const IntParam value_bytes =
      ParseInt(request, "max_value_bytes", kDefaultValueBytes, 0, kMaxValueBytes);
  const IntParam offset_param = ParseInt(request, "offset", -1, 0, kMaxInt);
  const IntParam timestamp = ParseInt(request, "timestamp", -1, 0, kMaxInt);
  for (const IntParam* p : {&partition, &limit, &value_bytes, &offset_param, &timestamp}) {
    if (!p->error.empty()) return Error(400, p->error);
  }
  const auto p = static_cast<storage::PartitionId>(partition.value);
  absl::StatusOr<storage::PartitionOffsets> offsets = services.store.GetOffsets(topic->name, p);
  if (!offsets.ok()) return Error(offsets.status());

  // Where the page starts: an offset, the first record at or after a time, else the newest page.
  storage::Offset from =
      std::max<storage::Offset>(offsets->log_start_offset, offsets->high_watermark - limit.value);
  if (offset_param.value >= 0) {
    from = offset_param.value;
  } else if (timestamp.value >= 0) {
    absl::StatusOr<storage::Offset> at =
        services.store.OffsetForTimestamp(topic->name, p, timestamp.value);
    if (!at.ok()) return Error(at.status());
    from = *at < 0 ? offsets->high_watermark : *at;
  }
  from = std::clamp(from, offsets->log_start_offset, offsets->high_watermark);

  JsonWriter json;
  json.BeginObject().Field("topic", topic->name).Field("partition", p);
  json.Field("log_start_offset", offsets->log_start_offset);
  json.Field("high_watermark", offsets->high_watermark).Field("from", from);
  json.Key("records").BeginArray();
  int64_t count = 0;
  absl::StatusOr<storage::Offset> next =
      VisitRecords(services.store, topic->name, p, from, offsets->high_watermark, kMaxReadBytes,
                   [&](storage::Offset offset, const proto::RecordView& record) {
                     WriteRecordJson(json, offset, record, static_cast<size_t>(value_bytes.value));
                     return ++count < limit.value;
                   });
  if (!next.ok()) return Error(next.status());
  json.EndArray().Field("next_offset", *next).EndObject();
  return Json(std::move(json));
}

}  // namespace choreo::broker::console

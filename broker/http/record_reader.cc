#include "broker/http/record_reader.h"

#include <algorithm>
#include <string>
#include <vector>

#include "broker/http/console_util.h"
#include "broker/http/protobuf_raw.h"

namespace choreo::broker::console {
namespace {

constexpr uint64_t kReadChunkBytes = 1 << 20;
constexpr size_t kMaxHeaderValueBytes = 4096;
constexpr size_t kMaxKeyBytes = 1024;

// Text a person can read: valid UTF-8 without control characters other than tab and newlines.
bool IsPrintable(std::string_view bytes) {
  if (!IsValidUtf8(bytes)) return false;
  return std::none_of(bytes.begin(), bytes.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\n' && u != '\r' && u != '\t') || u == 0x7F;
  });
}

// `bytes` cut to at most `max` bytes, backing off so no UTF-8 sequence is split.
std::string_view Truncate(std::string_view bytes, size_t max) {
  if (bytes.size() <= max) return bytes;
  size_t end = max;
  // bytes[end] is the first byte cut off; while it continues a sequence, cut that sequence too.
  for (int i = 0; i < 3 && end > 0 && (static_cast<unsigned char>(bytes[end]) & 0xC0) == 0x80; ++i)
    --end;
  return bytes.substr(0, end);
}

// {"size", "encoding": "text"|"base64", "text"|"base64", "truncated"}
void WriteBytes(JsonWriter& json, std::string_view bytes, size_t max) {
  const std::string_view shown = Truncate(bytes, max);
  json.BeginObject().Field("size", static_cast<uint64_t>(bytes.size()));
  if (IsPrintable(shown)) {
    json.Field("encoding", "text").Field("text", shown);
  } else {
    json.Field("encoding", "base64").Field("base64", Base64(shown));
  }
  json.Field("truncated", shown.size() < bytes.size()).EndObject();
}

bool IsJsonType(std::string_view type) {
  type = type.substr(0, type.find(';'));
  return type == "application/json" || (type.size() > 5 && type.substr(type.size() - 5) == "+json");
}

bool IsProtobufType(std::string_view type) {
  type = type.substr(0, type.find(';'));
  return type == "application/protobuf" || type == "application/x-protobuf" ||
         type == "application/vnd.google.protobuf";
}

void WriteValue(JsonWriter& json, std::string_view value, std::string_view content_type,
                size_t max) {
  const std::string_view shown = Truncate(value, max);
  json.BeginObject().Field("size", static_cast<uint64_t>(value.size()));
  json.Field("content_type", content_type).Field("truncated", shown.size() < value.size());
  if (value.empty()) {
    json.Field("encoding", "empty");
  } else if (IsJsonType(content_type) && IsValidUtf8(shown)) {
    json.Field("encoding", "json").Field("text", shown);
  } else if (IsProtobufType(content_type)) {
    json.Field("encoding", "protobuf").Field("base64", Base64(shown));
    json.Field("note",
               "protobuf: without a schema registry the broker cannot show it as JSON; these are "
               "its raw fields (field numbers, not names)");
    // Only a whole payload decodes; a truncated one would show garbage at the cut.
    if (shown.size() == value.size()) {
      json.Key("fields");
      if (!WriteRawProtobuf(json, value)) json.Null();
    }
  } else if (IsPrintable(shown)) {
    json.Field("encoding", "text").Field("text", shown);
  } else {
    json.Field("encoding", "base64").Field("base64", Base64(shown));
  }
  json.EndObject();
}

}  // namespace

std::optional<std::string_view> FindHeader(const proto::RecordView& record, std::string_view key) {
  std::optional<std::string_view> found;
  proto::ForEachHeader(record.headers_encoded, [&](const proto::HeaderView& h) {
    if (h.key == key) found = h.value;
  });
  return found;
}

absl::StatusOr<storage::Offset> VisitRecords(const storage::LogStore& store, std::string_view topic,
                                             storage::PartitionId partition, storage::Offset offset,
                                             storage::Offset end, uint64_t max_read_bytes,
                                             const RecordVisitor& visit) {
  absl::StatusOr<storage::PartitionOffsets> offsets = store.GetOffsets(topic, partition);
  if (!offsets.ok()) return offsets.status();
  storage::Offset next = std::max(offset, offsets->log_start_offset);
  end = std::min(end, offsets->high_watermark);
  uint64_t read_bytes = 0;
  bool stopped = false;
  std::string scratch;
  while (!stopped && next < end && read_bytes < max_read_bytes) {
    absl::StatusOr<storage::ReadResult> read =
        store.Read(topic, partition, next, std::min(kReadChunkBytes, max_read_bytes - read_bytes));
    if (!read.ok()) {
      // Retention moved the log start past `next` meanwhile: go on from the new start.
      if (read.status().code() == absl::StatusCode::kOutOfRange) {
        absl::StatusOr<storage::PartitionOffsets> now = store.GetOffsets(topic, partition);
        if (now.ok() && now->log_start_offset > next) {
          next = now->log_start_offset;
          continue;
        }
      }
      return read.status();
    }
    if (read->batches.empty()) break;
    for (const storage::StoredBatch& batch : read->batches) {
      read_bytes += batch.data.size();
      proto::BatchView view;
      std::string_view payload;
      std::string error;
      if (proto::OpenBatch(batch.data, &view, &scratch, &payload, &error) != proto::NONE) {
        return absl::DataLossError(
            Cat("batch at offset ", batch.base_offset, " of ", topic, "/", partition, ": ", error));
      }
      storage::Offset record_offset = batch.base_offset;
      const bool parsed = proto::ForEachRecord(payload, [&](const proto::RecordView& record) {
        const storage::Offset o = record_offset++;
        if (stopped || o < next || o >= end) return;
        proto::RecordView shown = record;
        // A batch the broker stamped (log-append-time topic): its time is every record's.
        if (view.log_append_time_ms > 0) shown.timestamp_ms = view.log_append_time_ms;
        if (!visit(o, shown)) stopped = true;
        next = o + 1;
      });
      if (!parsed) {
        return absl::DataLossError(Cat("batch at offset ", batch.base_offset, " of ", topic, "/",
                                       partition, " does not decode"));
      }
      if (stopped || next >= end) break;
      next = std::max(next, batch.next_offset());
    }
  }
  return next;
}

void WriteRecordJson(JsonWriter& json, storage::Offset offset, const proto::RecordView& record,
                     size_t max_value_bytes) {
  json.BeginObject().Field("offset", offset).Field("timestamp_ms", record.timestamp_ms);
  json.Key("key");
  WriteBytes(json, record.key, kMaxKeyBytes);
  json.Key("headers").BeginArray();
  std::string_view content_type;
  bool enveloped = false;
  proto::ForEachHeader(record.headers_encoded, [&](const proto::HeaderView& h) {
    json.BeginObject().Field("key", Truncate(h.key, kMaxKeyBytes));
    json.Field("value", Truncate(h.value, kMaxHeaderValueBytes)).EndObject();
    if (h.key == "ce_datacontenttype") content_type = h.value;
    if (h.key == "ce_id") enveloped = true;
  });
  json.EndArray();
  json.Key("envelope");
  if (enveloped) {
    json.BeginObject();
    static constexpr std::pair<std::string_view, std::string_view> kFields[] = {
        {"ce_id", "id"},
        {"ce_type", "type"},
        {"ce_source", "source"},
        {"ce_time", "time"},
        {"ce_correlationid", "saga_id"},
        {"ce_causationid", "causation_id"},
        {"ce_datacontenttype", "content_type"},
        {"ce_dataschema", "data_schema"},
        {"traceparent", "traceparent"},
    };
    for (const auto& [header, field] : kFields) {
      if (std::optional<std::string_view> v = FindHeader(record, header))
        json.Field(field, Truncate(*v, kMaxHeaderValueBytes));
    }
    json.EndObject();
  } else {
    json.Null();
  }
  json.Key("value");
  WriteValue(json, record.value, content_type, max_value_bytes);
  json.EndObject();
}

}  // namespace choreo::broker::console

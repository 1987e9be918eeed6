#include "broker/schema/schema_validation.h"

#include <charconv>

#include "broker/schema/schema_registry.h"
#include "choreo/proto/record_wire.h"

namespace choreo::broker {
namespace {

// The saga envelope's headers (client/include/choreo/saga/envelope.h); the broker does not link
// the saga library.
constexpr std::string_view kType = "ce_type";
constexpr std::string_view kDataSchema = "ce_dataschema";
constexpr std::string_view kSchemaPrefix = "urn:choreo:schema:";

}  // namespace

uint32_t DataSchemaVersion(std::string_view data_schema, std::string_view type) {
  if (data_schema.empty()) return 1;
  if (!data_schema.starts_with(kSchemaPrefix)) return 0;
  data_schema.remove_prefix(kSchemaPrefix.size());
  if (!data_schema.starts_with(type)) return 0;
  data_schema.remove_prefix(type.size());
  if (!data_schema.starts_with(":v")) return 0;
  data_schema.remove_prefix(2);
  uint32_t version = 0;
  auto [end, ec] =
      std::from_chars(data_schema.data(), data_schema.data() + data_schema.size(), version);
  if (ec != std::errc() || end != data_schema.data() + data_schema.size()) return 0;
  return version;
}

proto::ErrorCode CheckRecordSchemas(const SchemaRegistry& schemas, std::string_view topic,
                                    std::string_view batch, uint32_t record_count,
                                    std::string* message) {
  proto::BatchView view;
  std::string scratch, error;
  std::string_view payload;
  if (proto::OpenBatch(batch, &view, &scratch, &payload, &error) != proto::NONE) {
    *message = error;
    return proto::CORRUPT_MESSAGE;
  }
  const std::string where = "topic '" + std::string(topic) + "' accepts only registered schemas: ";
  uint32_t index = 0;
  std::string refusal;
  proto::ForEachRecord(payload, [&](const proto::RecordView& record) {
    const uint32_t position = index++;
    if (!refusal.empty()) return;
    std::string_view type, data_schema;
    proto::ForEachHeader(record.headers_encoded, [&](const proto::HeaderView& h) {
      if (h.key == kType) {
        type = h.value;
      } else if (h.key == kDataSchema) {
        data_schema = h.value;
      }
    });
    const std::string record_name = "record " + std::to_string(position) + " of the batch";
    if (type.empty()) {
      refusal = where + record_name + " has no ce_type header (not an enveloped event)";
      return;
    }
    const uint32_t version = DataSchemaVersion(data_schema, type);
    if (version == 0) {
      refusal = where + record_name + " of type " + std::string(type) + " has ce_dataschema '" +
                std::string(data_schema) + "', expected urn:choreo:schema:" + std::string(type) +
                ":v<N>";
      return;
    }
    const uint32_t latest = schemas.LatestVersion(type);
    if (version > latest) {
      refusal = where + record_name + " has type " + std::string(type) + " version " +
                std::to_string(version) + ", which is not registered" +
                (latest == 0 ? std::string(" (no version of the type is)")
                             : " (latest: v" + std::to_string(latest) + ")");
    }
  });
  if (refusal.empty()) return proto::NONE;
  schemas.CountRejected(record_count);
  *message = std::move(refusal);
  return proto::UNKNOWN_SCHEMA;
}

}  // namespace choreo::broker

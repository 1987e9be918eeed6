// Schema validation on produce (topic config schema_validation): a batch is accepted only when
// every record is enveloped (has a ce_type header) with a registered type and version. The
// version is the one in ce_dataschema ("urn:choreo:schema:<ce_type>:v<N>"), 1 when the header is
// absent (as the saga layer reads it). Only the registry's in-memory view is consulted: no I/O
// and no payload decoding, so it costs one pass over the record headers.
#pragma once

#include <string>
#include <string_view>

#include "choreo/proto/choreo.pb.h"

namespace choreo::broker {

class SchemaRegistry;

// NONE, or UNKNOWN_SCHEMA with `*message` naming the topic, the record's position in the batch,
// its type and version (CORRUPT_MESSAGE for a batch that does not open, which ValidateBatch has
// already excluded). Counts the batch's records as rejected in the registry's metric when it
// refuses.
proto::ErrorCode CheckRecordSchemas(const SchemaRegistry& schemas, std::string_view topic,
                                    std::string_view batch, uint32_t record_count,
                                    std::string* message);

// The version in a ce_dataschema value for `type`: 1 for "", 0 when it is not
// "urn:choreo:schema:<type>:v<N>" with N >= 1.
uint32_t DataSchemaVersion(std::string_view data_schema, std::string_view type);

}  // namespace choreo::broker

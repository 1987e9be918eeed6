// A schema-less view of a protobuf payload, like `protoc --decode_raw`: field numbers with their
// wire values, for the console's record browser until the broker knows schemas.
#pragma once

#include <string_view>

#include "choreo/common/json_writer.h"

namespace choreo::broker::console {

// Writes `bytes` as a JSON array of {"field": N, "wire": "varint"|"fixed64"|"fixed32"|"bytes",
// "value": number | string | [nested fields] | {"base64": ...}} if it parses as a protobuf message
// (length-delimited fields that parse as messages are shown nested, up to a few levels; others as
// text when printable, else base64). Writes nothing and returns false if it does not parse. At
// most 200 fields are shown in all.
bool WriteRawProtobuf(JsonWriter& json, std::string_view bytes);

}  // namespace choreo::broker::console

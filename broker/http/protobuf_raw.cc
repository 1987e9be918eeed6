#include "broker/http/protobuf_raw.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "broker/http/console_util.h"
#include "choreo/proto/record_wire.h"

namespace choreo::broker::console {
namespace {

constexpr int kMaxDepth = 4;
constexpr size_t kMaxFields = 200;

struct RawField {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  uint64_t number_value = 0;  // varint, fixed64 or fixed32
  std::string_view bytes;     // length-delimited
};

// Splits `bytes` into fields; false unless the whole input parses (groups are not supported).
bool Split(std::string_view bytes, std::vector<RawField>* fields) {
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  while (p < end) {
    uint64_t tag = 0;
    if (!proto::wire::GetVarint(&p, end, &tag)) return false;
    RawField f;
    f.number = static_cast<uint32_t>(tag >> 3);
    f.wire_type = static_cast<uint32_t>(tag & 7);
    if (f.number == 0 || (tag >> 3) > 536870911) return false;
    switch (f.wire_type) {
      case 0:
        if (!proto::wire::GetVarint(&p, end, &f.number_value)) return false;
        break;
      case 1:
      case 5: {
        const size_t n = f.wire_type == 1 ? 8 : 4;
        if (static_cast<size_t>(end - p) < n) return false;
        uint64_t v = 0;
        std::memcpy(&v, p, n);  // little-endian on the hosts choreo supports
        f.number_value = v;
        p += n;
        break;
      }
      case 2: {
        uint64_t length = 0;
        if (!proto::wire::GetVarint(&p, end, &length) || length > static_cast<uint64_t>(end - p)) {
          return false;
        }
        f.bytes = std::string_view(p, length);
        p += length;
        break;
      }
      default:
        return false;
    }
    fields->push_back(f);
  }
  return true;
}

bool IsPrintableText(std::string_view s) {
  return IsValidUtf8(s) && std::none_of(s.begin(), s.end(), [](char c) {
           const auto u = static_cast<unsigned char>(c);
           return (u < 0x20 && u != '\n' && u != '\r' && u != '\t') || u == 0x7F;
         });
}

void WriteFields(JsonWriter& json, const std::vector<RawField>& fields, int depth, size_t* budget) {
  json.BeginArray();
  for (const RawField& f : fields) {
    if (*budget == 0) break;
    --*budget;
    json.BeginObject().Field("field", f.number);
    switch (f.wire_type) {
      case 0:
        json.Field("wire", "varint").Field("value", f.number_value);
        break;
      case 1:
        json.Field("wire", "fixed64").Field("value", f.number_value);
        break;
      case 5:
        json.Field("wire", "fixed32").Field("value", f.number_value);
        break;
      default: {
        json.Field("wire", "bytes");
        std::vector<RawField> nested;
        // Printable text first: most short strings also happen to parse as messages.
        if (IsPrintableText(f.bytes)) {
          json.Field("value", f.bytes);
        } else if (depth < kMaxDepth && !f.bytes.empty() && Split(f.bytes, &nested)) {
          json.Key("value");
          WriteFields(json, nested, depth + 1, budget);
        } else {
          json.Key("value").BeginObject().Field("base64", Base64(f.bytes)).EndObject();
        }
      }
    }
    json.EndObject();
  }
  json.EndArray();
}

}  // namespace

bool WriteRawProtobuf(JsonWriter& json, std::string_view bytes) {
  std::vector<RawField> fields;
  if (!Split(bytes, &fields)) return false;
  size_t budget = kMaxFields;
  WriteFields(json, fields, 0, &budget);
  return true;
}

}  // namespace choreo::broker::console

// JsonWriter: builds a JSON document in a string, for the web console's /api/ responses
// and the choreo tool's --format json output. Commas and
// nesting are tracked, strings are escaped, and invalid UTF-8 becomes U+FFFD, so any bytes (record
// keys, header values) give a valid document.
//
//   JsonWriter json;
//   json.BeginObject().Field("topic", name).Key("partitions").BeginArray() ... .EndArray();
//   json.EndObject();
//   std::string body = std::move(json).Take();
//
// Misuse (a value where a key is expected, unbalanced ends) is a programming error; the writer
// does not check it beyond debug assertions. Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace choreo {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // The next member's name, inside an object.
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);  // non-finite values are written as null
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  // Key(key) followed by the value.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const std::string& value) {
    return Key(key).String(value);
  }
  JsonWriter& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, int32_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, uint64_t value) { return Key(key).Uint(value); }
  JsonWriter& Field(std::string_view key, uint32_t value) { return Key(key).Uint(value); }
  JsonWriter& Field(std::string_view key, double value) { return Key(key).Double(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  const std::string& str() const { return out_; }
  std::string Take() && { return std::move(out_); }

 private:
  // Writes the separator a new value needs in the current container.
  void BeforeValue();

  std::string out_;
  // Per open container: whether it has a member yet. A key sets after_key_ so the value that
  // follows needs no comma.
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

// `value` as a JSON string literal, quotes included.
std::string JsonQuote(std::string_view value);

// True if `bytes` is valid UTF-8.
bool IsValidUtf8(std::string_view bytes);

}  // namespace choreo

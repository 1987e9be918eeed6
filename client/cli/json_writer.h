// A small writer of compact JSON for the tool's --format json output (the client library carries
// no JSON dependency).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace choreo::cli {

// Builds one JSON document: commas and nesting are tracked, strings escaped. The caller keeps the
// calls balanced (every Begin has its End, a Key precedes each value inside an object). Not
// thread-safe.
//
//   JsonWriter json;
//   json.BeginObject().Key("topic").String("a.dlq").Key("sagas").BeginArray().EndArray().EndObject();
//   json.str();  // {"topic":"a.dlq","sagas":[]}
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  // Control characters, '"' and '\' are escaped; other bytes are copied as they are (header
  // values are UTF-8 by the saga envelope's contract).
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();
  void Quoted(std::string_view text);

  std::string out_;
  // One entry per open object or array: whether it has a member yet.
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

}  // namespace choreo::cli

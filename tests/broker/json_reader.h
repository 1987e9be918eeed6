// JsonValue and ParseJson: a small JSON reader for tests that check the broker's JSON answers
// (the web console's /api/ responses).
//
// Why not google::protobuf::Struct: under ThreadSanitizer, protobuf's map_field.h gives
// MapFieldBase two extra members (seq1_, seq2_) when __SANITIZE_THREAD__ is defined. Our
// instrumented code then disagrees with Debian's uninstrumented libprotobuf about the layout of
// every map field, Struct::fields() included, and a lookup in a Struct the library filled reads
// garbage and crashes. This reader uses only the standard library, so it is the same in every
// build.
//
//   absl::StatusOr<JsonValue> page = ParseJson(body);
//   double next = (*page)["next_offset"].number_value();
//   const std::string& first = (*page)["records"].items()[0]["key"]["text"].string_value();
//
// Accessors of the wrong kind return the empty value (false, 0, "", no items, null member), as
// protobuf's Value does, so a test's expectation fails rather than the test crashing. Numbers are
// doubles, as in JavaScript. Not thread-safe to mutate; const access may be shared.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace choreo::broker::testing {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  JsonValue() = default;  // null

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_object() const { return kind_ == Kind::kObject; }

  bool bool_value() const { return kind_ == Kind::kBool && bool_; }
  double number_value() const { return kind_ == Kind::kNumber ? number_ : 0; }
  // Decoded (escapes resolved, UTF-8); empty unless a string.
  const std::string& string_value() const;
  // An array's elements; empty unless an array.
  const std::vector<JsonValue>& items() const;
  // The member called `name` (the last one if repeated); a null value if there is none or this is
  // not an object.
  const JsonValue& operator[](std::string_view name) const;
  // Whether this is an object with a member called `name`.
  bool Has(std::string_view name) const;

 private:
  friend class JsonParser;

  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string string_;
  std::vector<JsonValue> items_;    // array elements, or object member values
  std::vector<std::string> names_;  // object member names, parallel to items_
};

// Parses a complete JSON document (RFC 8259; surrounding whitespace allowed). Errors are
// InvalidArgument with the byte offset of the problem. Nesting deeper than 64 levels is refused.
absl::StatusOr<JsonValue> ParseJson(std::string_view text);

}  // namespace choreo::broker::testing

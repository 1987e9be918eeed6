// The generic value tree of a decoded (or to-be-encoded) Kafka message: a Struct holds one Value
// per field of its definition, in definition order, addressed by field name.
//
//   Struct req = NewMessage(FindApi(api_key::kProduce)->request);
//   req.SetInt("acks", -1);
//   Struct& topic = req.AddStruct("topics");
//   topic.SetString("name", "orders");
//
// Naming a field the definition does not have is a programming error, not an input error: the
// accessors abort with the name (the definition tables are static, and every API/version round
// trip is tested). Values of fields absent from a version hold that field's default.
//
// Not thread-safe; a Struct borrows its FieldList, which lives as long as the program (schema.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/kafka/schema.h"

namespace choreo::kafka {

class Struct;

// One field's value. Which members are meaningful follows the field's type: `i` for bool and
// integers, `bytes` for strings, bytes and records, `items` for arrays of scalars, `structs` for
// arrays of structs; `null` for nullable strings, bytes, records and arrays.
struct Value {
  int64_t i = 0;
  bool null = false;
  std::string bytes;
  std::vector<Value> items;
  std::vector<Struct> structs;
};

class Struct {
 public:
  // A struct of `fields` with every field at its default.
  explicit Struct(const FieldList& fields);

  const FieldList& fields() const { return *fields_; }
  const std::vector<Value>& values() const { return values_; }
  std::vector<Value>& values() { return values_; }

  // Reads. `name` must be a field of this struct.
  int64_t GetInt(std::string_view name) const { return Get(name).i; }
  bool GetBool(std::string_view name) const { return Get(name).i != 0; }
  const std::string& GetString(std::string_view name) const { return Get(name).bytes; }
  bool IsNull(std::string_view name) const { return Get(name).null; }
  const std::vector<Struct>& GetStructs(std::string_view name) const { return Get(name).structs; }
  const std::vector<Value>& GetItems(std::string_view name) const { return Get(name).items; }
  const Value& Get(std::string_view name) const;
  Value& Mutable(std::string_view name);

  // Writes; each returns *this for chaining.
  Struct& SetInt(std::string_view name, int64_t v);
  Struct& SetBool(std::string_view name, bool v) { return SetInt(name, v ? 1 : 0); }
  Struct& SetString(std::string_view name, std::string v);
  Struct& SetNull(std::string_view name);
  // Appends a default element to the struct array `name` and returns it (valid until the next
  // append to the same array).
  Struct& AddStruct(std::string_view name);
  // Appends to the scalar array `name`.
  Struct& AddInt(std::string_view name, int64_t v);
  Struct& AddString(std::string_view name, std::string v);

  // Index of `name` in fields(); aborts if absent.
  size_t IndexOf(std::string_view name) const;

  // Structural equality (same definitions, equal values), for tests.
  friend bool operator==(const Struct& a, const Struct& b);

 private:
  const FieldList* fields_;
  std::vector<Value> values_;
};

bool operator==(const Value& a, const Value& b);

// The default value of one field (its default integer, empty or null string, empty or null array).
Value DefaultValue(const FieldDef& field);

// A message body with every field at its default.
inline Struct NewMessage(const MessageDef& def) {
  return Struct(def.fields);
}

}  // namespace choreo::kafka

#include "broker/kafka/value.h"

#include <cstdio>
#include <cstdlib>

namespace choreo::kafka {

Value DefaultValue(const FieldDef& field) {
  Value v;
  switch (field.type) {
    case FieldType::kString:
    case FieldType::kBytes:
    case FieldType::kRecords:
    case FieldType::kArray:
      v.null = field.default_null;
      break;
    default:
      v.i = field.default_int;
      break;
  }
  return v;
}

Struct::Struct(const FieldList& fields) : fields_(&fields) {
  values_.reserve(fields.size());
  for (const FieldDef& f : fields)
    values_.push_back(DefaultValue(f));
}

size_t Struct::IndexOf(std::string_view name) const {
  for (size_t i = 0; i < fields_->size(); ++i) {
    if ((*fields_)[i].name == name) return i;
  }
  std::fprintf(stderr, "kafka::Struct: no field named '%.*s'\n", static_cast<int>(name.size()),
               name.data());
  std::abort();
}

const Value& Struct::Get(std::string_view name) const {
  return values_[IndexOf(name)];
}
Value& Struct::Mutable(std::string_view name) {
  return values_[IndexOf(name)];
}

Struct& Struct::SetInt(std::string_view name, int64_t v) {
  Mutable(name).i = v;
  return *this;
}

Struct& Struct::SetString(std::string_view name, std::string v) {
  Value& value = Mutable(name);
  value.null = false;
  value.bytes = std::move(v);
  return *this;
}

Struct& Struct::SetNull(std::string_view name) {
  Value& value = Mutable(name);
  value.null = true;
  value.bytes.clear();
  value.items.clear();
  value.structs.clear();
  return *this;
}

Struct& Struct::AddStruct(std::string_view name) {
  const size_t index = IndexOf(name);
  Value& value = values_[index];
  value.null = false;
  return value.structs.emplace_back((*fields_)[index].fields);
}

Struct& Struct::AddInt(std::string_view name, int64_t v) {
  Value& value = Mutable(name);
  value.null = false;
  value.items.emplace_back().i = v;
  return *this;
}

Struct& Struct::AddString(std::string_view name, std::string v) {
  Value& value = Mutable(name);
  value.null = false;
  value.items.emplace_back().bytes = std::move(v);
  return *this;
}

bool operator==(const Value& a, const Value& b) {
  return a.i == b.i && a.null == b.null && a.bytes == b.bytes && a.items == b.items &&
         a.structs == b.structs;
}

bool operator==(const Struct& a, const Struct& b) {
  return a.fields_ == b.fields_ && a.values_ == b.values_;
}

}  // namespace choreo::kafka

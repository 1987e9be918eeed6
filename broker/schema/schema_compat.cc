#include "broker/schema/schema_compat.h"

#include <google/protobuf/descriptor.h>

#include <map>
#include <set>
#include <string>
#include <utility>

namespace choreo::broker {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::OneofDescriptor;

std::string Quote(const std::string& s) {
  return "'" + s + "'";
}

std::string OneofName(const FieldDescriptor& f) {
  const OneofDescriptor* oneof = f.real_containing_oneof();
  return oneof == nullptr ? std::string() : oneof->name();
}

class Comparer {
 public:
  std::vector<std::string> problems;

  void Messages(const Descriptor& old_message, const Descriptor& new_message,
                const std::string& path) {
    // Recursive types (a tree of messages) are compared once per pair of types.
    if (!visited_.emplace(old_message.full_name(), new_message.full_name()).second) return;
    for (int i = 0; i < old_message.field_count(); ++i) {
      const FieldDescriptor& old_field = *old_message.field(i);
      const FieldDescriptor* same_number = new_message.FindFieldByNumber(old_field.number());
      if (same_number == nullptr) {
        Removed(old_field, new_message, path);
      } else {
        Field(old_field, *same_number, path);
      }
    }
    for (int i = 0; i < new_message.field_count(); ++i) {
      const FieldDescriptor& new_field = *new_message.field(i);
      if (old_message.FindFieldByNumber(new_field.number()) != nullptr) continue;
      const std::string what =
          path + "new field " + std::to_string(new_field.number()) + " " + Quote(new_field.name());
      if (old_message.IsReservedNumber(new_field.number())) {
        problems.push_back(what + " reuses a reserved number");
      } else if (old_message.IsReservedName(new_field.name())) {
        problems.push_back(what + " reuses a reserved name");
      } else if (new_field.is_required()) {
        problems.push_back(what + " is required (new required fields are not allowed)");
      }
    }
  }

  void Enums(const EnumDescriptor& old_enum, const EnumDescriptor& new_enum,
             const std::string& path) {
    if (!visited_.emplace(old_enum.full_name(), new_enum.full_name()).second) return;
    for (int i = 0; i < old_enum.value_count(); ++i) {
      const auto& old_value = *old_enum.value(i);
      const auto* new_value = new_enum.FindValueByName(old_value.name());
      const std::string what = path + "enum " + new_enum.full_name() + " value " +
                               Quote(old_value.name()) + " (" + std::to_string(old_value.number()) +
                               ")";
      if (new_value == nullptr) {
        problems.push_back(what + " was removed");
      } else if (new_value->number() != old_value.number()) {
        problems.push_back(what + " changed number to " + std::to_string(new_value->number()));
      }
    }
  }

 private:
  void Removed(const FieldDescriptor& old_field, const Descriptor& new_message,
               const std::string& path) {
    const std::string what =
        path + "field " + std::to_string(old_field.number()) + " " + Quote(old_field.name());
    if (const FieldDescriptor* moved = new_message.FindFieldByName(old_field.name());
        moved != nullptr) {
      problems.push_back(what + " changed number from " + std::to_string(old_field.number()) +
                         " to " + std::to_string(moved->number()));
    } else if (!new_message.IsReservedNumber(old_field.number())) {
      problems.push_back(what + " was removed without reserving its number (add `reserved " +
                         std::to_string(old_field.number()) + ";`)");
    }
  }

  void Field(const FieldDescriptor& old_field, const FieldDescriptor& new_field,
             const std::string& path) {
    const std::string what =
        path + "field " + std::to_string(old_field.number()) + " " + Quote(old_field.name());
    if (old_field.name() != new_field.name()) {
      // The wire format would not notice, but a number under a new name is how a removed
      // field's number gets reused: rename by removing (reserving) and adding a field instead.
      problems.push_back(what + " changed name to " + Quote(new_field.name()) +
                         " (a reused or renamed field number)");
      return;
    }
    if (old_field.type() != new_field.type() ||
        (old_field.message_type() == nullptr) != (new_field.message_type() == nullptr) ||
        (old_field.enum_type() == nullptr) != (new_field.enum_type() == nullptr) ||
        old_field.is_map() != new_field.is_map()) {
      problems.push_back(what + " changed type from " + FieldTypeName(old_field) + " to " +
                         FieldTypeName(new_field));
      return;
    }
    if (old_field.label() != new_field.label()) {
      problems.push_back(what + " changed label from " + FieldLabelName(old_field) + " to " +
                         FieldLabelName(new_field));
    }
    if (OneofName(old_field) != OneofName(new_field)) {
      const std::string from = OneofName(old_field), to = OneofName(new_field);
      problems.push_back(what + " moved from " + (from.empty() ? "no oneof" : "oneof " + from) +
                         " to " + (to.empty() ? "no oneof" : "oneof " + to));
    }
    const std::string nested = what + " > ";
    if (old_field.message_type() != nullptr) {
      Messages(*old_field.message_type(), *new_field.message_type(), nested);
    } else if (old_field.enum_type() != nullptr) {
      Enums(*old_field.enum_type(), *new_field.enum_type(), nested);
    }
  }

  std::set<std::pair<std::string, std::string>> visited_;
};

void CollectShape(const Descriptor& message, std::map<std::string, std::string>* types) {
  if (!types->emplace(message.full_name(), message.DebugString()).second) return;
  for (int i = 0; i < message.field_count(); ++i) {
    const FieldDescriptor& f = *message.field(i);
    if (f.message_type() != nullptr) CollectShape(*f.message_type(), types);
    if (f.enum_type() != nullptr)
      types->emplace(f.enum_type()->full_name(), f.enum_type()->DebugString());
  }
}

}  // namespace

std::vector<std::string> FindIncompatibilities(const Descriptor& previous, const Descriptor& next) {
  Comparer comparer;
  comparer.Messages(previous, next, "");
  return std::move(comparer.problems);
}

std::string FieldLabelName(const FieldDescriptor& f) {
  switch (f.label()) {
    case FieldDescriptor::LABEL_REQUIRED:
      return "required";
    case FieldDescriptor::LABEL_REPEATED:
      return "repeated";
    case FieldDescriptor::LABEL_OPTIONAL:
      break;
  }
  return "optional";
}

std::string FieldTypeName(const FieldDescriptor& f) {
  if (f.message_type() != nullptr) {
    return std::string(f.is_map() ? "map entry " : "message ") + f.message_type()->full_name();
  }
  if (f.enum_type() != nullptr) return "enum " + f.enum_type()->full_name();
  return f.type_name();
}

std::string MessageShape(const Descriptor& message) {
  std::map<std::string, std::string> types;
  CollectShape(message, &types);
  std::string out;
  for (const auto& [name, text] : types)
    out += text;
  return out;
}

}  // namespace choreo::broker

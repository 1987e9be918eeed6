// Backward compatibility of protobuf message types: the rules the schema registry enforces
// between versions of one event type (README.md, "Event contracts: the schema registry").
//
// A new version N of a message is compatible with an older version O when a consumer built with
// either can read what a producer built with the other writes, field by field:
//  - every field of O keeps its number, name, type and label in N (int32 <-> int64,
//    string <-> bytes and other wire-compatible changes are refused too: conservative), stays in
//    the same oneof (or outside any; proto3 `optional` does not count as a oneof), and a
//    message- or enum-typed field's type is compared recursively by structure (its name may
//    change, its fields and values may not);
//  - a field of O missing from N has its number reserved in N (so it can never come back with
//    another meaning); a field of N whose number or name O reserved is a reuse;
//  - no field of N is `required` unless it was required in O (new required semantics);
//  - enum values of O keep their names and numbers in N; values may be added.
// Default values, json_name, options and comments are not compared.
//
// Thread-safe (pure functions over descriptors the caller owns).
#pragma once

#include <string>
#include <vector>

namespace google::protobuf {
class Descriptor;
class FieldDescriptor;
}  // namespace google::protobuf

namespace choreo::broker {

// The ways `next` breaks the rules against `previous` (in field order, each a sentence such as
// "field 4 'amount' changed type from int64 to string"); empty: compatible. Nested types are
// named by the path of fields leading to them ("field 2 'customer' > field 1 'id' ...").
std::vector<std::string> FindIncompatibilities(const google::protobuf::Descriptor& previous,
                                               const google::protobuf::Descriptor& next);

// A canonical text of the message and every message and enum type it reaches through its fields
// (their definitions in .proto syntax, by full name): equal texts mean the same schema, so
// registering it again adds no version.
std::string MessageShape(const google::protobuf::Descriptor& message);

// How the rules (and their messages) name a field's type and label: "int64", "string",
// "message order.v1.Customer", "enum order.v1.Status", "map entry order.v1.Cart.ItemsEntry";
// "optional" (also proto3's implicit presence), "required", "repeated". The web console's schema
// page shows the same names.
std::string FieldTypeName(const google::protobuf::FieldDescriptor& field);
std::string FieldLabelName(const google::protobuf::FieldDescriptor& field);

}  // namespace choreo::broker

// Help texts of `choreo schema ...` (usage.cc has the others).
#include "client/cli/usage.h"

namespace choreo::cli {
namespace {

constexpr std::string_view kSchema =
    R"(usage: choreo schema register FILE.proto|FILE.desc [-I DIR ...] [--type T ...]
       choreo schema check FILE.proto|FILE.desc [-I DIR ...] [--type T ...]
       choreo schema list
       choreo schema show TYPE [--version N]

The broker's schema registry: versions of protobuf message types used as saga events. A type's
subject is its full name (the events' ce_type); its versions 1, 2, ... are the events'
ce_dataschema (urn:choreo:schema:TYPE:vN). A new version must be backward compatible with every
registered version (README.md, "Event contracts": no changed field numbers, names, types or
labels, removed fields' numbers reserved, no new required fields, enum values kept).
A topic with --schema-validation on accepts only events of registered types and versions.
)";

constexpr std::string_view kSchemaFile =
    R"(FILE is a .proto file, compiled here (imports are looked up in the -I directories, default
the file's own directory; google/protobuf/*.proto are built in), or a FileDescriptorSet made by
`protoc --include_imports --descriptor_set_out=FILE.desc` (any name not ending in .proto).
  -I DIR, --proto-path DIR   where imports are found (repeatable)
  --type T                   only message type T (full name; repeatable); default: every
                             top-level message of the file
)";

constexpr std::string_view kSchemaRegister =
    R"(usage: choreo schema register FILE.proto|FILE.desc [-I DIR ...] [--type T ...]

Registers each message type of FILE as a new version of its subject, or finds it identical to a
registered version. All or nothing: if any type is incompatible nothing is registered, the
problems are printed and the exit status is 1. Prints one line per type:
  order.v1.OrderCreated v2: registered, compatible
)";

constexpr std::string_view kSchemaCheck =
    R"(usage: choreo schema check FILE.proto|FILE.desc [-I DIR ...] [--type T ...]

Checks each message type of FILE against the registry without registering anything. Prints one
verdict per type (new subject, identical, compatible, or INCOMPATIBLE with one line per problem,
e.g. "against v2: field 4 'amount' changed type from int64 to string"). Exit status 1 when any
type is incompatible.
)";

constexpr std::string_view kSchemaList = R"(usage: choreo schema list

Prints every registered type, one tab-separated line each:
  TYPE  LATEST_VERSION  REGISTERED (of the latest version, UTC)
)";

constexpr std::string_view kSchemaShow = R"(usage: choreo schema show TYPE [--version N]

Prints a registered version of TYPE (default: the latest): its versions, when it was registered
and its .proto definition (the file that defines it).
)";

}  // namespace

std::optional<std::string> SchemaUsageText(std::string_view topic) {
  if (topic == "schema") return std::string(kSchema);
  if (topic == "schema register")
    return std::string(kSchemaRegister) + "\n" + std::string(kSchemaFile);
  if (topic == "schema check") return std::string(kSchemaCheck) + "\n" + std::string(kSchemaFile);
  if (topic == "schema list") return std::string(kSchemaList);
  if (topic == "schema show") return std::string(kSchemaShow);
  return std::nullopt;
}

}  // namespace choreo::cli

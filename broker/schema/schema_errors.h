// How the schema registry reports its refusals: the kind travels as a status payload, and
// broker/error_mapping.cc turns it into the wire code (the one mapping), as for group errors.
#pragma once

#include <absl/status/status.h>

#include <optional>
#include <string_view>

namespace choreo::broker {

enum class SchemaErrorKind {
  kIncompatible,   // absl::FailedPrecondition: a new version breaks the compatibility rules
  kUnknownSchema,  // absl::NotFound: no such subject or version (also: a record's ce_type or
                   // ce_dataschema version is not registered on a topic with validation on)
  kInvalidSchema,  // absl::InvalidArgument: undecodable descriptor set, missing import, no such
                   // message type in it
  kLimit,          // absl::ResourceExhausted: too many subjects, versions or bytes
};

absl::Status MakeSchemaError(SchemaErrorKind kind, std::string_view message);
// The kind of a status made by MakeSchemaError; std::nullopt for OK and for any other status.
std::optional<SchemaErrorKind> SchemaErrorKindOf(const absl::Status& status);

}  // namespace choreo::broker

#include "broker/handlers/schema_wire.h"

namespace choreo::broker {

void ToWire(const SchemaVerdict& verdict, proto::SchemaVerdict* out) {
  out->set_subject(verdict.subject);
  out->set_version(verdict.version);
  out->set_latest_version(verdict.latest_version);
  out->set_identical_version(verdict.identical_version);
  out->set_registered(verdict.registered);
  for (const std::string& problem : verdict.incompatibilities)
    out->add_incompatibilities(problem);
}

std::vector<std::string> TypesOf(const google::protobuf::RepeatedPtrField<std::string>& types) {
  return std::vector<std::string>(types.begin(), types.end());
}

}  // namespace choreo::broker

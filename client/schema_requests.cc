#include "client/schema_requests.h"

#include "client/requests.h"

namespace choreo::client_internal {
namespace {

SchemaVerdict FromProto(const proto::SchemaVerdict& v) {
  SchemaVerdict out;
  out.subject = v.subject();
  out.version = v.version();
  out.latest_version = v.latest_version();
  out.identical_version = v.identical_version();
  out.registered = v.registered();
  out.incompatibilities.assign(v.incompatibilities().begin(), v.incompatibilities().end());
  return out;
}

template <typename Body>
void Fill(Body* body, std::string_view descriptor_set, const std::vector<std::string>& types) {
  body->set_descriptor_set(descriptor_set.data(), descriptor_set.size());
  for (const std::string& type : types)
    body->add_types(type);
}

}  // namespace

Result<std::vector<SchemaVerdict>> RegisterSchema(Connection& connection,
                                                  std::string_view descriptor_set,
                                                  const std::vector<std::string>& types,
                                                  std::chrono::milliseconds timeout) {
  if (descriptor_set.empty()) {
    return Status(ErrorCode::kInvalidArgument, "no schema to register (empty descriptor set)");
  }
  if (Status s = RequireProtocolMinor(connection, kSchemaRegistryMinor, "registering a schema");
      !s.ok()) {
    return s;
  }
  proto::Request request;
  Fill(request.mutable_register_schema(), descriptor_set, types);
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kRegisterSchema, timeout);
  if (!response.ok()) return response.status();
  std::vector<SchemaVerdict> out;
  for (const proto::SchemaVerdict& v : response->register_schema().verdicts())
    out.push_back(FromProto(v));
  return out;
}

Result<std::vector<SchemaVerdict>> CheckSchema(Connection& connection,
                                               std::string_view descriptor_set,
                                               const std::vector<std::string>& types,
                                               std::chrono::milliseconds timeout) {
  if (descriptor_set.empty()) {
    return Status(ErrorCode::kInvalidArgument, "no schema to check (empty descriptor set)");
  }
  if (Status s = RequireProtocolMinor(connection, kSchemaRegistryMinor, "checking a schema");
      !s.ok()) {
    return s;
  }
  proto::Request request;
  Fill(request.mutable_check_schema(), descriptor_set, types);
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kCheckSchema, timeout);
  if (!response.ok()) return response.status();
  std::vector<SchemaVerdict> out;
  for (const proto::SchemaVerdict& v : response->check_schema().verdicts())
    out.push_back(FromProto(v));
  return out;
}

Result<std::vector<SchemaSubject>> ListSchemas(Connection& connection,
                                               std::chrono::milliseconds timeout) {
  if (Status s = RequireProtocolMinor(connection, kSchemaRegistryMinor, "listing schemas");
      !s.ok()) {
    return s;
  }
  proto::Request request;
  request.mutable_list_schemas();
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kListSchemas, timeout);
  if (!response.ok()) return response.status();
  std::vector<SchemaSubject> out;
  for (const auto& s : response->list_schemas().subjects()) {
    out.push_back({.subject = s.subject(),
                   .latest_version = s.latest_version(),
                   .registered_ms = s.registered_ms()});
  }
  return out;
}

Result<SchemaVersion> GetSchema(Connection& connection, std::string_view subject, uint32_t version,
                                std::chrono::milliseconds timeout) {
  if (subject.empty()) return Status(ErrorCode::kInvalidArgument, "name the schema's type");
  if (Status s = RequireProtocolMinor(connection, kSchemaRegistryMinor, "getting a schema");
      !s.ok()) {
    return s;
  }
  proto::Request request;
  request.mutable_get_schema()->set_subject(std::string(subject));
  request.mutable_get_schema()->set_version(version);
  Result<proto::Response> response =
      Roundtrip(connection, std::move(request), proto::Response::kGetSchema, timeout);
  if (!response.ok()) return response.status();
  const proto::GetSchemaResponse& g = response->get_schema();
  SchemaVersion out;
  out.subject = g.subject();
  out.version = g.version();
  out.registered_ms = g.registered_ms();
  out.descriptor_set = g.descriptor_set();
  out.definition = g.definition();
  out.versions.assign(g.versions().begin(), g.versions().end());
  return out;
}

}  // namespace choreo::client_internal

namespace choreo {

std::string DescribeVerdict(const SchemaVerdict& v) {
  std::string out = v.subject + " v" + std::to_string(v.version) + ": ";
  if (!v.compatible()) {
    out += "INCOMPATIBLE";
    for (const std::string& problem : v.incompatibilities)
      out += "\n  " + problem;
    return out;
  }
  if (v.identical_version != 0) return out + "identical to the registered version";
  if (v.latest_version == 0) return out + (v.registered ? "registered, " : "") + "new subject";
  return out + (v.registered ? "registered, compatible" : "compatible (new version)");
}

}  // namespace choreo

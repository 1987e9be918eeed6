#include "choreo/saga/schemas.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <functional>
#include <memory>
#include <set>

#include "choreo/client/admin.h"
#include "choreo/proto/descriptor_set.h"

namespace choreo::saga {

std::string DescriptorSetOf(const google::protobuf::Descriptor& message) {
  return proto::DescriptorSetOf(message);
}

Status CheckSchemas(const ClientOptions& client,
                    const std::vector<const google::protobuf::Descriptor*>& types,
                    bool register_new) {
  if (types.empty()) return OkStatus();
  Result<std::unique_ptr<Admin>> admin = Admin::Connect(client);
  if (!admin.ok()) return admin.status();
  std::set<std::string> checked;
  for (const google::protobuf::Descriptor* type : types) {
    if (type == nullptr || !checked.insert(type->full_name()).second) continue;
    const std::string set = DescriptorSetOf(*type);
    Result<std::vector<SchemaVerdict>> verdicts = (*admin)->CheckSchema(set, {type->full_name()});
    // A broker without the registry cannot be checked against: nothing to fail on.
    if (verdicts.status().code() == ErrorCode::kUnsupportedVersion) return OkStatus();
    if (!verdicts.ok()) return verdicts.status();
    for (const SchemaVerdict& v : *verdicts) {
      if (v.identical_version != 0) continue;
      if (!v.compatible()) {
        std::string problems;
        for (const std::string& p : v.incompatibilities)
          problems += (problems.empty() ? "" : "; ") + p;
        return Status(ErrorCode::kIncompatibleSchema,
                      v.subject + " is incompatible with the schema registry (latest v" +
                          std::to_string(v.latest_version) + "): " + problems);
      }
      if (register_new) {
        Result<std::vector<SchemaVerdict>> registered =
            (*admin)->RegisterSchema(set, {type->full_name()});
        if (!registered.ok()) return registered.status();
      }
    }
  }
  return OkStatus();
}

}  // namespace choreo::saga

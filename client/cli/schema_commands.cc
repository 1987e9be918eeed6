// `choreo schema register|check|list|show`: the broker's schema registry. A .proto is compiled
// here with libprotoc's Importer (so no protoc is needed); any other file is taken as a
// serialized FileDescriptorSet.
#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <ostream>
#include <set>
#include <sstream>

#include "choreo/client/admin.h"
#include "choreo/common/rfc3339.h"
#include "client/cli/commands.h"

namespace choreo::cli {
namespace {

namespace gp = google::protobuf;

class ImportErrors : public gp::compiler::MultiFileErrorCollector {
 public:
  std::string errors;
  void AddError(const std::string& filename, int line, int column,
                const std::string& message) override {
    errors += "\n  " + filename + ":" + std::to_string(line + 1) + ":" +
              std::to_string(column + 1) + ": " + message;
  }
};

// What the broker is sent: the descriptor set and the types to register or check.
struct LoadedSchema {
  std::string descriptor_set;
  std::vector<std::string> types;
};

Result<LoadedSchema> CompileProto(const SchemaFileArgs& args) {
  gp::compiler::DiskSourceTree tree;
  std::vector<std::string> paths = args.import_paths;
  if (paths.empty()) paths.push_back(std::filesystem::path(args.file).parent_path().string());
  for (const std::string& path : paths)
    tree.MapPath("", path.empty() ? "." : path);
  // The well-known types (google/protobuf/*.proto) where libprotobuf-dev installs them.
  if (std::filesystem::exists("/usr/include/google/protobuf/timestamp.proto")) {
    tree.MapPath("", "/usr/include");
  }
  std::string virtual_file, shadowing;
  if (tree.DiskFileToVirtualFile(args.file, &virtual_file, &shadowing) !=
      gp::compiler::DiskSourceTree::SUCCESS) {
    return CommandFailure("cannot open " + args.file +
                          " under the import paths (give -I with the directory it is in)");
  }
  ImportErrors errors;
  gp::compiler::Importer importer(&tree, &errors);
  const gp::FileDescriptor* file = importer.Import(virtual_file);
  if (file == nullptr) return CommandFailure("cannot compile " + args.file + ":" + errors.errors);
  gp::FileDescriptorSet set;
  std::set<std::string> added;
  std::function<void(const gp::FileDescriptor*)> add = [&](const gp::FileDescriptor* f) {
    if (!added.insert(f->name()).second) return;
    for (int i = 0; i < f->dependency_count(); ++i)
      add(f->dependency(i));
    f->CopyTo(set.add_file());
  };
  add(file);
  LoadedSchema out{.descriptor_set = set.SerializeAsString(), .types = args.types};
  if (out.types.empty()) {
    for (int i = 0; i < file->message_type_count(); ++i)
      out.types.push_back(file->message_type(i)->full_name());
    if (out.types.empty()) return CommandFailure(args.file + " defines no message type");
  }
  return out;
}

Result<LoadedSchema> LoadSchema(const SchemaFileArgs& args) {
  if (args.file.ends_with(".proto")) return CompileProto(args);
  std::ifstream in(args.file, std::ios::binary);
  if (!in) return CommandFailure("cannot open " + args.file);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return LoadedSchema{.descriptor_set = bytes.str(), .types = args.types};
}

Result<std::unique_ptr<Admin>> Connect(const ClientOptions& options) {
  return Admin::Connect(options);
}

}  // namespace

Status RunSchemaRegister(const ClientOptions& options, const SchemaRegisterArgs& args, Io& io) {
  Result<LoadedSchema> schema = LoadSchema(args.schema);
  if (!schema.ok()) return schema.status();
  Result<std::unique_ptr<Admin>> admin = Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::vector<SchemaVerdict>> verdicts =
      (*admin)->RegisterSchema(schema->descriptor_set, schema->types);
  if (!verdicts.ok()) return verdicts.status();
  for (const SchemaVerdict& v : *verdicts)
    io.out << DescribeVerdict(v) << "\n";
  return OkStatus();
}

Status RunSchemaCheck(const ClientOptions& options, const SchemaCheckArgs& args, Io& io) {
  Result<LoadedSchema> schema = LoadSchema(args.schema);
  if (!schema.ok()) return schema.status();
  Result<std::unique_ptr<Admin>> admin = Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::vector<SchemaVerdict>> verdicts =
      (*admin)->CheckSchema(schema->descriptor_set, schema->types);
  if (!verdicts.ok()) return verdicts.status();
  int incompatible = 0;
  for (const SchemaVerdict& v : *verdicts) {
    io.out << DescribeVerdict(v) << "\n";
    if (!v.compatible()) ++incompatible;
  }
  if (incompatible > 0) {
    return Status(ErrorCode::kIncompatibleSchema, std::to_string(incompatible) + " of " +
                                                      std::to_string(verdicts->size()) +
                                                      " types incompatible with the registry");
  }
  return OkStatus();
}

Status RunSchemaList(const ClientOptions& options, const SchemaListArgs& /*args*/, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Connect(options);
  if (!admin.ok()) return admin.status();
  Result<std::vector<SchemaSubject>> subjects = (*admin)->ListSchemas();
  if (!subjects.ok()) return subjects.status();
  for (const SchemaSubject& s : *subjects) {
    io.out << s.subject << "\tv" << s.latest_version << "\t" << FormatRfc3339Millis(s.registered_ms)
           << "\n";
  }
  return OkStatus();
}

Status RunSchemaShow(const ClientOptions& options, const SchemaShowArgs& args, Io& io) {
  Result<std::unique_ptr<Admin>> admin = Connect(options);
  if (!admin.ok()) return admin.status();
  Result<SchemaVersion> schema = (*admin)->GetSchema(args.type, args.version);
  if (!schema.ok()) return schema.status();
  std::string versions;
  for (uint32_t v : schema->versions)
    versions += (versions.empty() ? "v" : ", v") + std::to_string(v);
  io.out << "type: " << schema->subject << "\n"
         << "version: " << schema->version << "\n"
         << "versions: " << versions << "\n"
         << "registered: " << FormatRfc3339Millis(schema->registered_ms) << "\n"
         << "dataschema: urn:choreo:schema:" << schema->subject << ":v" << schema->version << "\n"
         << "\n"
         << schema->definition;
  return OkStatus();
}

}  // namespace choreo::cli

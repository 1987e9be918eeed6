#include "broker/schema/schema_set.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <functional>
#include <set>

#include "broker/schema/schema_errors.h"
#include "choreo/proto/descriptor_set.h"

namespace choreo::broker {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;
using google::protobuf::FileDescriptorProto;
using google::protobuf::FileDescriptorSet;

absl::Status Invalid(std::string message) {
  return MakeSchemaError(SchemaErrorKind::kInvalidSchema, message);
}

// Collects protobuf's build errors instead of letting it log them.
class Collector : public DescriptorPool::ErrorCollector {
 public:
  std::string errors;
  void AddError(const std::string& filename, const std::string& element_name,
                const google::protobuf::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    if (!errors.empty()) errors += "; ";
    errors += filename + ": " + (element_name.empty() ? "" : element_name + ": ") + message;
  }
};

}  // namespace

SchemaSet::SchemaSet() : pool_(std::make_unique<DescriptorPool>()) {}
SchemaSet::~SchemaSet() = default;

absl::StatusOr<std::unique_ptr<SchemaSet>> SchemaSet::Parse(std::string_view bytes) {
  FileDescriptorSet set;
  if (!set.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || set.file_size() == 0) {
    return Invalid(
        "not a serialized FileDescriptorSet with at least one file (make one with "
        "`protoc --include_imports --descriptor_set_out=FILE`)");
  }
  std::unique_ptr<SchemaSet> out(new SchemaSet());
  out->last_file_ = set.file(set.file_size() - 1).name();
  // Build in dependency order, whatever order the set lists its files in.
  std::vector<const FileDescriptorProto*> pending;
  for (const FileDescriptorProto& file : set.file())
    pending.push_back(&file);
  while (!pending.empty()) {
    std::vector<const FileDescriptorProto*> next;
    for (const FileDescriptorProto* file : pending) {
      bool ready = true;
      for (const std::string& dependency : file->dependency()) {
        if (out->pool_->FindFileByName(dependency) == nullptr) ready = false;
      }
      if (!ready) {
        next.push_back(file);
        continue;
      }
      Collector errors;
      if (out->pool_->BuildFileCollectingErrors(*file, &errors) == nullptr) {
        return Invalid("schema file " + file->name() + " does not build: " + errors.errors);
      }
    }
    if (next.size() == pending.size()) {
      for (const std::string& dependency : next.front()->dependency()) {
        if (out->pool_->FindFileByName(dependency) == nullptr) {
          return Invalid("schema file " + next.front()->name() + " imports " + dependency +
                         ", which the descriptor set does not hold (use --include_imports)");
        }
      }
      return Invalid("schema files with circular imports");
    }
    pending = std::move(next);
  }
  return out;
}

absl::StatusOr<const Descriptor*> SchemaSet::Find(std::string_view full_name) const {
  const Descriptor* message = pool_->FindMessageTypeByName(std::string(full_name));
  if (message == nullptr) {
    std::string names;
    for (const std::string& name : DefaultTypes())
      names += (names.empty() ? "" : ", ") + name;
    return Invalid("the schema has no message type " + std::string(full_name) + " (" + last_file_ +
                   " defines: " + (names.empty() ? "none" : names) + ")");
  }
  return message;
}

std::vector<std::string> SchemaSet::DefaultTypes() const {
  std::vector<std::string> names;
  const FileDescriptor* file = pool_->FindFileByName(last_file_);
  if (file == nullptr) return names;
  for (int i = 0; i < file->message_type_count(); ++i)
    names.push_back(file->message_type(i)->full_name());
  return names;
}

std::string SchemaSet::MinimalSet(const Descriptor& message) {
  return proto::DescriptorSetOf(message);
}

std::string SchemaSet::Definition(const Descriptor& message) {
  return message.file()->DebugString();
}

}  // namespace choreo::broker

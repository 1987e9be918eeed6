// A parsed FileDescriptorSet: the files of a schema (a .proto and every file it imports) built
// into a DescriptorPool of their own, so nothing a client sends mixes with the broker's types.
//
// Not thread-safe to build; const methods are safe to share once built.
#pragma once

#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class Descriptor;
class DescriptorPool;
}  // namespace google::protobuf

namespace choreo::broker {

class SchemaSet {
 public:
  // Parses and builds every file of a serialized FileDescriptorSet (any order: files are built
  // after their imports). Errors (SchemaErrorKind::kInvalidSchema): not a FileDescriptorSet, a
  // missing import, a file protobuf rejects (its error is in the message).
  static absl::StatusOr<std::unique_ptr<SchemaSet>> Parse(std::string_view bytes);
  ~SchemaSet();

  // The message type with this full name, or kInvalidSchema naming what the set holds.
  absl::StatusOr<const google::protobuf::Descriptor*> Find(std::string_view full_name) const;
  // The full names of the top-level messages of the set's last file (the one protoc was asked
  // to compile: `protoc --include_imports` writes imports first).
  std::vector<std::string> DefaultTypes() const;
  // The smallest FileDescriptorSet holding `message`: its file and, first, every file that file
  // imports (transitively). What is stored for a version.
  static std::string MinimalSet(const google::protobuf::Descriptor& message);
  // The readable definition: the .proto text of the message's file.
  static std::string Definition(const google::protobuf::Descriptor& message);

 private:
  SchemaSet();
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  std::string last_file_;
};

}  // namespace choreo::broker

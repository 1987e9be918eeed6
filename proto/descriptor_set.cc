#include "choreo/proto/descriptor_set.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <functional>
#include <set>

namespace choreo::proto {

std::string DescriptorSetOf(const google::protobuf::Descriptor& message) {
  google::protobuf::FileDescriptorSet set;
  std::set<std::string> added;
  std::function<void(const google::protobuf::FileDescriptor*)> add =
      [&](const google::protobuf::FileDescriptor* file) {
        if (!added.insert(file->name()).second) return;
        for (int i = 0; i < file->dependency_count(); ++i)
          add(file->dependency(i));
        file->CopyTo(set.add_file());
      };
  add(message.file());
  return set.SerializeAsString();
}

}  // namespace choreo::proto

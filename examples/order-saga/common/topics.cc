#include "common/topics.h"

#include <google/protobuf/descriptor.h>

#include "choreo/saga/events.h"
#include "proto/order_saga.pb.h"

namespace order_saga {

std::vector<std::string> EventTypes() {
  const google::protobuf::FileDescriptor* file = shop::v1::OrderCreated::descriptor()->file();
  std::vector<std::string> types;
  for (int i = 0; i < file->message_type_count(); ++i) {
    types.push_back(file->message_type(i)->full_name());
  }
  return types;
}

std::vector<std::string> EventTopics() {
  std::vector<std::string> topics;
  for (const std::string& type : EventTypes())
    topics.push_back(choreo::saga::DefaultTopicFor(type));
  return topics;
}

std::string ShortType(const std::string& type) {
  const size_t dot = type.rfind('.');
  return dot == std::string::npos ? type : type.substr(dot + 1);
}

}  // namespace order_saga

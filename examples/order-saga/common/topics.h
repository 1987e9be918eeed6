// The saga's event types and the topics they travel on.
#pragma once

#include <string>
#include <vector>

namespace order_saga {

// The full names of the event types in proto/order_saga.proto ("shop.v1.OrderCreated", ...), in
// the file's order: the saga's happy path first.
std::vector<std::string> EventTypes();

// The topics of those types, under the saga layer's default naming (a type's topic is its full
// name), which every service of the example uses.
std::vector<std::string> EventTopics();

// "OrderCreated" for "shop.v1.OrderCreated": the type without its package, for log lines.
std::string ShortType(const std::string& type);

}  // namespace order_saga

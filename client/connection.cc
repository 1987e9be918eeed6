#include "client/connection.h"

#include <memory>
#include <utility>

namespace choreo::client_internal {

std::future<Result<proto::Response>> Connection::Send(proto::Request request,
                                                      std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Result<proto::Response>>>();
  std::future<Result<proto::Response>> future = promise->get_future();
  Send(std::move(request), timeout,
       [promise](Result<proto::Response> result) { promise->set_value(std::move(result)); });
  return future;
}

Result<proto::Response> Connection::Call(proto::Request request,
                                         std::chrono::milliseconds timeout) {
  return Send(std::move(request), timeout).get();
}

}  // namespace choreo::client_internal

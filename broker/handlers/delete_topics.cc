#include <vector>

#include "broker/error_mapping.h"
#include "broker/handlers/handlers.h"
#include "broker/run_blocking.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleDeleteTopics(RequestContext& ctx, proto::Request& request) {
  const proto::DeleteTopicsRequest& del = request.delete_topics();
  TopicTable& topics = ctx.services.topics;
  std::vector<absl::Status> results = co_await RunBlocking(ctx.services.blocking, [&] {
    std::vector<absl::Status> statuses;
    statuses.reserve(del.names_size());
    for (const std::string& name : del.names())
      statuses.push_back(topics.Delete(name));
    return statuses;
  });

  proto::Response response;
  proto::DeleteTopicsResponse* body = response.mutable_delete_topics();
  for (int i = 0; i < del.names_size(); ++i) {
    proto::TopicResult* result = body->add_results();
    result->set_name(del.names(i));
    SetError(results[i], result->mutable_error());
  }
  co_return response;
}

}  // namespace choreo::broker

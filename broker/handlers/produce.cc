#include <absl/time/clock.h>

#include <chrono>
#include <optional>
#include <string>

#include "broker/error_mapping.h"
#include "broker/handlers/authorize.h"
#include "broker/handlers/auto_create.h"
#include "broker/handlers/batch_check.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/response_util.h"
#include "broker/handlers/timestamp_policy.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/run_blocking.h"

namespace choreo::broker {

asio::awaitable<proto::Response> HandleProduce(RequestContext& ctx, proto::Request& request) {
  proto::ProduceRequest& produce = *request.mutable_produce();
  proto::Response response;
  proto::ProduceResponse* body = response.mutable_produce();
  body->set_topic(produce.topic());
  body->set_partition(produce.partition());
  body->set_base_offset(-1);
  body->set_log_append_time_ms(-1);  // records keep the producer's create time

  BrokerServices& services = ctx.services;
  std::optional<storage::TopicInfo> topic = services.topics.Find(produce.topic());
  if (!topic && services.options.auto_create_topics) {
    topic = co_await RunBlocking(services.blocking,
                                 [&] { return AutoCreateTopic(services, produce.topic()); });
  }
  storage::BatchFields fields;
  std::string message;
  if (proto::ErrorCode code =
          CheckBatch(services.options, topic, produce.topic(), produce.partition(), produce.batch(),
                     &fields, &message, &services.schemas);
      code != proto::NONE) {
    SetError(code, message, response.mutable_error());
    co_return response;
  }
  if (proto::ErrorCode code = CheckProducerOwner(services.security, ctx.connection.principal(),
                                                 fields.producer_id, &message);
      code != proto::NONE) {
    SetError(code, message, response.mutable_error());
    co_return response;
  }
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  if (proto::ErrorCode code = ApplyTimestampPolicy(services.options, *topic, now_ms,
                                                   produce.mutable_batch(), &fields, &message);
      code != proto::NONE) {
    SetError(code, message, response.mutable_error());
    co_return response;
  }

  // The store takes the bytes as they arrived; moving them out avoids copying the batch.
  std::string batch = std::move(*produce.mutable_batch());
  const uint64_t batch_bytes = batch.size();
  storage::LogStore& store = services.store;
  const auto append_start = std::chrono::steady_clock::now();
  // When the store acknowledged the append (on the committer thread): the rest until this
  // coroutine runs again is the hand-off back to the session's io thread.
  std::chrono::steady_clock::time_point acknowledged;
  absl::StatusOr<storage::AppendResult> appended =
      co_await AwaitCallback<absl::StatusOr<storage::AppendResult>>([&](auto done) {
        store.Append(produce.topic(), produce.partition(), std::move(batch), fields,
                     [&acknowledged, done = std::move(done)](auto result) mutable {
                       acknowledged = std::chrono::steady_clock::now();
                       done(std::move(result));
                     });
      });
  const auto resumed = std::chrono::steady_clock::now();
  services.metrics.append_seconds().Observe(
      std::chrono::duration<double>(acknowledged - append_start).count());
  services.metrics.hop(Hop::kAppendResume)
      .Observe(std::chrono::duration<double>(resumed - acknowledged).count());
  if (!appended.ok()) {
    SetError(appended.status(), response.mutable_error());
    co_return response;
  }
  if (!appended->duplicate) {
    services.metrics.produce_batch_bytes().Observe(static_cast<double>(batch_bytes));
    services.metrics.partitions()
        .Get(topic->id, produce.partition())
        ->Produced(batch_bytes, fields.record_count);
  }
  // A duplicate (idempotent retry) is answered like the original append, flagged as such.
  body->set_base_offset(appended->base_offset);
  body->set_duplicate(appended->duplicate);
  body->set_log_start_offset(appended->log_start_offset);
  // A duplicate was stamped when first appended, at a time not known here.
  if (topic->config.log_append_time && !appended->duplicate) body->set_log_append_time_ms(now_ms);
  co_return response;
}

}  // namespace choreo::broker

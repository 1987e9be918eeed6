// TopicEnsurer: creates the topics a saga component publishes to or consumes, once each, when
// they are missing (ServiceOptions::create_topic_partitions, PublisherOptions::...), and answers
// the few other admin questions the saga layer asks (a topic's partitions, a partition's first
// offset).
//
// Thread-safe. Holds its own admin connection, opened on first use and re-opened after a loss
// (a broker restart), so callers never hold a dead connection.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "choreo/client/admin.h"
#include "choreo/common/mutex.h"

namespace choreo::saga::internal {

class TopicEnsurer {
 public:
  // `partitions` == 0: never create; Ensure() then only checks that the topic exists.
  TopicEnsurer(ClientOptions client, uint32_t partitions)
      : client_(std::move(client)), partitions_(partitions) {}

  // OK once `topic` exists (created here with `partitions` if it was missing, or by someone else
  // meanwhile). Errors: kUnknownTopic (missing and creation is off), kInvalidTopic, connection
  // errors.
  Status Ensure(std::string_view topic);
  // The topic's partition count. Errors: as Ensure().
  Result<uint32_t> Partitions(std::string_view topic);
  // Describes an existing topic (never creates it). Errors: kUnknownTopic, connection errors.
  Result<TopicDescription> Describe(std::string_view topic);
  // The log start offset of a partition. Errors: kUnknownTopic, kInvalidPartition, connection
  // errors.
  Result<int64_t> EarliestOffset(const TopicPartition& partition);

 private:
  Result<Admin*> AdminLocked() CHOREO_REQUIRES(mu_);
  // Runs `call` on the admin connection, once more on a fresh connection if it was lost.
  template <typename T, typename Call>
  Result<T> WithAdmin(Call call) CHOREO_EXCLUDES(mu_);

  const ClientOptions client_;
  const uint32_t partitions_;
  Mutex mu_;
  std::unique_ptr<Admin> admin_ CHOREO_GUARDED_BY(mu_);
  std::map<std::string, uint32_t, std::less<>> known_
      CHOREO_GUARDED_BY(mu_);  // topic -> partitions
};

}  // namespace choreo::saga::internal

// TopicEnsurer: creates the topics a saga component publishes to or consumes, once each, when
// they are missing (ServiceOptions::create_topic_partitions, PublisherOptions::...).
//
// Thread-safe. Holds its own admin connection, opened on first use and re-opened after a loss.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "choreo/client/admin.h"

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

 private:
  Result<Admin*> AdminLocked();

  const ClientOptions client_;
  const uint32_t partitions_;
  std::mutex mu_;
  std::unique_ptr<Admin> admin_;
  std::map<std::string, uint32_t, std::less<>> known_;  // topic -> partition count
};

}  // namespace choreo::saga::internal

// The Kafka listener's consumer-group handlers (issue 12): the classic group protocol on the
// broker's GroupCoordinator (its classic() groups, broker/group/classic_coordinator.h), and
// committed offsets in the log store, shared with choreo's own groups of the same name.
//
// JoinGroup and SyncGroup may wait (the join barrier; the leader's assignment): the handler
// parks on its connection and wakes when the group answers, or at the group's next deadline to
// apply it (a member's session, the rebalance timeout). Responses on a connection stay in request
// order (KafkaProtocol), so later requests on the same connection wait behind a held JoinGroup,
// as they do on a Kafka broker.
#pragma once

#include <asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

#include "broker/kafka/handlers/kafka_protocol.h"

namespace choreo::broker {

asio::awaitable<std::optional<kafka::Struct>> HandleKafkaFindCoordinator(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaJoinGroup(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaSyncGroup(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaHeartbeat(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaLeaveGroup(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaOffsetCommit(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaOffsetFetch(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaListGroups(KafkaCall& call);
asio::awaitable<std::optional<kafka::Struct>> HandleKafkaDescribeGroups(KafkaCall& call);

// Access checks of the group handlers, the one place for them: the Kafka error to answer
// (GROUP_AUTHORIZATION_FAILED = 30, TOPIC_AUTHORIZATION_FAILED = 29), or std::nullopt to go on.
// kRead: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit; kDescribe: FindCoordinator,
// OffsetFetch, DescribeGroups (ListGroups leaves out the groups it denies). CheckCommitTopic: each
// topic of an OffsetCommit (read). The native group APIs need the same (handlers/authorize.h).
enum class KafkaGroupAccess { kRead, kDescribe };
std::optional<int16_t> CheckKafkaGroupAccess(KafkaCall& call, KafkaGroupAccess access,
                                             std::string_view group_id);
std::optional<int16_t> CheckKafkaCommitTopic(KafkaCall& call, std::string_view topic);

}  // namespace choreo::broker

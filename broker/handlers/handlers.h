// Request handlers, one per API (one file each), registered in dispatch.cc.
//
// A handler fills the response body and error; the dispatcher sets the correlation id. Handlers
// never throw for bad input: untrusted requests are answered with an error code. `request` is
// owned by the calling coroutine and may be moved from (produce moves the batch bytes out).
#pragma once

#include <asio/awaitable.hpp>

#include <cstdint>
#include <string>

#include "broker/handlers/request_context.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/proto/protocol_version.h"

namespace choreo::broker {

// Defined once, for the client too, beside choreo.proto. Older clients never send the requests of
// a newer minor.
using proto::kProtocolMajor;
using proto::kProtocolMinor;

using Handler = asio::awaitable<proto::Response> (*)(RequestContext& ctx, proto::Request& request);

// The handshake answer, with UNSUPPORTED_VERSION for another major version. Synchronous because
// the session checks the first request inline before reading the next one.
proto::Response HandshakeResponseFor(const BrokerOptions& options,
                                     const proto::HandshakeRequest& request);

asio::awaitable<proto::Response> HandleHandshake(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleCreateTopics(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleDeleteTopics(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleMetadata(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleProduce(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleFetch(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleListOffsets(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleInitProducer(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleAlterTopic(RequestContext& ctx, proto::Request& request);
// Users and ACLs (security_admin.cc; protocol minor 5).
asio::awaitable<proto::Response> HandleUpsertUser(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleDeleteUser(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleListUsers(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleCreateAcls(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleDeleteAcls(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleListAcls(RequestContext& ctx, proto::Request& request);
// Consumer groups (broker/group/).
asio::awaitable<proto::Response> HandleGroupHeartbeat(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleOffsetCommit(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleOffsetFetch(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleListGroups(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleDescribeGroups(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleDeleteGroups(RequestContext& ctx, proto::Request& request);
// Exactly-once saga steps (protocol 1.1).
asio::awaitable<proto::Response> HandleStepCommit(RequestContext& ctx, proto::Request& request);
// The event index and saga visibility (protocol 1.2).
asio::awaitable<proto::Response> HandleFindEvents(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleDefineSaga(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleListSagaDefinitions(RequestContext& ctx,
                                                           proto::Request& request);
asio::awaitable<proto::Response> HandleStuckSagas(RequestContext& ctx, proto::Request& request);
// The schema registry (protocol 1.3).
asio::awaitable<proto::Response> HandleRegisterSchema(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleListSchemas(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleGetSchema(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleCheckSchema(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleScheduleEvent(RequestContext& ctx, proto::Request& request);
asio::awaitable<proto::Response> HandleCancelScheduledEvent(RequestContext& ctx,
                                                            proto::Request& request);

}  // namespace choreo::broker

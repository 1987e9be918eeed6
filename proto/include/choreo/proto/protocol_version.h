// The protocol version the broker and the client speak: the one definition both include, beside
// the schema it versions (choreo.proto).
//
// A major version change breaks compatibility: the broker refuses a handshake of another major.
// A minor version only adds requests or fields. The broker accepts clients of any minor; a client
// sends the requests of a newer minor only to a broker that announced at least that minor in its
// handshake (the k*Minor constants below say which minor added what). Raise kProtocolMinor with
// every addition to choreo.proto, and add its constant here.
#pragma once

#include <cstdint>

namespace choreo::proto {

inline constexpr uint32_t kProtocolMajor = 1;
inline constexpr uint32_t kProtocolMinor = 5;

// StepCommit: an exactly-once saga step.
inline constexpr uint32_t kStepCommitMinor = 1;
// The event index: FindEvents, DefineSaga, ListSagaDefinitions, StuckSagas,
// TopicConfig.event_index.
inline constexpr uint32_t kEventIndexMinor = 2;
// The schema registry: RegisterSchema .. CheckSchema, TopicConfig.schema_validation.
inline constexpr uint32_t kSchemaRegistryMinor = 3;
// Scheduled events: ScheduleEvent, CancelScheduledEvent.
inline constexpr uint32_t kScheduledEventsMinor = 3;
// Broker timestamps: TopicConfig.timestamp_type, RecordBatch.log_append_time_ms (a consumer of an
// older minor sees the producers' timestamps), ErrorCode INVALID_TIMESTAMP.
inline constexpr uint32_t kTimestampTypeMinor = 4;
// Security: SaslAuthenticate, users and ACLs (UpsertUser .. ListAcls), HandshakeResponse's
// sasl_mechanisms and principal, ErrorCode AUTHENTICATION_FAILED and AUTHORIZATION_FAILED.
inline constexpr uint32_t kSecurityMinor = 5;

static_assert(kStepCommitMinor <= kProtocolMinor && kEventIndexMinor <= kProtocolMinor &&
                  kSchemaRegistryMinor <= kProtocolMinor &&
                  kScheduledEventsMinor <= kProtocolMinor &&
                  kTimestampTypeMinor <= kProtocolMinor && kSecurityMinor <= kProtocolMinor,
              "a feature's minor version cannot be newer than the protocol's");

}  // namespace choreo::proto

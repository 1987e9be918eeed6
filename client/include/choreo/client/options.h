// Connection options shared by Admin, Producer and Consumer.
//
// Each Admin, Producer and Consumer owns one TCP (or TLS) connection to the broker at a time.
// Creating one tries to connect (and handshake) once; if the broker cannot be reached yet (refused,
// unresolvable, timed out: a service started before the broker, or during its restart), creation
// still succeeds and the connection is made later, retried with backoff (100 ms doubling to 1 s,
// +-20% jitter). Creation fails only for what waiting cannot fix: a malformed `broker` address or
// bad limits (kInvalidArgument), a broker speaking another protocol (kUnsupportedVersion).
//
// A lost connection is re-established too: the Producer resends what was unacknowledged (see
// producer.h); consumer.h says what the Consumer does; an Admin reconnects at its next call. What
// a call does while there is no connection is documented per class (an Admin call waits up to
// request_timeout for one).
#pragma once

#include <chrono>
#include <string>

namespace choreo {

// The broker's default port. choreod listens on localhost:7420 unless told otherwise.
inline constexpr int kDefaultBrokerPort = 7420;

// TLS to the broker (README "TLS"). The files are read each time a connection is made, so a
// renewed client certificate is used from the next reconnect on.
struct TlsOptions {
  // Speak TLS (1.2 or later) and verify the broker's certificate: that it is signed by a CA of
  // `ca_file` (or of the system's trusted CAs when `ca_file` is empty) and issued for the host of
  // ClientOptions::broker (a name, or an IP address in the certificate's subjectAltName). A
  // failed verification or a broker that does not speak TLS fails with kTlsError, which is not
  // retried. Default: false (plain TCP).
  bool enabled = false;
  // PEM CA bundle to verify the broker against. Default: empty (the system's CAs).
  std::string ca_file = {};
  // PEM client certificate chain and its private key, for a broker that requires client
  // certificates (mutual TLS); both or neither. Default: empty (none).
  std::string cert_file = {};
  std::string key_file = {};
};

// Authentication to a broker that requires it (choreod --auth=sasl; README "Authentication and
// ACLs"), right after the handshake. The password stays in this process: SCRAM-SHA-256 proves
// knowledge of it without sending it, and checks that the broker knows the user's credential
// too; PLAIN sends it, so this client uses PLAIN only over TLS. Wrong credentials fail with
// kAuthenticationFailed, which is not retried. A broker that does not ask for authentication is
// used without it.
struct SaslOptions {
  // The user name. Default: empty (no authentication).
  std::string username = {};
  std::string password = {};
  // "SCRAM-SHA-256" or "PLAIN". Default: "SCRAM-SHA-256".
  std::string mechanism = "SCRAM-SHA-256";
};

struct ClientOptions {
  // "host:port" of the broker. Default: "localhost:7420".
  std::string broker = "localhost:7420";
  // Sent in the handshake and shown in the broker's logs. Default: "choreo-client".
  std::string client_id = "choreo-client";
  // How long to wait for the TCP connection and handshake. Default: 5 s.
  std::chrono::milliseconds connect_timeout{5000};
  // How long to wait for any single response. Default: 30 s.
  std::chrono::milliseconds request_timeout{30000};
  // Largest frame this client accepts from the broker; a larger one closes the connection
  // (kProtocolError). Requests are limited to the smaller of this and the broker's announced limit
  // and fail with kMessageTooLarge, unsent, above it. Must be at least 1024. Default: 64 MiB.
  uint64_t max_frame_bytes = 64ull << 20;
  // TLS to the broker. A file that cannot be read or used fails creation with kInvalidArgument.
  // Default: off.
  TlsOptions tls = {};
  // Credentials for a broker that requires authentication. Default: none.
  SaslOptions sasl = {};
};

}  // namespace choreo

// TLS for the broker's listeners (README "TLS"): the SSL contexts built from --tls-cert, --tls-key
// and --tls-ca, reloaded on SIGHUP, and the accounting of failed handshakes.
//
// Each context accepts TLS 1.2 and later only. With a CA file the protocol listener requires a
// client certificate signed by it (mutual TLS); the HTTP listener never asks for one, so that
// health checks and scrapers need no certificate (authentication of the HTTP port is separate).
//
// Reload() builds new contexts from the same files and swaps them in only if every file loads:
// connections already open keep the context they were accepted with (ConnectionStream shares
// it), new handshakes get the new one, and a bad file leaves the old contexts serving.
//
// Threading: thread-safe.
#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <asio/error_code.hpp>
#include <asio/ssl/context.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "broker/log_rate_limiter.h"
#include "choreo/common/mutex.h"

namespace choreo::broker {

class Counter;
class MetricsRegistry;

struct TlsFiles {
  std::string cert;  // PEM certificate chain of the broker, leaf first
  std::string key;   // PEM private key of that certificate
  std::string ca;    // PEM CA bundle for client certificates; empty: none are asked for
};

class TlsContexts {
 public:
  // Errors: InvalidArgument naming the file that cannot be read or used, or the key that does not
  // match the certificate.
  static absl::StatusOr<std::unique_ptr<TlsContexts>> Load(TlsFiles files);

  // Re-reads the files (see above). Errors: as Load(); the current contexts stay in use.
  absl::Status Reload() CHOREO_EXCLUDES(mu_);

  // The context for the next handshake on each listener.
  std::shared_ptr<asio::ssl::context> ForProtocol() const CHOREO_EXCLUDES(mu_);
  std::shared_ptr<asio::ssl::context> ForHttp() const CHOREO_EXCLUDES(mu_);
  // Whether client certificates are required on the protocol listener.
  bool mutual() const { return !files_.ca.empty(); }
  const TlsFiles& files() const { return files_; }

 private:
  explicit TlsContexts(TlsFiles files) : files_(std::move(files)) {}

  const TlsFiles files_;
  mutable Mutex mu_;
  std::shared_ptr<asio::ssl::context> protocol_ CHOREO_GUARDED_BY(mu_);
  std::shared_ptr<asio::ssl::context> http_ CHOREO_GUARDED_BY(mu_);
};

// Which listener a TLS handshake failed on (the `listener` label of the metric).
enum class TlsListener { kProtocol, kHttp, kKafka };

// Counts failed TLS handshakes in choreo_tls_handshake_failures_total{listener} and logs each with
// the peer address, at most 10 lines a second (a port scanner or a plaintext client can fail
// handshakes as fast as it connects). Threading: thread-safe.
class TlsHandshakeFailures {
 public:
  // `registry` is borrowed and must outlive this object.
  explicit TlsHandshakeFailures(MetricsRegistry& registry);

  void Record(TlsListener listener, std::string_view peer, const asio::error_code& error);
  void Record(TlsListener listener, std::string_view peer, std::string_view reason);

 private:
  Counter* protocol_;
  Counter* http_;
  Counter* kafka_;
  LogRateLimiter log_limiter_{10};
};

// A listener's TLS: both null for plain TCP. Borrowed by the listener; must outlive it.
struct ListenerTls {
  const TlsContexts* contexts = nullptr;
  TlsHandshakeFailures* failures = nullptr;
  TlsListener listener = TlsListener::kProtocol;  // its failures' label
};

// A readable reason for a TLS error: OpenSSL's reason string ("certificate verify failed",
// "wrong version number", ...) rather than Asio's category text.
std::string TlsErrorReason(const asio::error_code& error);

}  // namespace choreo::broker

#include "broker/net/tls_context.h"

#include <absl/strings/str_cat.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <asio/ssl/error.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "broker/logging.h"
#include "broker/metrics/metrics.h"

namespace choreo::broker {
namespace {

// Reads the queued OpenSSL errors into one line (and clears the queue), or `fallback`.
std::string OpenSslErrors(std::string_view fallback) {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? std::string(fallback) : out;
}

// fopen() first, so that a missing or unreadable file is reported as such (errno), not as
// OpenSSL's "no start line".
absl::Status CheckReadable(const std::string& what, const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " is required for TLS"));
  FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", what, " ", path, ": ", std::strerror(errno)));
  }
  std::fclose(file);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<asio::ssl::context>> BuildContext(const TlsFiles& files,
                                                                 bool verify_clients) {
  if (absl::Status s = CheckReadable("TLS certificate (--tls-cert)", files.cert); !s.ok()) return s;
  if (absl::Status s = CheckReadable("TLS key (--tls-key)", files.key); !s.ok()) return s;
  if (!files.ca.empty()) {
    if (absl::Status s = CheckReadable("TLS CA file (--tls-ca)", files.ca); !s.ok()) return s;
  }
  ERR_clear_error();
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  context->set_options(asio::ssl::context::default_workarounds |
                       asio::ssl::context::no_compression | asio::ssl::context::single_dh_use);
  asio::error_code ec;
  context->use_certificate_chain_file(files.cert, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot use TLS certificate ", files.cert, ": ", OpenSslErrors(ec.message())));
  }
  context->use_private_key_file(files.key, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat("cannot use TLS key ", files.key,
                                                   " (with certificate ", files.cert,
                                                   "): ", OpenSslErrors(ec.message())));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return absl::InvalidArgumentError(absl::StrCat("TLS key ", files.key,
                                                   " does not match certificate ", files.cert, ": ",
                                                   OpenSslErrors("mismatch")));
  }
  if (!files.ca.empty()) {
    context->load_verify_file(files.ca, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot use TLS CA file ", files.ca, ": ", OpenSslErrors(ec.message())));
    }
    if (verify_clients) {
      context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
      // Tells clients which CAs are accepted, so one holding several certificates picks right.
      if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.ca.c_str())) {
        SSL_CTX_set_client_CA_list(ctx, names);
      }
    }
  }
  ERR_clear_error();
  return context;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsContexts>> TlsContexts::Load(TlsFiles files) {
  std::unique_ptr<TlsContexts> contexts(new TlsContexts(std::move(files)));
  if (absl::Status loaded = contexts->Reload(); !loaded.ok()) return loaded;
  return contexts;
}

absl::Status TlsContexts::Reload() {
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> protocol =
      BuildContext(files_, /*verify_clients=*/true);
  if (!protocol.ok()) return protocol.status();
  absl::StatusOr<std::shared_ptr<asio::ssl::context>> http =
      BuildContext(files_, /*verify_clients=*/false);
  if (!http.ok()) return http.status();
  MutexLock lock(&mu_);
  protocol_ = *std::move(protocol);
  http_ = *std::move(http);
  return absl::OkStatus();
}

std::shared_ptr<asio::ssl::context> TlsContexts::ForProtocol() const {
  MutexLock lock(&mu_);
  return protocol_;
}

std::shared_ptr<asio::ssl::context> TlsContexts::ForHttp() const {
  MutexLock lock(&mu_);
  return http_;
}

TlsHandshakeFailures::TlsHandshakeFailures(MetricsRegistry& registry) {
  constexpr std::string_view kHelp =
      "TLS handshakes that failed (wrong or missing certificate, plaintext client, timeout), by "
      "listener.";
  protocol_ =
      registry.GetCounter("choreo_tls_handshake_failures_total", kHelp, {"listener"}, {"protocol"});
  http_ = registry.GetCounter("choreo_tls_handshake_failures_total", kHelp, {"listener"}, {"http"});
  kafka_ =
      registry.GetCounter("choreo_tls_handshake_failures_total", kHelp, {"listener"}, {"kafka"});
}

void TlsHandshakeFailures::Record(TlsListener listener, std::string_view peer,
                                  const asio::error_code& error) {
  Record(listener, peer, TlsErrorReason(error));
}

void TlsHandshakeFailures::Record(TlsListener listener, std::string_view peer,
                                  std::string_view reason) {
  const char* name = "protocol";
  Counter* counter = protocol_;
  if (listener == TlsListener::kHttp) {
    name = "http";
    counter = http_;
  } else if (listener == TlsListener::kKafka) {
    name = "kafka";
    counter = kafka_;
  }
  counter->Increment();
  const LogRateLimiter::Decision decision = log_limiter_.Admit(LogRateLimiter::Clock::now());
  if (!decision.log) return;
  NetLog().warn("event=tls_handshake_failed listener={} peer={} reason=\"{}\"{}", name, peer,
                reason,
                decision.suppressed_before > 0
                    ? absl::StrCat(" suppressed_before=", decision.suppressed_before)
                    : "");
}

std::string TlsErrorReason(const asio::error_code& error) {
  if (error.category() == asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(error.value()));
    if (reason != nullptr) return reason;
  }
  if (error == asio::ssl::error::stream_truncated) return "peer closed during the handshake";
  if (error == asio::error::eof) return "peer closed during the handshake";
  return error.message();
}

}  // namespace choreo::broker

#include "client/connection.h"

#include <memory>
#include <utility>

#include "client/broker_address.h"

namespace choreo::client_internal {
namespace {

class NotConnectedConnection final : public Connection {
 public:
  explicit NotConnectedConnection(Status why) : why_(std::move(why)) {}
  void Send(proto::Request, std::chrono::milliseconds, ResponseCallback callback) override {
    callback(why_);
  }
  void Close() override {}
  bool IsOpen() const override { return false; }
  const BrokerInfo& broker() const override { return broker_; }

 private:
  const Status why_;
  const BrokerInfo broker_;
};

}  // namespace

std::unique_ptr<Connection> Connection::NotConnected(Status why) {
  return std::make_unique<NotConnectedConnection>(
      Status(ErrorCode::kConnectionFailed, why.ok() ? "not connected" : why.message()));
}

Status ValidateClientOptions(const ClientOptions& options) {
  if (Result<BrokerAddress> address = ParseBrokerAddress(options.broker); !address.ok()) {
    return address.status();
  }
  if (options.max_frame_bytes < 1024) {
    return Status(ErrorCode::kInvalidArgument, "max_frame_bytes must be at least 1024");
  }
  const TlsOptions& tls = options.tls;
  if (!tls.enabled && !(tls.ca_file.empty() && tls.cert_file.empty() && tls.key_file.empty())) {
    return Status(ErrorCode::kInvalidArgument, "TLS files are given but TLS is not enabled");
  }
  if (!options.sasl.username.empty() && options.sasl.mechanism != "SCRAM-SHA-256" &&
      options.sasl.mechanism != "PLAIN") {
    return Status(
        ErrorCode::kInvalidArgument,
        "sasl.mechanism must be SCRAM-SHA-256 or PLAIN, not '" + options.sasl.mechanism + "'");
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  "a TLS client certificate needs its key, and a key its certificate");
  }
  if (options.connect_timeout.count() <= 0 || options.request_timeout.count() <= 0) {
    return Status(ErrorCode::kInvalidArgument,
                  "connect_timeout and request_timeout must be positive");
  }
  return OkStatus();
}

bool IsUnreachable(const Status& open_error) {
  // Refused, reset, unresolvable (a name not registered yet), timed out, or a broker shutting down
  // or overloaded: all may pass. A version mismatch or a bad address will not.
  return open_error.IsRetriable();
}

std::future<Result<proto::Response>> Connection::Send(proto::Request request,
                                                      std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Result<proto::Response>>>();
  std::future<Result<proto::Response>> future = promise->get_future();
  Send(std::move(request), timeout,
       [promise](Result<proto::Response> result) { promise->set_value(std::move(result)); });
  return future;
}

Result<proto::Response> Connection::Call(proto::Request request,
                                         std::chrono::milliseconds timeout) {
  return Send(std::move(request), timeout).get();
}

}  // namespace choreo::client_internal

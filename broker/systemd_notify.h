// Readiness and status notifications to systemd (a `Type=notify` service), written against the
// documented datagram protocol of sd_notify(3) instead of linking libsystemd: the service manager
// names a Unix datagram socket in $NOTIFY_SOCKET, and the daemon sends it newline-separated
// "KEY=value" assignments such as "READY=1", "STOPPING=1" or "STATUS=serving on port 7420".
#pragma once

#include <absl/status/status.h>

#include <absl/strings/string_view.h>

namespace choreo::broker {

// Sends `state` to the socket named by $NOTIFY_SOCKET. Returns OK without sending anything when the
// variable is unset or empty (choreod was not started by systemd as a Type=notify service).
// Errors: as NotifySocket. Reads the environment: call it from the main thread, not concurrently
// with setenv().
absl::Status SystemdNotify(absl::string_view state);

// Sends `state` as one datagram to `socket_address`: a filesystem path ("/run/systemd/notify") or,
// with a leading '@', a name in the abstract namespace ("@/org/freedesktop/systemd1/notify"),
// as in $NOTIFY_SOCKET. Errors: InvalidArgument for an address that is neither (systemd's
// "vsock:" addresses are not supported) or longer than a socket address holds; Unavailable with
// the errno text when the socket cannot be created or the datagram not sent.
absl::Status NotifySocket(absl::string_view socket_address, absl::string_view state);

}  // namespace choreo::broker

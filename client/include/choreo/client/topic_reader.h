// ReadTopicToEnd: every record of a topic that is present when it is called, without a group.
// For tools and tests that need "what is in the log now" (choreo dlq, choreo::testing) rather than
// a subscription that goes on.
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "choreo/client/options.h"
#include "choreo/client/record.h"
#include "choreo/client/status.h"

namespace choreo {

// Reads each partition of `topic` from its log start offset up to its high watermark as of the
// call, and passes every record to `visit`: records of one partition in offset order, partitions
// interleaved. Records appended during the call are not read. Never creates the topic (a broker
// that auto-creates topics is not asked about it by name). Errors: kUnknownTopic, kTimeout (not
// read within `timeout`), kOffsetOutOfRange (retention passed the reader), and the connection's.
Status ReadTopicToEnd(const ClientOptions& client, std::string_view topic,
                      std::chrono::milliseconds timeout,
                      const std::function<void(ConsumedRecord&&)>& visit);

}  // namespace choreo

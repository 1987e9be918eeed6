// The broker's rule for a batch's timestamps (issue 14, item 4), applied to every produced batch
// and every batch of a step commit, after CheckBatch():
//  - a topic with log append time (TopicConfig::log_append_time, Kafka's
//    message.timestamp.type=LogAppendTime) gets the batch stamped with the broker's clock: its
//    first/max timestamps and its log_append_time_ms field are set to `now_ms` (record timestamps
//    as consumers see them), whatever the producer's clock said;
//  - otherwise (create time) a batch whose max timestamp is more than
//    BrokerOptions::max_timestamp_skew_ms ahead of `now_ms` is rejected with INVALID_TIMESTAMP.
// Either way one producer's clock cannot push a partition's timestamps far into the future, where
// they would hold back time-based retention (which drops a prefix of batches older than the
// cutoff) and make seek-by-time land on them.
//
// Scheduled events keep their producer's timestamps (they are checked when scheduled, appended
// when due): see broker/README.md.
#pragma once

#include <cstdint>
#include <string>

#include "choreo/broker/broker.h"
#include "choreo/proto/choreo.pb.h"
#include "choreo/storage/log_store.h"

namespace choreo::broker {

// `batch` and `fields` passed CheckBatch() for `topic`. Returns NONE (with `*batch` and
// `fields->max_timestamp_ms` stamped on a log-append-time topic), or INVALID_TIMESTAMP with
// `*message` naming the skew and the limit.
proto::ErrorCode ApplyTimestampPolicy(const BrokerOptions& options, const storage::TopicInfo& topic,
                                      int64_t now_ms, std::string* batch,
                                      storage::BatchFields* fields, std::string* message);

}  // namespace choreo::broker

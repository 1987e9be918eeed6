// What one choreo-bench run does, filled from flags in main.cc.
#pragma once

#include <cstdint>
#include <string>

#include "choreo/client/options.h"

namespace choreo::bench {

struct BenchOptions {
  std::string broker = "localhost:7420";
  // TLS of every client connection (--tls_ca, --tls_cert, --tls_key; off by default).
  TlsOptions tls;
  std::string topic;  // empty: a fresh "choreo-bench-<pid>" topic
  uint32_t partitions = 8;
  int producers = 1;
  int consumers = 1;
  int record_bytes = 100;            // value size; the first 8 bytes carry the send time
  int64_t key_cardinality = 100000;  // 0: records have no key
  int64_t records = 0;               // total to produce; 0: run for duration_s
  double duration_s = 10;
  double rate = 0;  // records per second over all producers; 0: as fast as possible
  uint64_t batch_bytes = 256 << 10;
  int linger_ms = 5;
  bool adaptive_linger = true;
  std::string compression = "none";
  // Put the saga envelope on every record (bench/common/saga_envelope_source.h): the key is the
  // saga id and key_cardinality is unused.
  bool envelope = false;
  int saga_events = 5;  // events per saga with `envelope`
  // The event index of the topic created for the run: "on", "off", or empty for the broker's
  // default (on).
  std::string event_index;
  // Produce everything first, then measure consumers reading the backlog from the beginning.
  bool backlog = false;
  bool json = false;
  // Also report where the time goes: the broker's per-hop latencies over the run (scraped from
  // broker_http's /metrics) and the producer's send -> acknowledgement time.
  bool trace = false;
  std::string broker_http;  // host:port of the broker's HTTP endpoint, for `trace`
  std::string fsync_label;  // the broker's fsync policy, when known
};

}  // namespace choreo::bench

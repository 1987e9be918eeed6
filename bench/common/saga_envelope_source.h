// Saga events for the benchmarks that measure the broker's event index (choreo-bench --envelope,
// choreo-event-search-bench): every record gets the headers choreo::saga's Publisher and services
// write (client/include/choreo/saga/envelope.h, in the same order), and its saga id as the key.
//
//   ce_specversion 1.0, ce_id a random UUID v4, ce_source and ce_type by the event's place in its
//   saga (shop.v1.OrderCreated from order-service, then payment, inventory, shipping, completion),
//   ce_time now (RFC 3339, ms), ce_datacontenttype application/protobuf, ce_dataschema
//   urn:choreo:schema:<type>:v1, ce_correlationid the saga id (a UUID; also the record key),
//   ce_causationid the saga's previous event id (absent on its first event), traceparent with one
//   trace id per saga and a new span id per event.
//
// Sagas are interleaved as in a live system: `sagas_in_flight` are open at once, each Next()
// continues a random one, and a saga that reaches `events_per_saga` events is replaced by a new
// one. The ids come from a seeded xorshift generator, not the saga library's random_device: the
// generator runs on the benchmark's own (shared) CPU for every record.
//
// Not thread-safe: one source per producer thread, with different seeds.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "choreo/client/record.h"

namespace choreo::bench {

// What the last Next() wrote; the views are valid until the next call.
struct SagaEventInfo {
  std::string_view saga_id;
  std::string_view event_id;
  std::string_view type;
  int64_t time_ms = 0;
  int index_in_saga = 0;  // 0 for the saga's first event
};

class SagaEnvelopeSource {
 public:
  // events_per_saga >= 1, sagas_in_flight >= 1.
  explicit SagaEnvelopeSource(uint64_t seed, int events_per_saga = 5, int sagas_in_flight = 1000);

  // Sets record.key (the saga id), record.headers (the envelope) and record.timestamp_ms (= ce_time
  // = now_ms) for the next event of a random open saga; leaves record.value alone.
  SagaEventInfo Next(int64_t now_ms, Record& record);

  // The event types, in saga order (an event's type is types[index_in_saga % size]).
  static const std::vector<std::string>& Types();

 private:
  struct Saga {
    std::string id;
    std::string trace_id;    // 32 hex digits
    std::string last_event;  // ce_id of its previous event; empty before the first
    int next = 0;            // index of its next event
  };

  void Restart(Saga& saga);
  std::string Uuid();
  std::string Hex(int digits);

  const int events_per_saga_;
  uint64_t state_;
  std::vector<Saga> sagas_;
  int64_t formatted_ms_ = -1;  // ce_time is formatted once per millisecond
  std::string formatted_time_;
  std::string event_id_;  // the last event's id, for SagaEventInfo
};

// Bytes of a record as the broker stores its fields: key + value + every header's name and value
// (not counting the batch's framing and varints).
int64_t RecordPayloadBytes(const Record& record);

}  // namespace choreo::bench

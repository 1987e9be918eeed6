#include "bench/common/saga_envelope_source.h"

#include <absl/strings/str_cat.h>

#include <algorithm>

#include "choreo/common/rfc3339.h"

namespace choreo::bench {
namespace {

struct Step {
  std::string type;
  std::string source;
  std::string data_schema;
};

const std::vector<Step>& Steps() {
  static const std::vector<Step>* steps = [] {
    auto* s = new std::vector<Step>();
    for (auto [type, source] : std::initializer_list<std::pair<const char*, const char*>>{
             {"shop.v1.OrderCreated", "order-service"},
             {"shop.v1.PaymentAuthorized", "payment-service"},
             {"shop.v1.StockReserved", "inventory-service"},
             {"shop.v1.ShipmentCreated", "shipping-service"},
             {"shop.v1.OrderCompleted", "order-service"}}) {
      s->push_back({type, source, absl::StrCat("urn:choreo:schema:", type, ":v1")});
    }
    return s;
  }();
  return *steps;
}

uint64_t NextRandom(uint64_t& state) {  // xorshift64*
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 2685821657736338717ull;
}

constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace

SagaEnvelopeSource::SagaEnvelopeSource(uint64_t seed, int events_per_saga, int sagas_in_flight)
    : events_per_saga_(std::max(events_per_saga, 1)), state_(seed | 1) {
  sagas_.resize(static_cast<size_t>(std::max(sagas_in_flight, 1)));
  for (Saga& saga : sagas_)
    Restart(saga);
}

const std::vector<std::string>& SagaEnvelopeSource::Types() {
  static const std::vector<std::string>* types = [] {
    auto* t = new std::vector<std::string>();
    for (const Step& s : Steps())
      t->push_back(s.type);
    return t;
  }();
  return *types;
}

std::string SagaEnvelopeSource::Hex(int digits) {
  std::string out(static_cast<size_t>(digits), '0');
  uint64_t bits = 0;
  for (int i = 0; i < digits; ++i) {
    if (i % 16 == 0) bits = NextRandom(state_);
    out[static_cast<size_t>(i)] = kHexDigits[bits & 0xf];
    bits >>= 4;
  }
  return out;
}

std::string SagaEnvelopeSource::Uuid() {
  std::string hex = Hex(32);
  hex[12] = '4';  // version 4
  const int nibble = hex[16] <= '9' ? hex[16] - '0' : hex[16] - 'a' + 10;
  hex[16] = "89ab"[nibble & 3];  // variant 10xx
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < hex.size(); ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) out.push_back('-');
    out.push_back(hex[i]);
  }
  return out;
}

void SagaEnvelopeSource::Restart(Saga& saga) {
  saga.id = Uuid();
  saga.trace_id = Hex(32);
  saga.last_event.clear();
  saga.next = 0;
}

SagaEventInfo SagaEnvelopeSource::Next(int64_t now_ms, Record& record) {
  Saga& saga = sagas_[NextRandom(state_) % sagas_.size()];
  if (saga.next == events_per_saga_) Restart(saga);
  const Step& step = Steps()[static_cast<size_t>(saga.next) % Steps().size()];
  if (now_ms != formatted_ms_) {
    formatted_ms_ = now_ms;
    formatted_time_ = FormatRfc3339Millis(now_ms);
  }
  event_id_ = Uuid();

  record.key = saga.id;
  record.timestamp_ms = now_ms;
  std::vector<Header>& h = record.headers;
  h.clear();
  h.reserve(10);
  h.push_back({"ce_specversion", "1.0"});
  h.push_back({"ce_id", event_id_});
  h.push_back({"ce_source", step.source});
  h.push_back({"ce_type", step.type});
  h.push_back({"ce_time", formatted_time_});
  h.push_back({"ce_datacontenttype", "application/protobuf"});
  h.push_back({"ce_dataschema", step.data_schema});
  h.push_back({"ce_correlationid", saga.id});
  if (!saga.last_event.empty()) h.push_back({"ce_causationid", saga.last_event});
  h.push_back({"traceparent", absl::StrCat("00-", saga.trace_id, "-", Hex(16), "-01")});

  SagaEventInfo info{.saga_id = saga.id,
                     .event_id = event_id_,
                     .type = step.type,
                     .time_ms = now_ms,
                     .index_in_saga = saga.next};
  saga.last_event = event_id_;
  ++saga.next;
  return info;
}

int64_t RecordPayloadBytes(const Record& record) {
  int64_t bytes = static_cast<int64_t>(record.key.size() + record.value.size());
  for (const Header& h : record.headers)
    bytes += static_cast<int64_t>(h.key.size() + h.value.size());
  return bytes;
}

}  // namespace choreo::bench

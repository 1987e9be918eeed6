#include "tests/e2e/order_saga_audit.h"

#include <gtest/gtest.h>

#include <utility>

#include "proto/order_saga.pb.h"
#include "tests/e2e/broker_test_base.h"

namespace choreo::e2e {
namespace {

template <typename Message>
std::string TypeOf() {
  return Message::descriptor()->full_name();
}

// Who publishes each type, and which types may cause it (the choreography).
struct Rule {
  std::string source;
  std::set<std::string> causes;
};

const std::map<std::string, Rule>& Rules() {
  using namespace shop::v1;
  static const auto* rules = new std::map<std::string, Rule>{
      {TypeOf<OrderCreated>(), {"order-service", {}}},
      {TypeOf<PaymentSucceeded>(), {"payment-service", {TypeOf<OrderCreated>()}}},
      {TypeOf<PaymentFailed>(), {"payment-service", {TypeOf<OrderCreated>()}}},
      // The payment timeout: armed by order-service when it placed the order, published by the
      // broker when due.
      {TypeOf<PaymentTimedOut>(), {"order-service", {TypeOf<OrderCreated>()}}},
      {TypeOf<ShipmentCreated>(), {"shipping-service", {TypeOf<PaymentSucceeded>()}}},
      {TypeOf<ShipmentFailed>(), {"shipping-service", {TypeOf<PaymentSucceeded>()}}},
      {TypeOf<PaymentRefunded>(), {"payment-service", {TypeOf<ShipmentFailed>()}}},
      {TypeOf<OrderCompleted>(), {"order-service", {TypeOf<ShipmentCreated>()}}},
      {TypeOf<OrderCancelled>(),
       {"order-service",
        {TypeOf<PaymentFailed>(), TypeOf<PaymentRefunded>(), TypeOf<PaymentTimedOut>()}}},
  };
  return *rules;
}

class SagaChecker {
 public:
  SagaChecker(const std::string& saga, const std::vector<SagaEvent>& events,
              std::vector<std::string>& violations)
      : saga_(saga), events_(events), violations_(violations) {
    for (const SagaEvent& e : events_) {
      by_type_[e.envelope.type].push_back(&e);
      by_id_[e.envelope.id] = &e;
    }
  }

  void CheckEvents() {
    std::set<std::string> trace_ids;
    for (const SagaEvent& e : events_) {
      const saga::Envelope& env = e.envelope;
      const std::string where = env.type + " " + e.topic + "/" + std::to_string(e.partition) + "@" +
                                std::to_string(e.offset);
      trace_ids.insert(env.trace.trace_id);
      if (e.key != saga_) Fail(where + " has key '" + e.key + "'");
      if (e.partition != events_.front().partition) Fail(where + " is in another partition");
      auto rule = Rules().find(env.type);
      if (rule == Rules().end()) {
        Fail(where + " has an unexpected type");
        continue;
      }
      if (env.source != rule->second.source) Fail(where + " comes from " + env.source);
      if (rule->second.causes.empty()) {
        if (!env.causation_id.empty()) Fail(where + " (the first event) has a causation id");
        continue;
      }
      auto cause = by_id_.find(env.causation_id);
      if (cause == by_id_.end()) {
        Fail(where + " is caused by '" + env.causation_id + "', no event of this saga");
        continue;
      }
      const saga::Envelope& cause_env = cause->second->envelope;
      if (!rule->second.causes.contains(cause_env.type)) {
        Fail(where + " is caused by a " + cause_env.type);
      }
      if (cause_env.time_ms > env.time_ms) Fail(where + " is older than its cause");
    }
    if (trace_ids.size() != 1 || trace_ids.begin()->empty()) {
      Fail(std::to_string(trace_ids.size()) + " trace ids (or an empty one)");
    }
  }

  // The path through the choreography; returns the terminal state ("" if none).
  std::string CheckPath(SagaOutcomes& outcomes) {
    using namespace shop::v1;
    const int created = Count<OrderCreated>(), paid = Count<PaymentSucceeded>(),
              declined = Count<PaymentFailed>(), shipped = Count<ShipmentCreated>(),
              unshipped = Count<ShipmentFailed>(), refunded = Count<PaymentRefunded>(),
              completed = Count<OrderCompleted>(), cancelled = Count<OrderCancelled>(),
              timed_out = Count<PaymentTimedOut>();
    if (created != 1) Fail(std::to_string(created) + " OrderCreated events");
    if (paid > 1) Fail(std::to_string(paid) + " PaymentSucceeded events: captured twice");
    if (timed_out > 1) Fail(std::to_string(timed_out) + " payment timeouts: the timer fired twice");
    // The payment decision and the timeout exclude each other (payment-service disarms the timer
    // before charging, and charges nothing once it fired).
    if (paid + declined + timed_out != 1) {
      Fail(std::to_string(paid + declined) + " payment decisions and " + std::to_string(timed_out) +
           " timeouts");
    }
    if (completed + cancelled != 1) {
      Fail(std::to_string(completed + cancelled) + " terminal events");
      return "";
    }
    if (timed_out == 1) {
      if (shipped + unshipped + refunded != 0) Fail("shipping or refund after a payment timeout");
      if (cancelled != 1) Fail("the payment timed out, but the order was not cancelled");
      ++outcomes.timed_out;
    } else if (declined == 1) {
      if (shipped + unshipped + refunded != 0) Fail("shipping or refund after a declined payment");
      if (cancelled != 1) Fail("declined payment, but the order was not cancelled");
      ++outcomes.declined;
    } else if (paid == 1) {
      if (shipped + unshipped != 1)
        Fail(std::to_string(shipped + unshipped) + " shipment decisions");
      if (shipped == 1 && (completed != 1 || refunded != 0)) Fail("shipped but not just completed");
      if (unshipped == 1) {
        CheckRefund(refunded);
        if (cancelled != 1) Fail("shipping failed, but the order was not cancelled");
        ++outcomes.refunded;
      } else {
        ++outcomes.completed;
      }
    }
    return completed == 1 ? "COMPLETED" : "CANCELLED";
  }

 private:
  template <typename Message>
  int Count() const {
    auto it = by_type_.find(TypeOf<Message>());
    return it == by_type_.end() ? 0 : static_cast<int>(it->second.size());
  }
  template <typename Message>
  Message Decode() const {
    Message message;
    if (!message.ParseFromString(by_type_.at(TypeOf<Message>()).front()->payload)) {
      Fail("undecodable " + TypeOf<Message>());
    }
    return message;
  }

  // Every captured payment of a cancelled order is refunded: once, the same payment and amount.
  void CheckRefund(int refunded) {
    if (refunded != 1) {
      Fail(std::to_string(refunded) + " refunds of a captured payment after shipping failed");
      return;
    }
    const auto paid = Decode<shop::v1::PaymentSucceeded>();
    const auto refund = Decode<shop::v1::PaymentRefunded>();
    if (refund.payment_id() != paid.payment_id() || refund.amount_cents() != paid.amount_cents()) {
      Fail("refund of " + refund.payment_id() + " does not match capture " + paid.payment_id());
    }
  }

  void Fail(const std::string& what) const { violations_.push_back(saga_ + ": " + what); }

  const std::string& saga_;
  const std::vector<SagaEvent>& events_;
  std::vector<std::string>& violations_;
  std::map<std::string, std::vector<const SagaEvent*>> by_type_;
  std::map<std::string, const SagaEvent*> by_id_;
};

}  // namespace

SagaLog ReadSagaLog(const ClientOptions& client, const std::vector<std::string>& topics) {
  SagaLog log;
  for (const std::string& topic : topics) {
    for (auto& [partition, records] : ReadTopic(client, topic)) {
      for (ConsumedRecord& r : records) {
        ++log.events;
        Result<saga::Envelope> envelope = saga::ReadEnvelope(r.record.headers);
        if (!envelope.ok()) {
          log.unreadable.push_back(topic + "/" + std::to_string(partition) + "@" +
                                   std::to_string(r.offset) + ": " + envelope.status().ToString());
          continue;
        }
        std::string saga_id = envelope->saga_id;
        log.sagas[saga_id].push_back(SagaEvent{.topic = topic,
                                               .partition = partition,
                                               .offset = r.offset,
                                               .key = std::move(r.record.key),
                                               .envelope = std::move(envelope).value(),
                                               .payload = std::move(r.record.value)});
      }
    }
  }
  return log;
}

SagaAudit AuditSagas(const SagaLog& log, const std::set<std::string>& expected) {
  SagaAudit audit;
  for (const std::string& saga : expected) {
    if (!log.sagas.contains(saga)) audit.violations.push_back(saga + ": no events at all");
  }
  std::map<std::string, std::string> first_seen;  // ce_id -> where
  for (const auto& [saga, events] : log.sagas) {
    if (!expected.contains(saga)) {
      audit.violations.push_back(saga + ": a saga nobody started");
      continue;
    }
    for (const SagaEvent& e : events) {
      const std::string where = saga + " " + e.topic + "@" + std::to_string(e.offset);
      auto [it, inserted] = first_seen.emplace(e.envelope.id, where);
      if (!inserted) {
        audit.violations.push_back(where + ": ce_id " + e.envelope.id + " already at " +
                                   it->second + " (published twice)");
      }
    }
    SagaChecker checker(saga, events, audit.violations);
    checker.CheckEvents();
    if (std::string state = checker.CheckPath(audit.outcomes); !state.empty()) {
      audit.outcomes.terminal[saga] = state;
    }
  }
  return audit;
}

}  // namespace choreo::e2e

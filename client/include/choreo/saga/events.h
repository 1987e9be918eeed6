// How saga events are encoded and where they are published: shared by Publisher (publisher.h) and
// SagaService (service.h).
//
// Topics. An event of type T (ce_type = T's protobuf full name) goes to topic_for_type(T), by
// default T's full name itself: `order.v1.OrderCreated` is published on topic
// `order.v1.OrderCreated`, so a service subscribes to exactly the types it handles. Map several
// types to one topic (e.g. every `order.v1.*` to `orders`) when their relative order matters
// beyond one saga, or to keep the topic count small; a saga's events stay in order within a topic
// either way because they share the key (the saga id). PublishOptions::topic overrides both.
//
// Payloads. Protobuf binary by default (ce_datacontenttype application/protobuf), or protobuf's
// canonical JSON mapping (application/json) per publisher or per event; handlers decode either.
// Payloads that are not protobuf go through the raw path (RawEvent) with any content type.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "choreo/saga/envelope.h"

namespace choreo::saga {

enum class Encoding {
  kBinary,  // protobuf wire format: compact and fast; "application/protobuf"
  kJson,    // protobuf's JSON mapping: readable with any tool; "application/json"
};

// Maps an event type (a protobuf full name) to the topic its events are published on. Must return
// a valid topic name ([a-zA-Z0-9._-], at most 249 characters) and be the same in every service.
using TopicNaming = std::function<std::string(std::string_view event_type)>;

// The default naming: the type's full name, unchanged.
std::string DefaultTopicFor(std::string_view event_type);

struct EventOptions {
  // ce_source of every event published: the service's name, e.g. "payment-service". Required.
  std::string source = {};
  // Null: DefaultTopicFor.
  TopicNaming topic_for_type = nullptr;
  // The schema version published in ce_dataschema, by type; types not listed are version 1. Bump
  // a type's version when its meaning changes, and give its handlers an upcaster
  // (SagaService::Upcast) for the older versions still in the log.
  std::map<std::string, int, std::less<>> schema_versions = {};
  // Default: kBinary.
  Encoding encoding = Encoding::kBinary;
};

// Per-event overrides.
struct PublishOptions {
  // Default: EventOptions::encoding.
  std::optional<Encoding> encoding = std::nullopt;
  // Default (empty): topic_for_type(type).
  std::string topic = {};
};

// A saga timer armed by PublishAt / PublishAfter (Publisher and HandlerContext): an event of the
// saga that the broker stores now and publishes when due, exactly once, unless the timer is
// cancelled first. The classic use is a timeout: arm "payment-timeout" when the payment is
// requested, cancel it when the payment answers, and handle the timeout event if it fires.
//
// A timer is named within its saga, and every service of the saga sees the same timers: its
// broker-wide id is "<saga id>/<timer>" (TimerId), so the order service may arm
// "payment-timeout" and the payment service disarm it before charging. Arming a timer that is
// pending already changes nothing (`already_armed`): a retried handler re-arms harmlessly. Once
// it fired or was cancelled, the name may be armed again.
//
// The event published when due is a normal saga event: its own ce_id, ce_time = the due time,
// the saga's key and trace (a new span), and, when armed by a handler, ce_causationid = the event
// being handled.
struct ArmedTimer {
  std::string id;  // the broker's scheduled-event id
  bool already_armed = false;
  std::chrono::system_clock::time_point due;  // the pending timer's (the earlier one if already)
};

// "<saga id>/<timer>".
std::string TimerId(std::string_view saga_id, std::string_view timer);

// A payload that is not a protobuf message.
struct RawEvent {
  std::string type;          // ce_type, e.g. "com.example.LegacyOrderPlaced"
  std::string content_type;  // ce_datacontenttype, e.g. "text/csv"
  std::string payload;
  int schema_version = 1;
};

}  // namespace choreo::saga

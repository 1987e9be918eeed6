// The Kafka listener's route table (broker/kafka/handlers/kafka_protocol.h) against the codec's
// definitions: ApiVersions advertises exactly the routes, so every advertised range must be one the
// codec can decode and encode, or a client would be promised versions the listener cannot read.
#include <gtest/gtest.h>

#include "broker/kafka/handlers/kafka_protocol.h"
#include "broker/kafka/schema.h"

namespace choreo::broker {
namespace {

TEST(KafkaRoutesTest, EveryAdvertisedRangeIsInsideTheCodecs) {
  int16_t previous = -1;
  for (const KafkaRoute& route : KafkaRoutes()) {
    SCOPED_TRACE(route.name);
    const kafka::ApiDef* api = kafka::FindApi(route.api_key);
    ASSERT_NE(api, nullptr);
    EXPECT_LE(route.min_version, route.max_version);
    EXPECT_TRUE(api->versions.Contains(route.min_version));
    EXPECT_TRUE(api->versions.Contains(route.max_version));
    EXPECT_GT(route.api_key, previous);  // sorted, no duplicates
    previous = route.api_key;
  }
}

TEST(KafkaRoutesTest, TheSaslApisAreServedAtTheCodecsVersions) {
  bool handshake = false, authenticate = false;
  for (const KafkaRoute& route : KafkaRoutes()) {
    if (route.api_key == kafka::api_key::kSaslHandshake) {
      handshake = route.min_version == 0 && route.max_version == 1;
    } else if (route.api_key == kafka::api_key::kSaslAuthenticate) {
      authenticate = route.min_version == 0 && route.max_version == 2;
    } else {
      EXPECT_NE(route.handler, nullptr) << route.name;  // only the SASL APIs are answered inline
    }
  }
  EXPECT_TRUE(handshake);
  EXPECT_TRUE(authenticate);
}

}  // namespace
}  // namespace choreo::broker

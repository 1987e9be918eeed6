// The broker's security components (broker/security/) on their own: the ACL rules (deny wins,
// default deny, prefixes, "*", implied describe, super users), their stored form (pinned: a change
// needs a new version byte) and reload, the stored SCRAM credential, and the bounded per-address
// table of failed authentications.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "broker/metrics/metrics.h"
#include "broker/security/acl.h"
#include "broker/security/auth_failures.h"
#include "broker/security/authenticator.h"
#include "broker/security/security.h"
#include "broker/security/user_store.h"
#include "tests/storage/test_util.h"

namespace choreo::broker {
namespace {

using storage::testing::StoreTest;

AclBinding Acl(std::string principal, AclResource resource, std::string name,
               AclOperation operation, AclPermission permission = AclPermission::kAllow,
               AclPattern pattern = AclPattern::kLiteral) {
  return AclBinding{.principal = std::move(principal),
                    .resource = resource,
                    .name = std::move(name),
                    .pattern = pattern,
                    .operation = operation,
                    .permission = permission};
}

class AclAuthorizerTest : public StoreTest {};

TEST_F(AclAuthorizerTest, DenyWinsAndNothingIsAllowedWithoutAnAcl) {
  AclAuthorizer acls(OpenStore(), {"root"});
  ASSERT_TRUE(acls.Add({Acl("alice", AclResource::kTopic, "orders.", AclOperation::kWrite,
                            AclPermission::kAllow, AclPattern::kPrefix),
                        Acl("alice", AclResource::kTopic, "orders.secret", AclOperation::kAll,
                            AclPermission::kDeny),
                        Acl("*", AclResource::kGroup, "*", AclOperation::kRead)})
                  .ok());
  EXPECT_TRUE(acls.Allowed("alice", AclOperation::kWrite, AclResource::kTopic, "orders.eu"));
  EXPECT_FALSE(acls.Allowed("alice", AclOperation::kWrite, AclResource::kTopic, "orders.secret"));
  EXPECT_FALSE(acls.Allowed("alice", AclOperation::kWrite, AclResource::kTopic, "order"));
  EXPECT_FALSE(acls.Allowed("alice", AclOperation::kRead, AclResource::kTopic, "orders.eu"));
  EXPECT_FALSE(acls.Allowed("bob", AclOperation::kWrite, AclResource::kTopic, "orders.eu"));
  // An allow of write implies describe; a deny of everything denies describe too.
  EXPECT_TRUE(acls.Allowed("alice", AclOperation::kDescribe, AclResource::kTopic, "orders.eu"));
  EXPECT_FALSE(
      acls.Allowed("alice", AclOperation::kDescribe, AclResource::kTopic, "orders.secret"));
  // "*" principal and "*" literal name.
  EXPECT_TRUE(acls.Allowed("bob", AclOperation::kRead, AclResource::kGroup, "anything"));
  EXPECT_FALSE(acls.Allowed("bob", AclOperation::kDelete, AclResource::kGroup, "anything"));
  // A super user is allowed everything.
  EXPECT_TRUE(acls.Allowed("root", AclOperation::kDelete, AclResource::kTopic, "orders.secret"));
}

TEST_F(AclAuthorizerTest, ChangesAreStoredAndReloaded) {
  const AclBinding write = Acl("alice", AclResource::kTopic, "orders", AclOperation::kWrite);
  const AclBinding alter = Acl("ops", AclResource::kCluster, "cluster", AclOperation::kAlter);
  {
    AclAuthorizer acls(OpenStore(), {});
    ASSERT_TRUE(acls.Add({write, alter, write}).ok());
    EXPECT_EQ(*acls.Remove({alter, alter}), 1u);
    EXPECT_EQ(acls.List("").size(), 1u);
  }
  CloseStore();
  AclAuthorizer reloaded(OpenStore(), {});
  ASSERT_TRUE(reloaded.Load().ok());
  ASSERT_EQ(reloaded.List("alice").size(), 1u);
  EXPECT_EQ(reloaded.List("alice")[0], write);
  EXPECT_TRUE(reloaded.List("ops").empty());
}

TEST(AclFormatTest, StoredFormIsPinned) {
  const std::string key = EncodeAcl(Acl("al", AclResource::kGroup, "g.", AclOperation::kRead,
                                        AclPermission::kDeny, AclPattern::kPrefix));
  EXPECT_EQ(key, std::string("\x01\x02\x01\x01\x01\x00\x02"
                             "alg.",
                             11));
  absl::StatusOr<AclBinding> decoded = DecodeAcl(key);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->principal, "al");
  EXPECT_EQ(decoded->name, "g.");
  std::string v2 = key;
  v2[0] = 2;
  EXPECT_EQ(DecodeAcl(v2).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeAcl(key.substr(0, 6)).status().code(), absl::StatusCode::kDataLoss);
}

TEST(AclFormatTest, InvalidBindingsAreRefused) {
  EXPECT_FALSE(ValidateAcl(Acl("", AclResource::kTopic, "t", AclOperation::kRead)).ok());
  EXPECT_FALSE(ValidateAcl(Acl("a", AclResource::kTopic, "", AclOperation::kRead)).ok());
  EXPECT_FALSE(ValidateAcl(Acl("a", AclResource::kCluster, "other", AclOperation::kAlter)).ok());
  EXPECT_TRUE(ValidateAcl(Acl("a", AclResource::kCluster, "cluster", AclOperation::kAlter)).ok());
}

TEST(CredentialFormatTest, StoredFormIsPinnedAndHoldsNoPassword) {
  const proto::scram::Credential credential =
      proto::scram::MakeCredential("pencil", std::string(16, 's'), 4096);
  const std::string value = EncodeCredential(credential);
  ASSERT_EQ(value.size(), 7u + 16 + 32 + 32);
  EXPECT_EQ(value.substr(0, 7), std::string("\x01\x01\x00\x00\x10\x00\x10", 7));
  EXPECT_EQ(value.find("pencil"), std::string::npos);
  absl::StatusOr<proto::scram::Credential> decoded = DecodeCredential(value);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->stored_key, credential.stored_key);
  EXPECT_EQ(decoded->server_key, credential.server_key);
  EXPECT_EQ(DecodeCredential(value.substr(0, 40)).status().code(), absl::StatusCode::kDataLoss);
}

class UserStoreTest : public StoreTest {};

TEST_F(UserStoreTest, UsersAreValidatedStoredAndReloaded) {
  {
    UserStore users(OpenStore());
    EXPECT_EQ(users.Upsert("bad name", proto::scram::NewCredential("x")).code(),
              absl::StatusCode::kInvalidArgument);
    proto::scram::Credential weak = proto::scram::NewCredential("x");
    weak.iterations = 1000;
    EXPECT_EQ(users.Upsert("alice", weak).code(), absl::StatusCode::kInvalidArgument);
    ASSERT_TRUE(users.Upsert("alice", proto::scram::NewCredential("pw")).ok());
    ASSERT_TRUE(users.Upsert("bob", proto::scram::NewCredential("pw")).ok());
    ASSERT_TRUE(users.Remove("bob").ok());
    EXPECT_EQ(users.Remove("bob").code(), absl::StatusCode::kNotFound);
  }
  CloseStore();
  UserStore reloaded(OpenStore());
  ASSERT_TRUE(reloaded.Load().ok());
  ASSERT_EQ(reloaded.List().size(), 1u);
  EXPECT_TRUE(proto::scram::VerifyPassword(*reloaded.Find("alice"), "pw"));
  EXPECT_FALSE(reloaded.Find("bob").has_value());
}

TEST_F(UserStoreTest, AnUnknownUserGetsAStableDecoySaltAndFailsLikeAWrongPassword) {
  UserStore users(OpenStore());
  auto server_first = [&](const std::string& user) {
    SaslAuthenticator sasl(users, /*tls=*/false);
    proto::scram::ScramClient client(user, "pw");
    return sasl.Step("SCRAM-SHA-256", client.ClientFirst()).response;
  };
  const std::string a = server_first("ghost");
  const std::string b = server_first("ghost");
  EXPECT_EQ(a.substr(a.find(",s=")), b.substr(b.find(",s=")));  // same salt and iterations
  SaslAuthenticator sasl(users, /*tls=*/false);
  proto::scram::ScramClient client("ghost", "pw");
  const auto first = sasl.Step("SCRAM-SHA-256", client.ClientFirst());
  const auto last = sasl.Step("", client.ClientFinal(first.response).message);
  EXPECT_EQ(last.state, SaslAuthenticator::Outcome::State::kFailed);
  EXPECT_EQ(last.error, "wrong user name or password");
  EXPECT_NE(last.reason.find("unknown user"), std::string::npos);
}

TEST(AuthFailuresTest, LimitsAnAddressAfterRepeatedFailuresAndForgetsAfterTheWindow) {
  MetricsRegistry registry;
  AuthFailures failures(
      registry, {.max_failures = 3, .window = std::chrono::seconds(60), .max_addresses = 100});
  const auto t0 = AuthFailures::Clock::now();
  std::chrono::seconds retry{0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(failures.Admit("10.0.0.1:1234", t0, &retry));
    failures.Failed("SCRAM-SHA-256", "10.0.0.1:1234", "test", t0);
  }
  EXPECT_FALSE(failures.Admit("10.0.0.1:9999", t0 + std::chrono::seconds(1), &retry));
  EXPECT_GT(retry.count(), 0);
  EXPECT_TRUE(failures.Admit("10.0.0.2:1234", t0, &retry));  // another address
  EXPECT_TRUE(failures.Admit("10.0.0.1:1", t0 + std::chrono::seconds(61), &retry));
  failures.Failed("PLAIN", "[::1]:5", "test", t0);
  failures.Succeeded("[::1]:6");
  EXPECT_EQ(failures.tracked_addresses(), 0u);
}

TEST(AuthFailuresTest, TheAddressTableIsBounded) {
  MetricsRegistry registry;
  AuthFailures failures(
      registry, {.max_failures = 3, .window = std::chrono::seconds(60), .max_addresses = 10});
  const auto t0 = AuthFailures::Clock::now();
  for (int i = 0; i < 1000; ++i) {
    failures.Failed("none",
                    "10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":1",
                    "test", t0 + std::chrono::milliseconds(i));
  }
  EXPECT_LE(failures.tracked_addresses(), 10u);
  EXPECT_EQ(AuthFailures::AddressOf("[::1]:7420"), "::1");
  EXPECT_EQ(AuthFailures::AddressOf("127.0.0.1:7420"), "127.0.0.1");
}

// A client names the mechanism it tries: an unknown name must not become a label value of its own
// (unbounded series) nor reach the log as it is.
TEST(AuthFailuresTest, MechanismsTheBrokerDoesNotKnowCountAsOther) {
  MetricsRegistry registry;
  AuthFailures failures(registry, {});
  const auto t0 = AuthFailures::Clock::now();
  failures.Failed("SCRAM-SHA-256", "10.0.0.1:1", "test", t0);
  failures.Failed("GSSAPI", "10.0.0.1:1", "test", t0);
  failures.Failed("X\" evil=\"1", "10.0.0.1:1", "test", t0);
  failures.Failed("", "10.0.0.1:1", "test", t0);
  const std::string text = registry.RenderPrometheusText();
  EXPECT_NE(text.find("choreo_auth_failures_total{mechanism=\"SCRAM-SHA-256\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("choreo_auth_failures_total{mechanism=\"other\"} 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("choreo_auth_failures_total{mechanism=\"none\"} 1"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("GSSAPI"), std::string::npos) << text;
}

}  // namespace
}  // namespace choreo::broker

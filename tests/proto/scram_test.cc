// SCRAM-SHA-256 and PLAIN (proto/include/choreo/proto/scram.h): RFC 7677's test vector end to end,
// and the failures the broker relies on (wrong password, replayed client-final message).
#include "choreo/proto/scram.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace choreo::proto::scram {
namespace {

// RFC 7677, section 3.
constexpr char kUser[] = "user";
constexpr char kPassword[] = "pencil";
constexpr char kClientNonce[] = "rOprNGfwEbeRWgbNEkqO";
constexpr char kServerNonceSuffix[] = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr char kSaltBase64[] = "W22ZaJ0SNY7soEsUEjb6gQ==";
constexpr char kClientFirst[] = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr char kServerFirst[] =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr char kClientFinal[] =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr char kServerFinal[] = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

Credential VectorCredential() {
  return MakeCredential(kPassword, *Base64Decode(kSaltBase64), 4096);
}

ScramServer::ClientFirst Parse(const std::string& message) {
  auto parsed = ScramServer::ParseClientFirst(message);
  EXPECT_TRUE(std::holds_alternative<ScramServer::ClientFirst>(parsed))
      << std::get<std::string>(parsed);
  return std::get<ScramServer::ClientFirst>(parsed);
}

TEST(ScramTest, Rfc7677VectorClientSide) {
  ScramClient client(kUser, kPassword, kClientNonce);
  EXPECT_EQ(client.ClientFirst(), kClientFirst);
  const Step final_message = client.ClientFinal(kServerFirst);
  ASSERT_TRUE(final_message.ok) << final_message.message;
  EXPECT_EQ(final_message.message, kClientFinal);
  EXPECT_EQ(client.VerifyServerFinal(kServerFinal), "");
}

TEST(ScramTest, Rfc7677VectorServerSide) {
  ScramServer server;
  ScramServer::ClientFirst first = Parse(kClientFirst);
  EXPECT_EQ(first.user, kUser);
  EXPECT_EQ(server.ServerFirst(first, VectorCredential(), kServerNonceSuffix), kServerFirst);
  const Step verdict = server.HandleClientFinal(kClientFinal);
  ASSERT_TRUE(verdict.ok) << verdict.message;
  EXPECT_EQ(verdict.message, kServerFinal);
}

TEST(ScramTest, WrongPasswordIsAnInvalidProof) {
  ScramClient client(kUser, "not-pencil");
  ScramServer server;
  const std::string server_first =
      server.ServerFirst(Parse(client.ClientFirst()), VectorCredential());
  const Step final_message = client.ClientFinal(server_first);
  ASSERT_TRUE(final_message.ok);
  const Step verdict = server.HandleClientFinal(final_message.message);
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.message, "invalid proof");
}

TEST(ScramTest, ReplayedClientFinalIsANonceMismatch) {
  // A complete, valid exchange an eavesdropper recorded...
  ScramClient client(kUser, kPassword);
  ScramServer first_server;
  const Step recorded =
      client.ClientFinal(first_server.ServerFirst(Parse(client.ClientFirst()), VectorCredential()));
  ASSERT_TRUE(recorded.ok);
  ASSERT_TRUE(first_server.HandleClientFinal(recorded.message).ok);
  // ... replayed against a new exchange: the server's fresh nonce differs.
  ScramServer second_server;
  second_server.ServerFirst(Parse(client.ClientFirst()), VectorCredential());
  const Step verdict = second_server.HandleClientFinal(recorded.message);
  EXPECT_FALSE(verdict.ok);
  EXPECT_NE(verdict.message.find("nonce mismatch"), std::string::npos) << verdict.message;
}

// librdkafka before 2.6.1 repeats its nonce in the client-final message ("r=" client nonce, then
// the combined nonce) and computes its proof over that message: accepted, as Kafka brokers do.
// Anything else in front of the combined nonce is still a mismatch.
TEST(ScramTest, AcceptsOldLibrdkafkasRepeatedClientNonce) {
  const auto client_final = [](const std::string& nonce) {
    const std::string without_proof = "c=biws,r=" + nonce;
    const std::string salted = SaltedPassword(kPassword, *Base64Decode(kSaltBase64), 4096);
    const std::string client_key = HmacSha256(salted, "Client Key");
    const std::string auth_message =
        std::string(kClientFirst).substr(3) + "," + kServerFirst + "," + without_proof;
    std::string proof = HmacSha256(Sha256(client_key), auth_message);
    for (size_t i = 0; i < proof.size(); ++i)
      proof[i] = static_cast<char>(proof[i] ^ client_key[i]);
    return without_proof + ",p=" + Base64Encode(proof);
  };
  const std::string combined = std::string(kClientNonce) + kServerNonceSuffix;
  for (const std::string& nonce :
       {combined, std::string(kClientNonce) + combined, "x" + combined}) {
    SCOPED_TRACE(nonce);
    ScramServer server;
    server.ServerFirst(Parse(kClientFirst), VectorCredential(), kServerNonceSuffix);
    const Step verdict = server.HandleClientFinal(client_final(nonce));
    EXPECT_EQ(verdict.ok, nonce != "x" + combined) << verdict.message;
  }
}

TEST(ScramTest, ClientRejectsAForgedServerSignature) {
  ScramClient client(kUser, kPassword, kClientNonce);
  ASSERT_TRUE(client.ClientFinal(kServerFirst).ok);
  EXPECT_NE(client.VerifyServerFinal("v=" + Base64Encode(std::string(32, 'x'))), "");
  EXPECT_NE(client.VerifyServerFinal("e=invalid-proof"), "");
}

TEST(ScramTest, ClientRefusesFewIterationsAndForeignNonces) {
  ScramClient client(kUser, kPassword, kClientNonce);
  EXPECT_FALSE(client.ClientFinal("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1").ok);
  EXPECT_FALSE(client.ClientFinal("r=somebodyelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096").ok);
}

TEST(ScramTest, ParseClientFirstRefusesWhatIsNotImplemented) {
  EXPECT_TRUE(std::holds_alternative<std::string>(ScramServer::ParseClientFirst("p=tls,,n=u,r=x")));
  EXPECT_TRUE(std::holds_alternative<std::string>(ScramServer::ParseClientFirst("n,a=b,n=u,r=x")));
  EXPECT_TRUE(std::holds_alternative<std::string>(ScramServer::ParseClientFirst("n,,n=u")));
  EXPECT_TRUE(
      std::holds_alternative<std::string>(ScramServer::ParseClientFirst("n,,n=u,r=x,m=ext")));
  EXPECT_EQ(Parse("n,,n=a=2Cb=3Dc,r=x").user, "a,b=c");
}

TEST(ScramTest, PlainVerifiesAgainstTheStoredCredential) {
  const Credential credential = NewCredential("s3cret");
  EXPECT_TRUE(ValidCredential(credential));
  EXPECT_TRUE(VerifyPassword(credential, "s3cret"));
  EXPECT_FALSE(VerifyPassword(credential, "s3cret "));
  auto plain = ParsePlain(EncodePlain("alice", "s3cret"));
  ASSERT_TRUE(std::holds_alternative<PlainMessage>(plain));
  EXPECT_EQ(std::get<PlainMessage>(plain).user, "alice");
  EXPECT_EQ(std::get<PlainMessage>(plain).password, "s3cret");
  EXPECT_TRUE(
      std::holds_alternative<std::string>(ParsePlain(std::string_view("bob\0alice\0pw", 12))));
  EXPECT_TRUE(std::holds_alternative<std::string>(ParsePlain("nonul")));
}

TEST(ScramTest, Base64RoundTrips) {
  for (const std::string& bytes :
       {std::string(), std::string("a"), std::string("ab"), std::string("abc"), std::string("abcd"),
        std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes);
  }
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("ab,=").has_value());
}

}  // namespace
}  // namespace choreo::proto::scram

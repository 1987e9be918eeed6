// SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash) and SASL PLAIN (RFC 4616): the message formats
// and key derivation shared by the broker (which verifies) and the client (which proves), so both
// sides compute the same bytes from one definition. Kafka's SCRAM is the same exchange, so the
// Kafka listener can reuse the server side.
//
// What is implemented: the "n,," GS2 header only (no channel binding, no authorization identity),
// user names without SASLprep (choreo user names are [A-Za-z0-9._@-], which SASLprep leaves
// unchanged), passwords as their UTF-8 bytes (no SASLprep), nonces of 24 random bytes from
// OpenSSL's CSPRNG, base64-encoded.
//
// Errors are strings meant for the peer or the log; none of them contains a secret.
// Threading: the functions are thread-safe; a ScramClient or ScramServer is one exchange, used by
// one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace choreo::proto::scram {

inline constexpr std::string_view kScramSha256 = "SCRAM-SHA-256";
inline constexpr std::string_view kPlain = "PLAIN";
// RFC 7677's minimum; the client's default for new credentials.
inline constexpr uint32_t kMinIterations = 4096;
inline constexpr size_t kSaltBytes = 16;
inline constexpr size_t kKeyBytes = 32;  // SHA-256
// Upper bound on iterations a client accepts from a broker (a hostile broker could stall it).
inline constexpr uint32_t kMaxIterations = 1u << 20;

// What the broker stores for a user: never the password.
struct Credential {
  std::string salt;
  uint32_t iterations = 0;
  std::string stored_key;  // H(ClientKey)
  std::string server_key;  // HMAC(SaltedPassword, "Server Key")
};

// Hi(password, salt, iterations): PBKDF2-HMAC-SHA-256, 32 bytes.
std::string SaltedPassword(std::string_view password, std::string_view salt, uint32_t iterations);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Sha256(std::string_view data);
// The credential for `password` with `salt` and `iterations`.
Credential MakeCredential(std::string_view password, std::string_view salt, uint32_t iterations);
// A new credential with a random salt.
Credential NewCredential(std::string_view password, uint32_t iterations = kMinIterations);
// Whether `password` matches `credential` (PLAIN): recomputes StoredKey, compares in constant time.
bool VerifyPassword(const Credential& credential, std::string_view password);
// Whether a credential is well formed (salt, iterations, key sizes).
bool ValidCredential(const Credential& credential);

// `n` bytes from OpenSSL's CSPRNG.
std::string RandomBytes(size_t n);
std::string Base64Encode(std::string_view bytes);
std::optional<std::string> Base64Decode(std::string_view text);
// Constant-time equality of equal-length strings (false for different lengths).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// The outcome of one step: the next message when ok, else the reason.
struct Step {
  bool ok = false;
  std::string message;
};

// The client side of one SCRAM-SHA-256 exchange.
class ScramClient {
 public:
  // `nonce` for tests (RFC 7677's vector); empty: random.
  ScramClient(std::string user, std::string password, std::string nonce = {});

  // The client-first message ("n,,n=user,r=nonce").
  std::string ClientFirst() const;
  // Given the server-first message, the client-final message (with the proof), or an error.
  Step ClientFinal(std::string_view server_first);
  // Whether the server-final message proves that the server knows the credential; error text or
  // empty on success.
  std::string VerifyServerFinal(std::string_view server_final) const;

 private:
  std::string user_;
  std::string password_;
  std::string nonce_;
  std::string server_signature_;  // expected, once ClientFinal() ran
};

// The server side of one SCRAM-SHA-256 exchange.
class ScramServer {
 public:
  // The parsed client-first message: the user to look up.
  struct ClientFirst {
    std::string user;
    std::string nonce;
    std::string bare;  // client-first-message-bare, part of the AuthMessage
  };
  static std::variant<ClientFirst, std::string> ParseClientFirst(std::string_view message);

  // `nonce` for tests; empty: random (appended to the client's). Returns the server-first message.
  std::string ServerFirst(ClientFirst first, Credential credential, std::string nonce = {});
  // Checks the client-final message against the credential. On success the server-final message
  // ("v=..."), else an error ("nonce mismatch", "invalid proof", ...).
  Step HandleClientFinal(std::string_view client_final) const;

 private:
  ClientFirst first_;
  Credential credential_;
  std::string combined_nonce_;
  std::string server_first_;
};

// PLAIN: "authzid NUL authcid NUL passwd". The authorization id must be empty or the user.
struct PlainMessage {
  std::string user;
  std::string password;
};
std::variant<PlainMessage, std::string> ParsePlain(std::string_view message);
std::string EncodePlain(std::string_view user, std::string_view password);

}  // namespace choreo::proto::scram

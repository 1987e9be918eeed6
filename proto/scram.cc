#include "choreo/proto/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace choreo::proto::scram {
namespace {

constexpr std::string_view kGs2Header = "n,,";
constexpr std::string_view kGs2HeaderBase64 = "biws";  // base64("n,,")
constexpr size_t kNonceBytes = 24;

// The comma-separated "k=value" attributes of a SCRAM message, in order.
struct Attribute {
  char name;
  std::string_view value;
};

std::optional<std::vector<Attribute>> SplitAttributes(std::string_view message) {
  std::vector<Attribute> out;
  while (true) {
    const size_t comma = message.find(',');
    const std::string_view part = message.substr(0, comma);
    if (part.size() < 2 || part[1] != '=') return std::nullopt;
    out.push_back({part[0], part.substr(2)});
    if (comma == std::string_view::npos) break;
    message.remove_prefix(comma + 1);
  }
  return out;
}

// RFC 5802 saslname: ',' and '=' are sent as "=2C" and "=3D".
std::optional<std::string> DecodeSaslName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] != '=') {
      out.push_back(name[i]);
      continue;
    }
    const std::string_view escape = name.substr(i + 1, 2);
    if (escape == "2C") {
      out.push_back(',');
    } else if (escape == "3D") {
      out.push_back('=');
    } else {
      return std::nullopt;
    }
    i += 2;
  }
  return out;
}

std::string EncodeSaslName(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ',') {
      out += "=2C";
    } else if (c == '=') {
      out += "=3D";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// A nonce is printable ASCII except ','.
bool ValidNonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce)
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  return true;
}

std::string Xor(std::string_view a, std::string_view b) {
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}

std::string RandomNonce() {
  return Base64Encode(RandomBytes(kNonceBytes));
}

}  // namespace

std::string SaltedPassword(std::string_view password, std::string_view salt, uint32_t iterations) {
  std::string out(kKeyBytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string out(kKeyBytes, '\0');
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &length) == nullptr) {
    throw std::runtime_error("HMAC-SHA-256 failed");
  }
  return out;
}

std::string Sha256(std::string_view data) {
  std::string out(kKeyBytes, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

Credential MakeCredential(std::string_view password, std::string_view salt, uint32_t iterations) {
  const std::string salted = SaltedPassword(password, salt, iterations);
  Credential credential;
  credential.salt = std::string(salt);
  credential.iterations = iterations;
  credential.stored_key = Sha256(HmacSha256(salted, "Client Key"));
  credential.server_key = HmacSha256(salted, "Server Key");
  return credential;
}

Credential NewCredential(std::string_view password, uint32_t iterations) {
  return MakeCredential(password, RandomBytes(kSaltBytes), iterations);
}

bool VerifyPassword(const Credential& credential, std::string_view password) {
  if (!ValidCredential(credential)) return false;
  const std::string salted = SaltedPassword(password, credential.salt, credential.iterations);
  return ConstantTimeEqual(Sha256(HmacSha256(salted, "Client Key")), credential.stored_key);
}

bool ValidCredential(const Credential& credential) {
  return credential.salt.size() >= kSaltBytes && credential.salt.size() <= 255 &&
         credential.iterations >= kMinIterations && credential.iterations <= kMaxIterations &&
         credential.stored_key.size() == kKeyBytes && credential.server_key.size() == kKeyBytes;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=';
    if (!ok) return std::nullopt;
  }
  std::string out(3 * (text.size() / 4) + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t size = static_cast<size_t>(n);
  // EVP_DecodeBlock keeps the zero bytes that padding stands for.
  if (!text.empty() && text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

ScramClient::ScramClient(std::string user, std::string password, std::string nonce)
    : user_(std::move(user)),
      password_(std::move(password)),
      nonce_(nonce.empty() ? RandomNonce() : std::move(nonce)) {}

std::string ScramClient::ClientFirst() const {
  return std::string(kGs2Header) + "n=" + EncodeSaslName(user_) + ",r=" + nonce_;
}

Step ScramClient::ClientFinal(std::string_view server_first) {
  const auto attributes = SplitAttributes(server_first);
  if (!attributes || attributes->size() < 3 || (*attributes)[0].name != 'r' ||
      (*attributes)[1].name != 's' || (*attributes)[2].name != 'i') {
    return {false, "malformed server-first message"};
  }
  const std::string_view nonce = (*attributes)[0].value;
  if (nonce.size() <= nonce_.size() || nonce.substr(0, nonce_.size()) != nonce_ ||
      !ValidNonce(nonce)) {
    return {false, "the server's nonce does not extend the client's"};
  }
  const std::optional<std::string> salt = Base64Decode((*attributes)[1].value);
  const std::string_view iterations_text = (*attributes)[2].value;
  uint32_t iterations = 0;
  const auto [end, ec] = std::from_chars(
      iterations_text.data(), iterations_text.data() + iterations_text.size(), iterations);
  if (!salt || salt->empty() || ec != std::errc() ||
      end != iterations_text.data() + iterations_text.size()) {
    return {false, "malformed salt or iteration count in the server-first message"};
  }
  if (iterations < kMinIterations || iterations > kMaxIterations) {
    return {false, "the server asks for " + std::string(iterations_text) +
                       " iterations, outside [4096, 1048576]"};
  }
  const std::string without_proof =
      "c=" + std::string(kGs2HeaderBase64) + ",r=" + std::string(nonce);
  const std::string bare = ClientFirst().substr(kGs2Header.size());
  const std::string auth_message = bare + "," + std::string(server_first) + "," + without_proof;
  const std::string salted = SaltedPassword(password_, *salt, iterations);
  const std::string client_key = HmacSha256(salted, "Client Key");
  const std::string client_signature = HmacSha256(Sha256(client_key), auth_message);
  server_signature_ = HmacSha256(HmacSha256(salted, "Server Key"), auth_message);
  return {true, without_proof + ",p=" + Base64Encode(Xor(client_key, client_signature))};
}

std::string ScramClient::VerifyServerFinal(std::string_view server_final) const {
  if (server_signature_.empty()) return "no client-final message was sent";
  if (server_final.substr(0, 2) == "e=") {
    return "the broker refused: " + std::string(server_final.substr(2));
  }
  if (server_final.substr(0, 2) != "v=") return "malformed server-final message";
  const std::optional<std::string> signature = Base64Decode(server_final.substr(2));
  if (!signature || !ConstantTimeEqual(*signature, server_signature_)) {
    return "the broker's signature does not match: it does not know this user's credential";
  }
  return {};
}

std::variant<ScramServer::ClientFirst, std::string> ScramServer::ParseClientFirst(
    std::string_view message) {
  if (message.substr(0, 3) != kGs2Header) {
    if (message.substr(0, 2) == "p=") return std::string("channel binding is not supported");
    if (message.substr(0, 2) != "y,") return std::string("malformed client-first message");
    // "y,,": the client supports channel binding but thinks we do not; fine.
  }
  const size_t second_comma = message.find(',', 2);
  if (second_comma != 2) {
    return std::string("an authorization identity is not supported in SCRAM");
  }
  ClientFirst first;
  first.bare = std::string(message.substr(3));
  const auto attributes = SplitAttributes(first.bare);
  if (!attributes || attributes->size() < 2 || (*attributes)[0].name != 'n' ||
      (*attributes)[1].name != 'r') {
    return std::string("malformed client-first message");
  }
  if (attributes->size() > 2) return std::string("SCRAM extensions are not supported");
  std::optional<std::string> user = DecodeSaslName((*attributes)[0].value);
  if (!user || user->empty()) return std::string("malformed user name");
  if (!ValidNonce((*attributes)[1].value)) return std::string("malformed client nonce");
  first.user = *std::move(user);
  first.nonce = std::string((*attributes)[1].value);
  return first;
}

std::string ScramServer::ServerFirst(ClientFirst first, Credential credential, std::string nonce) {
  first_ = std::move(first);
  credential_ = std::move(credential);
  combined_nonce_ = first_.nonce + (nonce.empty() ? RandomNonce() : std::move(nonce));
  server_first_ = "r=" + combined_nonce_ + ",s=" + Base64Encode(credential_.salt) +
                  ",i=" + std::to_string(credential_.iterations);
  return server_first_;
}

Step ScramServer::HandleClientFinal(std::string_view client_final) const {
  if (server_first_.empty()) return {false, "no server-first message was sent"};
  const size_t proof_at = client_final.rfind(",p=");
  if (proof_at == std::string_view::npos) return {false, "malformed client-final message"};
  const std::string_view without_proof = client_final.substr(0, proof_at);
  const auto attributes = SplitAttributes(without_proof);
  if (!attributes || attributes->size() != 2 || (*attributes)[0].name != 'c' ||
      (*attributes)[1].name != 'r') {
    return {false, "malformed client-final message"};
  }
  const std::string_view binding = (*attributes)[0].value;
  if (binding != kGs2HeaderBase64 && binding != "eSws") {
    return {false, "channel binding data does not match the client-first message"};
  }
  // A client-final message replayed from another exchange carries that exchange's nonce. librdkafka
  // before 2.6.1 (Debian 12 ships 2.0.2) sends its own nonce again in front of the combined one;
  // Kafka brokers accept that since 3.8.1, and so does this: the fresh server part must still
  // match.
  const std::string_view nonce = (*attributes)[1].value;
  if (!ConstantTimeEqual(nonce, combined_nonce_) &&
      !ConstantTimeEqual(nonce, first_.nonce + combined_nonce_)) {
    return {false, "nonce mismatch (a replayed or foreign client-final message)"};
  }
  const std::optional<std::string> proof = Base64Decode(client_final.substr(proof_at + 3));
  if (!proof || proof->size() != kKeyBytes) return {false, "malformed client proof"};
  const std::string auth_message =
      first_.bare + "," + server_first_ + "," + std::string(without_proof);
  const std::string client_signature = HmacSha256(credential_.stored_key, auth_message);
  const std::string client_key = Xor(*proof, client_signature);
  if (!ValidCredential(credential_) ||
      !ConstantTimeEqual(Sha256(client_key), credential_.stored_key)) {
    return {false, "invalid proof"};
  }
  return {true, "v=" + Base64Encode(HmacSha256(credential_.server_key, auth_message))};
}

std::variant<PlainMessage, std::string> ParsePlain(std::string_view message) {
  const size_t first = message.find('\0');
  const size_t second = first == std::string_view::npos ? first : message.find('\0', first + 1);
  if (second == std::string_view::npos) return std::string("malformed PLAIN message");
  PlainMessage plain;
  const std::string_view authzid = message.substr(0, first);
  plain.user = std::string(message.substr(first + 1, second - first - 1));
  plain.password = std::string(message.substr(second + 1));
  if (plain.user.empty()) return std::string("malformed PLAIN message: no user");
  if (!authzid.empty() && authzid != plain.user) {
    return std::string("an authorization identity other than the user is not supported");
  }
  return plain;
}

std::string EncodePlain(std::string_view user, std::string_view password) {
  std::string out;
  out.push_back('\0');
  out.append(user);
  out.push_back('\0');
  out.append(password);
  return out;
}

}  // namespace choreo::proto::scram

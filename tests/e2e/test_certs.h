// TestCerts: a CA, server and client certificates for TLS tests, made with the `openssl` command
// at run time in a temporary directory (nothing secret is committed). EC P-256 keys, so that
// making them takes milliseconds.
//
// Not thread-safe; one per test.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace choreo::e2e {

struct CertFiles {
  std::filesystem::path cert;  // PEM certificate
  std::filesystem::path key;   // PEM private key
};

class TestCerts {
 public:
  // Files are written under `dir`, which must exist.
  explicit TestCerts(std::filesystem::path dir) : dir_(std::move(dir)) {}

  // A self-signed CA certificate with common name `name`, valid for a day.
  CertFiles MakeCa(const std::string& name);
  // A certificate for `name` signed by `ca`, with subjectAltName IP:127.0.0.1 and DNS:localhost
  // (usable by a broker on the loopback and by a client alike). It is valid for `days` days from
  // now; with days < 0 it expired that many days ago (notAfter before now), deterministically.
  CertFiles MakeCert(const CertFiles& ca, const std::string& name, int days = 1);

 private:
  // Runs openssl with `args`; records a test failure (with its stderr) if it fails.
  bool OpenSsl(const std::vector<std::string>& args);

  std::filesystem::path dir_;
  int serial_ = 0;
};

}  // namespace choreo::e2e

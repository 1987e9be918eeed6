#include "tests/e2e/test_certs.h"

#include <gtest/gtest.h>

#include "tests/e2e/process.h"

namespace choreo::e2e {

bool TestCerts::OpenSsl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::filesystem::path scratch = dir_ / ("openssl-" + std::to_string(++serial_));
  std::filesystem::create_directories(scratch);
  const ProcessResult result = RunProcess(argv, "", scratch, std::chrono::seconds(30));
  if (result.exit_code != 0) {
    ADD_FAILURE() << "openssl " << args[0] << " failed (" << result.exit_code
                  << "): " << result.err;
    return false;
  }
  return true;
}

CertFiles TestCerts::MakeCa(const std::string& name) {
  const CertFiles ca{dir_ / (name + ".crt"), dir_ / (name + ".key")};
  OpenSsl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", ca.key.string(), "-out", ca.cert.string(), "-subj", "/CN=" + name, "-days",
           "1"});
  return ca;
}

CertFiles TestCerts::MakeCert(const CertFiles& ca, const std::string& name, int days) {
  const CertFiles leaf{dir_ / (name + ".crt"), dir_ / (name + ".key")};
  const std::filesystem::path csr = dir_ / (name + ".csr");
  const std::filesystem::path ext = dir_ / (name + ".ext");
  WriteFile(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  if (!OpenSsl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                leaf.key.string(), "-out", csr.string(), "-subj", "/CN=" + name})) {
    return leaf;
  }
  // `-days -N` sets notAfter N days before notBefore (now): expired, with no clock tricks.
  OpenSsl({"x509", "-req", "-in", csr.string(), "-CA", ca.cert.string(), "-CAkey", ca.key.string(),
           "-set_serial", std::to_string(1000 + ++serial_), "-out", leaf.cert.string(), "-days",
           std::to_string(days), "-extfile", ext.string()});
  return leaf;
}

}  // namespace choreo::e2e

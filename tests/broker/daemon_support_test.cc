// The pieces of choreod that live in the library: flag-name normalization, the port file and
// listen-address parsing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "broker/flag_args.h"
#include "broker/net/listen_address.h"
#include "broker/port_file.h"

namespace choreo::broker {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "choreo_daemon_test_XXXXXX").string();
    EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

TEST(FlagArgsTest, DashedNamesBecomeUnderscored) {
  EXPECT_EQ(NormalizeFlagName("--data-dir=./a-b"), "--data_dir=./a-b");
  EXPECT_EQ(NormalizeFlagName("-log-level=info"), "-log_level=info");
  EXPECT_EQ(NormalizeFlagName("--port-file"), "--port_file");
  EXPECT_EQ(NormalizeFlagName("--"), "--");
  EXPECT_EQ(NormalizeFlagName("some-value"), "some-value");
  EXPECT_EQ(NormalizeFlagName("-"), "-");
}

TEST(FlagArgsTest, FlagFilesAreExpandedAndNormalized) {
  TempDir dir;
  {
    std::ofstream(dir.File("inner")) << "--fsync=never\n";
    std::ofstream(dir.File("outer"))
        << "# comment\n\n  --data-dir=/tmp/x-y  \n--flagfile=" << dir.File("inner") << "\n";
  }
  absl::StatusOr<std::vector<std::string>> args =
      NormalizeFlagArgs({"--log-level=debug", "--flagfile=" + dir.File("outer"), "--", "--a-b"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(*args, (std::vector<std::string>{"--log_level=debug", "--data_dir=/tmp/x-y",
                                             "--fsync=never", "--", "--a-b"}));
  EXPECT_FALSE(NormalizeFlagArgs({"--flagfile=" + dir.File("missing")}).ok());
}

TEST(FlagArgsTest, ConfigFilesExpandInPlaceSoLaterFlagsOverride) {
  TempDir dir;
  std::ofstream(dir.File("choreod.conf")) << "--max-connections=10\n--http-listen=\n";
  absl::StatusOr<std::vector<std::string>> args =
      NormalizeFlagArgs({"--config", dir.File("choreod.conf"), "--max-connections=20",
                         "-config=" + dir.File("choreod.conf")});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(*args, (std::vector<std::string>{"--max_connections=10",
                                             "--http_listen=", "--max_connections=20",
                                             "--max_connections=10", "--http_listen="}));
  EXPECT_FALSE(NormalizeFlagArgs({"--config"}).ok());  // no file name
  EXPECT_FALSE(NormalizeFlagArgs({"--config", dir.File("missing")}).ok());
  // Only the exact flag names are file flags.
  EXPECT_EQ(*NormalizeFlagArgs({"--configure=x"}), std::vector<std::string>{"--configure=x"});
}

TEST(PortFileTest, WritesThePortAndANewline) {
  TempDir dir;
  const std::string path = dir.File("port");
  ASSERT_TRUE(WritePortFile(path, 7420).ok());
  EXPECT_EQ(ReadFile(path), "7420\n");
  ASSERT_TRUE(WritePortFile(path, 1).ok());  // replaced, not appended
  EXPECT_EQ(ReadFile(path), "1\n");
  EXPECT_FALSE(WritePortFile(dir.File("no/such/dir/port"), 1).ok());
}

TEST(ListenAddressTest, ParsesHostsAndPorts) {
  auto v4 = ResolveListenAddress("127.0.0.1:7420");
  ASSERT_TRUE(v4.ok());
  EXPECT_EQ(FormatEndpoint(*v4), "127.0.0.1:7420");
  auto v6 = ResolveListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(FormatEndpoint(*v6), "[::1]:0");
  auto any = ResolveListenAddress(":9000");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(FormatEndpoint(*any), "0.0.0.0:9000");
  EXPECT_TRUE(ResolveListenAddress("localhost:0").ok());
  EXPECT_FALSE(ResolveListenAddress("127.0.0.1").ok());
  EXPECT_FALSE(ResolveListenAddress("127.0.0.1:65536").ok());
  EXPECT_FALSE(ResolveListenAddress("127.0.0.1:http").ok());
}

}  // namespace
}  // namespace choreo::broker

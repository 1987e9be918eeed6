// The `choreo` command-line tool against a real choreod.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/broker_test_base.h"

#ifndef CHOREO_CLI_PATH
#error "CHOREO_CLI_PATH must name the choreo binary"
#endif

namespace choreo::e2e {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    lines.push_back(line);
  return lines;
}

class CliTest : public BrokerTest {
 protected:
  // Runs `choreo ARGS... --broker ADDRESS` with `input` on stdin.
  ProcessResult Choreo(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), CHOREO_CLI_PATH);
    args.push_back("--broker");
    args.push_back(broker_->address());
    return RunProcess(args, input, dir_.path());
  }
};

#define EXPECT_SUCCEEDS(result) \
  EXPECT_EQ((result).exit_code, 0) << "stderr: " << (result).err << "\nstdout: " << (result).out

TEST_F(CliTest, TopicLifecycle) {
  ProcessResult created =
      Choreo({"topic", "create", "payments", "--partitions", "2", "--retention-ms", "86400000"});
  EXPECT_SUCCEEDS(created);

  ProcessResult list = Choreo({"topic", "list"});
  EXPECT_SUCCEEDS(list);
  EXPECT_EQ(Lines(list.out), std::vector<std::string>{"payments"});

  ProcessResult describe = Choreo({"topic", "describe", "payments"});
  EXPECT_SUCCEEDS(describe);
  EXPECT_NE(describe.out.find("partitions: 2\n"), std::string::npos) << describe.out;
  EXPECT_NE(describe.out.find("retention.ms: 86400000\n"), std::string::npos) << describe.out;
  EXPECT_NE(describe.out.find("PARTITION\tLOG_START\tHIGH_WATERMARK\n0\t0\t0\n1\t0\t0\n"),
            std::string::npos)
      << describe.out;

  ProcessResult duplicate = Choreo({"topic", "create", "payments"});
  EXPECT_EQ(duplicate.exit_code, 1);
  EXPECT_EQ(duplicate.err.rfind("error: TOPIC_ALREADY_EXISTS", 0), 0u) << duplicate.err;

  EXPECT_SUCCEEDS(Choreo({"topic", "delete", "payments"}));
  EXPECT_TRUE(Lines(Choreo({"topic", "list"}).out).empty());
  ProcessResult gone = Choreo({"topic", "describe", "payments"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_EQ(gone.err.rfind("error: UNKNOWN_TOPIC", 0), 0u) << gone.err;
}

TEST_F(CliTest, ProduceThenConsumeWithKeysAndHeaders) {
  EXPECT_SUCCEEDS(Choreo({"topic", "create", "orders"}));
  ProcessResult produced = Choreo({"produce", "orders", "--key-separator", ":", "--header",
                                   "event-type=OrderCreated", "--header", "source=cli"},
                                  "user-1:created\nuser-2:paid\tin full\nno key here\n");
  EXPECT_SUCCEEDS(produced);

  ProcessResult values = Choreo({"consume", "orders", "--from-beginning"});
  EXPECT_SUCCEEDS(values);
  EXPECT_EQ(values.out, "created\npaid\tin full\nno key here\n");

  ProcessResult full = Choreo({"consume", "orders", "--from-beginning", "--format", "full"});
  EXPECT_SUCCEEDS(full);
  EXPECT_EQ(Lines(full.out), (std::vector<std::string>{
                                 "0\t0\tuser-1\tevent-type=OrderCreated,source=cli\tcreated",
                                 "0\t1\tuser-2\tevent-type=OrderCreated,source=cli\tpaid\\tin full",
                                 "0\t2\t\tevent-type=OrderCreated,source=cli\tno key here"}));

  EXPECT_EQ(Choreo({"consume", "orders", "--from-beginning", "--max", "2"}).out,
            "created\npaid\tin full\n");
  EXPECT_EQ(Choreo({"consume", "orders", "--partition", "0", "--offset", "1"}).out,
            "paid\tin full\nno key here\n");
  // Without --from-beginning only new records are read; without --follow that is nothing.
  ProcessResult latest = Choreo({"consume", "orders"});
  EXPECT_SUCCEEDS(latest);
  EXPECT_EQ(latest.out, "");
  // --follow with --max returns once enough records were printed.
  EXPECT_EQ(Choreo({"consume", "orders", "--from-beginning", "--follow", "--max", "3"}).out,
            "created\npaid\tin full\nno key here\n");
}

// Scheduled records from the CLI: `produce --delay` stores them (printing each id), the broker
// appends them when due, and `scheduled cancel` takes one back before it is due.
TEST_F(CliTest, ProduceWithADelaySchedulesAndScheduledCancelTakesItBack) {
  EXPECT_SUCCEEDS(Choreo({"topic", "create", "timeouts"}));
  ProcessResult soon = Choreo(
      {"produce", "timeouts", "--key-separator", ":", "--delay", "200ms", "--id", "reminder"},
      "order-1:first\norder-2:second\n");
  EXPECT_SUCCEEDS(soon);
  const std::vector<std::string> lines = Lines(soon.out);
  ASSERT_EQ(lines.size(), 2u) << soon.out;
  EXPECT_EQ(lines[0].rfind("scheduled reminder due 20", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("scheduled reminder/2 due ", 0), 0u) << lines[1];

  ProcessResult later =
      Choreo({"produce", "timeouts", "--delay", "1h", "--id", "cancel-me"}, "never\n");
  EXPECT_SUCCEEDS(later);
  ProcessResult cancelled = Choreo({"scheduled", "cancel", "cancel-me"});
  EXPECT_SUCCEEDS(cancelled);
  EXPECT_EQ(cancelled.out, "cancelled cancel-me\n");
  EXPECT_EQ(Choreo({"scheduled", "cancel", "cancel-me"}).out, "already cancelled cancel-me\n");
  ProcessResult unknown = Choreo({"scheduled", "cancel", "no-such-id"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no scheduled record 'no-such-id'"), std::string::npos) << unknown.err;

  // The two delayed records arrive (waiting with a deadline, not a fixed sleep).
  ProcessResult consumed =
      Choreo({"consume", "timeouts", "--from-beginning", "--follow", "--max", "2"});
  EXPECT_SUCCEEDS(consumed);
  EXPECT_EQ(consumed.out, "first\nsecond\n");
  ProcessResult delivered = Choreo({"scheduled", "cancel", "reminder"});
  EXPECT_EQ(delivered.exit_code, 1);
  EXPECT_NE(delivered.err.find("delivered already"), std::string::npos) << delivered.err;

  ProcessResult both =
      Choreo({"produce", "timeouts", "--delay", "1s", "--at", "2030-01-01T00:00:00Z"}, "x\n");
  EXPECT_EQ(both.exit_code, 2) << both.err;
  ProcessResult id_alone = Choreo({"produce", "timeouts", "--id", "x"}, "x\n");
  EXPECT_EQ(id_alone.exit_code, 2) << id_alone.err;
}

TEST_F(CliTest, ConsumeReadsEveryPartition) {
  EXPECT_SUCCEEDS(Choreo({"topic", "create", "spread", "--partitions", "3"}));
  std::vector<std::string> expected;
  for (int p = 0; p < 3; ++p) {
    std::string input;
    for (int i = 0; i < 4; ++i) {
      const std::string value = "p" + std::to_string(p) + "-" + std::to_string(i);
      input += value + "\n";
      expected.push_back(value);
    }
    EXPECT_SUCCEEDS(Choreo({"produce", "spread", "--partition", std::to_string(p)}, input));
  }
  ProcessResult all = Choreo({"consume", "spread", "--from-beginning"});
  EXPECT_SUCCEEDS(all);
  std::vector<std::string> got = Lines(all.out);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);

  ProcessResult one = Choreo({"consume", "spread", "--from-beginning", "--partition", "1"});
  EXPECT_EQ(Lines(one.out), (std::vector<std::string>{"p1-0", "p1-1", "p1-2", "p1-3"}));
  ProcessResult bad = Choreo({"consume", "spread", "--partition", "9"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err.rfind("error: INVALID_PARTITION", 0), 0u) << bad.err;
}

TEST_F(CliTest, ManyLinesKeepTheirOrder) {
  EXPECT_SUCCEEDS(Choreo({"topic", "create", "bulk"}));
  std::string input;
  for (int i = 0; i < 5000; ++i)
    input += "line " + std::to_string(i) + "\n";
  EXPECT_SUCCEEDS(Choreo({"produce", "bulk"}, input));
  ProcessResult consumed = Choreo({"consume", "bulk", "--from-beginning"});
  EXPECT_SUCCEEDS(consumed);
  EXPECT_EQ(consumed.out, input);
}

TEST_F(CliTest, FailuresExitNonZeroWithAnErrorLine) {
  ProcessResult produced = Choreo({"produce", "missing"}, "a\nb\n");
  EXPECT_EQ(produced.exit_code, 1);
  EXPECT_EQ(produced.err.rfind("error: UNKNOWN_TOPIC", 0), 0u) << produced.err;

  ProcessResult consumed = Choreo({"consume", "missing"});
  EXPECT_EQ(consumed.exit_code, 1);
  EXPECT_EQ(consumed.err.rfind("error: UNKNOWN_TOPIC", 0), 0u) << consumed.err;

  ProcessResult usage = Choreo({"consume"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_EQ(usage.err.rfind("error: ", 0), 0u) << usage.err;
}

TEST_F(CliTest, UsersAndAclsWithPasswordsFromStdinOnly) {
  // Bootstrap on a broker without authentication, then restart it with --auth=sasl.
  EXPECT_SUCCEEDS(Choreo({"user", "add", "admin", "--password-stdin"}, "admin-pw\n"));
  EXPECT_SUCCEEDS(Choreo({"user", "add", "alice", "--password-stdin"}, "alice-pw\n"));
  EXPECT_SUCCEEDS(Choreo({"acl", "add", "--principal", "alice", "--topic", "orders.", "--prefix",
                          "--operation", "write"}));
  EXPECT_SUCCEEDS(Choreo({"topic", "create", "orders.eu"}));
  // No terminal to ask on, and no --password-stdin: refused, nothing read from argv.
  ProcessResult no_tty = Choreo({"user", "add", "bob"});
  EXPECT_EQ(no_tty.exit_code, 2) << no_tty.err;
  EXPECT_NE(no_tty.err.find("--password-stdin"), std::string::npos) << no_tty.err;

  ASSERT_TRUE(broker_->Stop());
  broker_ = std::make_unique<BrokerProcess>(
      dir_.path(), BrokerProcess::Options{.extra_flags = {"--auth=sasl", "--super-users=admin"}});
  ASSERT_TRUE(broker_->Start());
  ProcessResult anonymous = Choreo({"topic", "list"});
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_EQ(anonymous.err.rfind("error: AUTHENTICATION_FAILED", 0), 0u) << anonymous.err;
  ProcessResult users =
      Choreo({"--user", "admin", "--password-stdin", "user", "list"}, "admin-pw\n");
  EXPECT_SUCCEEDS(users);
  EXPECT_EQ(Lines(users.out), (std::vector<std::string>{"admin\tSCRAM-SHA-256\titerations=4096",
                                                        "alice\tSCRAM-SHA-256\titerations=4096"}));
  ProcessResult acls = Choreo({"--user", "admin", "--password-stdin", "acl", "list"}, "admin-pw\n");
  EXPECT_SUCCEEDS(acls);
  EXPECT_EQ(Lines(acls.out),
            std::vector<std::string>{"alice\tallow\twrite\ttopic\tprefix\torders."});
  // The producing user's password is stdin's first line; the records follow.
  EXPECT_SUCCEEDS(
      Choreo({"produce", "orders.eu", "--user", "alice", "--password-stdin"}, "alice-pw\nfirst\n"));
  ProcessResult denied =
      Choreo({"--user", "alice", "--password-stdin", "user", "list"}, "alice-pw\n");
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_EQ(denied.err.rfind("error: AUTHORIZATION_FAILED", 0), 0u) << denied.err;
  ProcessResult wrong = Choreo({"--user", "alice", "--password-stdin", "topic", "list"}, "nope\n");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(wrong.err.rfind("error: AUTHENTICATION_FAILED", 0), 0u) << wrong.err;
}

}  // namespace
}  // namespace choreo::e2e

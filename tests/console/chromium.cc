#include "tests/console/chromium.h"

#include <absl/strings/escaping.h>
#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/e2e/process.h"

extern char** environ;

namespace choreo::console_test {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

const Value& Field(const Struct& s, const std::string& name) {
  static const Value kNull;
  auto it = s.fields().find(name);
  return it == s.fields().end() ? kNull : it->second;
}

std::string ToJson(const Struct& s) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(s, &out);
  return out;
}

// "args" of a console call as one line.
std::string ConsoleArgs(const Struct& params) {
  std::string out;
  for (const Value& arg : Field(params, "args").list_value().values()) {
    const Struct& a = arg.struct_value();
    const Value& value = Field(a, "value");
    out += out.empty() ? "" : " ";
    out += value.kind_case() == Value::kStringValue ? value.string_value()
                                                    : Field(a, "description").string_value();
  }
  return out;
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Chromium::FindBinary() {
  const char* env = std::getenv("CHOREO_CHROMIUM");
  const std::string path = env != nullptr && *env != '\0' ? env : "/usr/bin/chromium";
  return access(path.c_str(), X_OK) == 0 ? path : "";
}

::testing::AssertionResult Chromium::Launch(const std::string& binary,
                                            const std::filesystem::path& profile_dir,
                                            const std::filesystem::path& log, int width, int height,
                                            std::unique_ptr<Chromium>* out) {
  // A browser that dies mid-write must fail the test, not kill it.
  signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<Chromium> browser(new Chromium());
  browser->log_ = log;
  int to[2];
  int from[2];
  if (pipe2(to, O_CLOEXEC) != 0 || pipe2(from, O_CLOEXEC) != 0) {
    return ::testing::AssertionFailure() << "pipe2: " << std::strerror(errno);
  }
  // The child's ends are moved above 4 so that dup2 onto 3 and 4 always copies them (and so
  // clears close-on-exec), whatever descriptors the test process has open.
  const int child_in = fcntl(to[0], F_DUPFD_CLOEXEC, 10);
  const int child_out = fcntl(from[1], F_DUPFD_CLOEXEC, 10);
  close(to[0]);
  close(from[1]);
  browser->to_browser_ = to[1];
  browser->from_browser_ = from[0];

  std::vector<std::string> args = {
      binary,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--remote-debugging-pipe",
      "--user-data-dir=" + profile_dir.string(),
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
      "--hide-scrollbars",
      "--mute-audio",
      "--window-size=" + std::to_string(width) + "," + std::to_string(height),
      "about:blank"};
  std::vector<char*> argv;
  for (std::string& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_adddup2(&actions, child_in, 3);
  posix_spawn_file_actions_adddup2(&actions, child_out, 4);
  const int spawned =
      posix_spawn(&browser->pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(child_in);
  close(child_out);
  if (spawned != 0) {
    browser->pid_ = -1;
    return ::testing::AssertionFailure()
           << "cannot start " << binary << ": " << std::strerror(spawned);
  }

  Struct target;
  auto ok = browser->Call("Target.createTarget", R"({"url":"about:blank"})", &target, true);
  if (!ok) return ok;
  Struct attached;
  ok = browser->Call("Target.attachToTarget",
                     R"({"targetId":)" + JsonString(Field(target, "targetId").string_value()) +
                         R"(,"flatten":true})",
                     &attached, true);
  if (!ok) return ok;
  browser->session_ = Field(attached, "sessionId").string_value();
  for (const char* domain : {"Page.enable", "Runtime.enable", "Log.enable"}) {
    Struct ignored;
    ok = browser->Call(domain, "{}", &ignored);
    if (!ok) return ok;
  }
  Struct ignored;
  ok = browser->Call("Emulation.setDeviceMetricsOverride",
                     "{\"width\":" + std::to_string(width) + ",\"height\":" +
                         std::to_string(height) + ",\"deviceScaleFactor\":1,\"mobile\":false}",
                     &ignored);
  if (!ok) return ok;
  *out = std::move(browser);
  return ::testing::AssertionSuccess();
}

Chromium::~Chromium() {
  if (pid_ > 0) {
    Struct ignored;
    (void)Call("Browser.close", "{}", &ignored, true, milliseconds(5000));
  }
  if (to_browser_ >= 0) close(to_browser_);
  if (from_browser_ >= 0) close(from_browser_);
  if (pid_ > 0 && e2e::WaitForExit(pid_, milliseconds(10000)) == -1) {
    kill(pid_, SIGKILL);
    e2e::WaitForExit(pid_, milliseconds(10000));
  }
}

std::optional<Struct> Chromium::Receive(steady_clock::time_point deadline) {
  while (true) {
    const size_t end = buffer_.find('\0');
    if (end != std::string::npos) {
      Struct message;
      const auto parsed =
          google::protobuf::util::JsonStringToMessage(buffer_.substr(0, end), &message);
      buffer_.erase(0, end + 1);
      if (!parsed.ok()) continue;  // never seen; skip rather than stop the test
      return message;
    }
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{.fd = from_browser_, .events = POLLIN, .revents = 0};
    const int ready = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (ready < 0 && errno != EINTR) return std::nullopt;
    if (ready <= 0) continue;
    char chunk[1 << 16];
    const ssize_t n = read(from_browser_, chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;  // the browser closed its end: it is gone
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

void Chromium::Collect(const Struct& event) {
  const std::string& method = Field(event, "method").string_value();
  const Struct& params = Field(event, "params").struct_value();
  if (method == "Runtime.exceptionThrown") {
    const Struct& details = Field(params, "exceptionDetails").struct_value();
    const Struct& exception = Field(details, "exception").struct_value();
    errors_.push_back("uncaught: " + Field(details, "text").string_value() + " " +
                      Field(exception, "description").string_value() + " (" +
                      Field(details, "url").string_value() + ")");
  } else if (method == "Runtime.consoleAPICalled") {
    const std::string& type = Field(params, "type").string_value();
    if (type == "error" || type == "assert")
      errors_.push_back("console." + type + ": " + ConsoleArgs(params));
  } else if (method == "Log.entryAdded") {
    const Struct& entry = Field(params, "entry").struct_value();
    if (Field(entry, "level").string_value() == "error") {
      errors_.push_back("browser: " + Field(entry, "text").string_value() + " " +
                        Field(entry, "url").string_value());
    }
  }
  events_.push_back(event);
}

::testing::AssertionResult Chromium::Call(const std::string& method, const std::string& params_json,
                                          Struct* result, bool browser_level,
                                          milliseconds timeout) {
  const int id = next_id_++;
  std::string message = "{\"id\":" + std::to_string(id) + ",\"method\":" + JsonString(method) +
                        ",\"params\":" + params_json;
  if (!browser_level) message += ",\"sessionId\":" + JsonString(session_);
  message += "}";
  message.push_back('\0');
  if (!WriteAll(to_browser_, message)) {
    return ::testing::AssertionFailure()
           << method << ": the browser is gone; its log (" << log_ << ") says:\n"
           << e2e::ReadFile(log_);
  }
  const auto deadline = steady_clock::now() + timeout;
  while (true) {
    std::optional<Struct> answer = Receive(deadline);
    if (!answer) {
      return ::testing::AssertionFailure()
             << method << ": no answer within " << timeout.count() << " ms";
    }
    const Value& answer_id = Field(*answer, "id");
    if (answer_id.kind_case() != Value::kNumberValue) {
      Collect(*answer);
      continue;
    }
    if (static_cast<int>(answer_id.number_value()) != id) continue;
    if (answer->fields().contains("error")) {
      return ::testing::AssertionFailure()
             << method << " failed: " << ToJson(Field(*answer, "error").struct_value());
    }
    *result = Field(*answer, "result").struct_value();
    return ::testing::AssertionSuccess();
  }
}

::testing::AssertionResult Chromium::Navigate(const std::string& url, milliseconds timeout) {
  events_.clear();
  Struct result;
  auto ok = Call("Page.navigate", R"({"url":)" + JsonString(url) + "}", &result);
  if (!ok) return ok;
  if (!Field(result, "errorText").string_value().empty()) {
    return ::testing::AssertionFailure()
           << "loading " << url << ": " << Field(result, "errorText").string_value();
  }
  const auto deadline = steady_clock::now() + timeout;
  auto loaded = [&] {
    return std::any_of(events_.begin(), events_.end(), [](const Struct& e) {
      return Field(e, "method").string_value() == "Page.loadEventFired";
    });
  };
  while (!loaded()) {
    std::optional<Struct> event = Receive(deadline);
    if (!event) {
      return ::testing::AssertionFailure()
             << url << " did not load within " << timeout.count() << " ms";
    }
    Collect(*event);
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Chromium::Evaluate(const std::string& expression, Value* value) {
  Struct result;
  auto ok = Call("Runtime.evaluate",
                 R"({"expression":)" + JsonString(expression) +
                     R"(,"returnByValue":true,"awaitPromise":true})",
                 &result);
  if (!ok) return ok;
  if (result.fields().contains("exceptionDetails")) {
    return ::testing::AssertionFailure()
           << "evaluating " << expression << ": "
           << ToJson(Field(result, "exceptionDetails").struct_value());
  }
  *value = Field(Field(result, "result").struct_value(), "value");
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Chromium::WaitForValue(const std::string& expression,
                                                  const std::vector<std::string>& accepted,
                                                  milliseconds timeout, std::string* last) {
  const auto deadline = steady_clock::now() + timeout;
  while (true) {
    Value value;
    auto ok = Evaluate(expression, &value);
    if (!ok) return ok;
    *last = value.string_value();
    if (std::find(accepted.begin(), accepted.end(), *last) != accepted.end()) {
      return ::testing::AssertionSuccess();
    }
    if (steady_clock::now() >= deadline) {
      return ::testing::AssertionFailure()
             << expression << " was still '" << *last << "' after " << timeout.count() << " ms";
    }
    // Polling: the page has no way to call back into the test.
    std::this_thread::sleep_for(milliseconds(50));
  }
}

::testing::AssertionResult Chromium::Screenshot(const std::filesystem::path& path) {
  Struct metrics;
  auto ok = Call("Page.getLayoutMetrics", "{}", &metrics);
  if (!ok) return ok;
  const Struct& size = Field(metrics, "cssContentSize").struct_value();
  const double width = Field(size, "width").number_value();
  const double height = std::min(4000.0, Field(size, "height").number_value());
  Struct shot;
  std::ostringstream params;
  params << R"({"format":"png","captureBeyondViewport":true,"clip":{"x":0,"y":0,"width":)" << width
         << R"(,"height":)" << height << R"(,"scale":1}})";
  ok = Call("Page.captureScreenshot", params.str(), &shot);
  if (!ok) return ok;
  std::string png;
  if (!absl::Base64Unescape(Field(shot, "data").string_value(), &png)) {
    return ::testing::AssertionFailure() << "the screenshot is not base64";
  }
  std::ofstream(path, std::ios::binary) << png;
  return ::testing::AssertionSuccess();
}

std::vector<std::string> Chromium::TakeErrors() {
  // The browser answers in order on one pipe: once a round trip's answer is in, every event the
  // page raised before it has been collected.
  Value ignored;
  if (!Evaluate("0", &ignored)) errors_.push_back("the page no longer answers");
  std::vector<std::string> out;
  out.swap(errors_);
  return out;
}

}  // namespace choreo::console_test

// Chromium: a headless Chromium (Debian's `chromium` package) driven over the DevTools protocol
// for browser tests of the web console. The protocol runs over a pipe (--remote-debugging-pipe:
// the browser reads commands on its fd 3 and writes answers and events on fd 4, each a JSON
// message ended by a NUL byte), so nothing beyond the browser is needed: no chromedriver, no
// websocket, no network port.
//
// One page (tab) is opened and attached to; the page's console errors, uncaught exceptions and
// browser-side errors (failed loads, Content-Security-Policy violations) are collected as they
// arrive. Every wait has a deadline.
//
// Not thread-safe: drive it from the test's thread.
#pragma once

#include <sys/types.h>

#include <google/protobuf/struct.pb.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace choreo::console_test {

class Chromium {
 public:
  // $CHOREO_CHROMIUM if set, else /usr/bin/chromium; empty if that is not an executable.
  static std::string FindBinary();

  // Starts `binary` headless with a fresh profile in `profile_dir` (its output goes to `log`),
  // opens a page of `width` x `height` CSS pixels and attaches to it.
  static ::testing::AssertionResult Launch(const std::string& binary,
                                           const std::filesystem::path& profile_dir,
                                           const std::filesystem::path& log, int width, int height,
                                           std::unique_ptr<Chromium>* out);
  // Closes the browser (Browser.close, then SIGKILL if it lingers).
  ~Chromium();
  Chromium(const Chromium&) = delete;
  Chromium& operator=(const Chromium&) = delete;

  // Loads `url` as a new document and waits for its load event.
  ::testing::AssertionResult Navigate(const std::string& url, std::chrono::milliseconds timeout);
  // Evaluates `expression` in the page (awaiting it if it is a promise) and returns its value.
  ::testing::AssertionResult Evaluate(const std::string& expression,
                                      google::protobuf::Value* value);
  // Evaluates `expression` (which must give a string) until it gives one of `accepted`, up to
  // `timeout`; its last value in `*last`.
  ::testing::AssertionResult WaitForValue(const std::string& expression,
                                          const std::vector<std::string>& accepted,
                                          std::chrono::milliseconds timeout, std::string* last);
  // Writes a PNG of the whole page (up to 4000 pixels high) to `path`.
  ::testing::AssertionResult Screenshot(const std::filesystem::path& path);
  // The errors the page raised since the last call, one line each.
  std::vector<std::string> TakeErrors();

 private:
  Chromium() = default;
  // Sends a command (to the page's session unless `browser_level`) and waits for its answer,
  // collecting events meanwhile. The answer's "result" in `*result`.
  ::testing::AssertionResult Call(const std::string& method, const std::string& params_json,
                                  google::protobuf::Struct* result, bool browser_level = false,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The next message, or std::nullopt at the deadline or if the browser went away.
  std::optional<google::protobuf::Struct> Receive(std::chrono::steady_clock::time_point deadline);
  void Collect(const google::protobuf::Struct& event);

  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  std::string buffer_;
  int next_id_ = 1;
  std::string session_;
  std::vector<google::protobuf::Struct> events_;  // received while waiting for an answer
  std::vector<std::string> errors_;
  std::filesystem::path log_;
};

// `text` as a JSON string literal.
std::string JsonString(const std::string& text);

}  // namespace choreo::console_test

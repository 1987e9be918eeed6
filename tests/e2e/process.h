// Process and file-system helpers for end-to-end tests: temporary directories and running a
// command with given stdin, capturing its output.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace choreo::e2e {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Starts `argv` (argv[0] is the executable path) with stdin, stdout and stderr redirected to the
// given files (empty: inherit; stdout_path == stderr_path is allowed and appends both). Returns the
// child's pid, or -1 with errno set. Uses posix_spawn: safe in a multi-threaded test process.
pid_t Spawn(const std::vector<std::string>& argv, const std::filesystem::path& stdin_path,
            const std::filesystem::path& stdout_path, const std::filesystem::path& stderr_path);

// Waits for `pid` to exit, up to `timeout`. Returns its exit code (128 + signal if killed by a
// signal), or -1 if it is still running at the deadline.
int WaitForExit(pid_t pid, std::chrono::milliseconds timeout);

struct ProcessResult {
  int exit_code = -1;  // -1: did not finish in time (it was killed)
  std::string out;
  std::string err;
};

// Runs `argv` to completion with `input` as its stdin, using `scratch` for the redirection files.
ProcessResult RunProcess(const std::vector<std::string>& argv, const std::string& input,
                         const std::filesystem::path& scratch,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& contents);

}  // namespace choreo::e2e

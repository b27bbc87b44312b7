// A real majlisd process for integration tests: started on a free loopback port, stopped with
// SIGTERM (or killed) when the test is done.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace majlis::testing {

class majlisd_process {
 public:
  // Random for each test process (48 hex digits): majlisd refuses short secrets and every value
  // committed in the repository.
  static const char* const admin_key;
  static const char* const signing_secret;
  // Tests settle on the log's head, so they start majlisd with --presence-interval-ms 0 (joins
  // and leaves flushed with each commit) unless `extra_args` set it. The benchmarks clear this:
  // they measure the default, and may run a majlisd older than the flag.
  static inline bool quick_presence = true;

  // Starts majlisd with --listen 127.0.0.1:0 and the fixed keys above, plus `extra_args`; waits
  // (at most 20 s) until it prints the address it listens on. Throws if it does not start.
  // Unless `extra_args` choose a store (--redis, --store, --data-dir), majlisd runs on the
  // durable sqlite store in a fresh temporary data folder (--sync normal), removed afterwards.
  // With `--public-url` in `extra_args` give `--listen 127.0.0.1:PORT` too (the line majlisd
  // prints then names the public URL, not the port).
  // With `stderr_file`, majlisd's log (its stderr) goes to that file instead of the test's.
  explicit majlisd_process(std::vector<std::string> extra_args = {},
                           std::filesystem::path stderr_file = {});
  ~majlisd_process();
  majlisd_process(const majlisd_process&) = delete;
  majlisd_process& operator=(const majlisd_process&) = delete;

  uint16_t port() const { return port_; }
  std::string port_string() const { return std::to_string(port_); }
  pid_t pid() const { return pid_; }

  // SIGTERM, then waits up to `timeout` for the exit; returns the exit status (-1 if killed).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void kill_now();
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  std::filesystem::path owned_data_dir_;
  uint16_t port_ = 0;
  int stdout_fd_ = -1;
};

// A fresh empty folder under the system's temp folder; the caller removes it.
std::filesystem::path make_temp_folder(std::string_view prefix);

}  // namespace majlis::testing

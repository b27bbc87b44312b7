// A real redis-server for integration tests: on a free loopback port, in its own temporary
// folder, without persistence (unless asked), stopped and cleaned up when the test is done.
// It can be stopped and started again on the same port to play a Redis outage.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace majlis::testing {

class redis_server_process {
 public:
  struct options {
    bool append_only = false;             // AOF on: data survives a restart
    std::vector<std::string> extra_args;  // more redis-server options ("--requirepass", "x")
  };

  // Starts redis-server and waits (at most 10 s) until it answers PING. Throws if it does not.
  redis_server_process();
  explicit redis_server_process(options opts);
  ~redis_server_process();
  redis_server_process(const redis_server_process&) = delete;
  redis_server_process& operator=(const redis_server_process&) = delete;

  uint16_t port() const { return port_; }
  // redis://127.0.0.1:<port>
  std::string url() const;
  const std::filesystem::path& folder() const { return folder_; }
  bool running() const { return pid_ > 0; }

  // SIGTERM, then waits up to `timeout` for the exit, then SIGKILL.
  void stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // SIGKILL at once: no shutdown, no final save.
  void kill_now();
  // Starts again on the same port (after stop() or kill_now()).
  void restart();

  // Sends one inline command over a fresh blocking connection and returns the raw reply line(s),
  // e.g. "+PONG\r\n"; empty on failure. For setup and checks that must not go through the
  // client under test.
  std::string command(const std::string& inline_command,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  void launch();
  bool wait_until_answering(std::chrono::milliseconds timeout);

  options options_;
  std::filesystem::path folder_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace majlis::testing

// A peer server process for majlis-bench fanout (Node ws, Socket.IO, the Beast and raw broadcast
// servers): started with its own argv, it prints "listening on 127.0.0.1:PORT" on stdout; stopped
// with SIGTERM (SIGKILL after a timeout) by stop() or the destructor, and killed with the bench
// if the bench dies (PR_SET_PDEATHSIG).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <sys/types.h>

namespace majlis::bench {

class peer_process {
 public:
  // Throws when it cannot start or names no port within `timeout`; `cwd` empty = the bench's.
  peer_process(std::vector<std::string> argv, std::string cwd = {},
               std::chrono::milliseconds timeout = std::chrono::seconds(20));
  ~peer_process();
  peer_process(const peer_process&) = delete;
  peer_process& operator=(const peer_process&) = delete;

  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  void stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace majlis::bench

#include "peer_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace majlis::bench {

peer_process::peer_process(std::vector<std::string> argv, std::string cwd, std::chrono::milliseconds timeout) {
  if (argv.empty()) throw std::invalid_argument("peer_process: no program");
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // A bench that dies must not leave its servers running.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close_range(3, ~0U, 0);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  stdout_fd_ = pipe_fds[0];

  static constexpr std::string_view marker = "listening on 127.0.0.1:";
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[512];
    const auto n = ::read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, std::size_t(n));
    const auto at = output.find(marker);
    if (at == std::string::npos) continue;
    const auto end = output.find('\n', at);
    if (end == std::string::npos) continue;
    port_ = static_cast<std::uint16_t>(std::stoi(output.substr(at + marker.size())));
    ::fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
    return;
  }
  stop(std::chrono::milliseconds(0));
  throw std::runtime_error(argv[0] + " did not report its port; output: " + output);
}

peer_process::~peer_process() {
  stop();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

void peer_process::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace majlis::bench

#include "redis_server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace majlis::testing {

namespace {

using steady = std::chrono::steady_clock;

// A port the kernel just handed out on loopback; redis-server binds it a moment later.
uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

int connect_with_timeout(uint16_t port, std::chrono::milliseconds timeout) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS) {
      ::close(fd);
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
      ::close(fd);
      return -1;
    }
  }
  return fd;
}

}  // namespace

redis_server_process::redis_server_process() : redis_server_process(options{}) {}

redis_server_process::redis_server_process(options opts) : options_(std::move(opts)) {
  std::string pattern = (std::filesystem::temp_directory_path() / "majlis-redis-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  folder_ = pattern;
  // Another process may grab the port between our probe and redis-server's bind: try again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_loopback_port();
    launch();
    if (wait_until_answering(std::chrono::seconds(10))) return;
    kill_now();
  }
  std::filesystem::remove_all(folder_);
  throw std::runtime_error("redis-server did not start");
}

redis_server_process::~redis_server_process() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(folder_, ignored);
}

std::string redis_server_process::url() const {
  return "redis://127.0.0.1:" + std::to_string(port_);
}

void redis_server_process::launch() {
  std::vector<std::string> args = {REDIS_SERVER_PATH,
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   options_.append_only ? "yes" : "no",
                                   "--dir",
                                   folder_.string(),
                                   "--logfile",
                                   (folder_ / "redis.log").string(),
                                   "--daemonize",
                                   "no"};
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (child == 0) {
    // Only async-signal-safe calls between fork and exec: the test has other threads.
    // A test that crashes must not leave redis-server behind: it dies with its parent.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    // Its output goes to redis.log; holding the test's stdout or stderr open would keep pipes
    // (ctest, `| tail`) waiting for a process the test already left.
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      ::dup2(devnull, STDOUT_FILENO);
      ::dup2(devnull, STDERR_FILENO);
    }
    // Nothing else of the test's (its client sockets above all) may live on in redis-server.
    ::close_range(3, ~0U, 0);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  pid_ = child;
}

bool redis_server_process::wait_until_answering(std::chrono::milliseconds timeout) {
  const auto deadline = steady::now() + timeout;
  while (steady::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;  // it exited: the port was taken, or the options are wrong
      return false;
    }
    // With --requirepass it answers NOAUTH: answering is all this checks.
    const auto reply = command("PING", std::chrono::milliseconds(200));
    if (reply.starts_with("+PONG") || reply.starts_with("-NOAUTH")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

void redis_server_process::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = steady::now() + timeout;
  int status = 0;
  while (steady::now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill_now();
}

void redis_server_process::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void redis_server_process::restart() {
  if (pid_ > 0) return;
  // The port was ours a moment ago; the kernel may keep it in TIME_WAIT for connections
  // redis-server closed, which SO_REUSEADDR (redis sets it) allows binding over.
  const auto deadline = steady::now() + std::chrono::seconds(10);
  while (steady::now() < deadline) {
    launch();
    if (wait_until_answering(std::chrono::seconds(5))) return;
    kill_now();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("redis-server did not restart on port " + std::to_string(port_));
}

std::string redis_server_process::command(const std::string& inline_command,
                                          std::chrono::milliseconds timeout) const {
  const int fd = connect_with_timeout(port_, timeout);
  if (fd < 0) return {};
  const std::string line = inline_command + "\r\n";
  std::string reply;
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size())) {
    // Read what arrives until a short quiet spell after the first bytes, or the timeout.
    const auto deadline = steady::now() + timeout;
    while (steady::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      const int wait_ms = reply.empty() ? 50 : 20;
      if (::poll(&p, 1, wait_ms) != 1) {
        if (!reply.empty()) break;
        continue;
      }
      char buffer[4096];
      const auto n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      reply.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return reply;
}

}  // namespace majlis::testing

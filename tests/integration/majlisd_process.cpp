#include "majlisd_process.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <linux/close_range.h>
#include <unistd.h>


namespace majlis::testing {

namespace {
// With --tls-cert the line says https://.
constexpr std::string_view listening_markers[] = {"majlisd is listening on http://127.0.0.1:",
                                                  "majlisd is listening on https://127.0.0.1:"};

// 24 random bytes as hex; lives as long as the process.
const char* random_secret() {
  unsigned char bytes[24] = {};
  const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::read(fd, bytes, sizeof bytes) != static_cast<ssize_t>(sizeof bytes)) std::abort();
  ::close(fd);
  static constexpr char digits[] = "0123456789abcdef";
  auto* text = new std::string();
  for (const auto byte : bytes) {
    text->push_back(digits[byte >> 4]);
    text->push_back(digits[byte & 15]);
  }
  return text->c_str();
}
}  // namespace

const char* const majlisd_process::admin_key = random_secret();
const char* const majlisd_process::signing_secret = random_secret();

majlisd_process::majlisd_process(std::vector<std::string> extra_args,
                                 std::filesystem::path stderr_file) {
  std::vector<std::string> args = {MAJLISD_PATH,     "--listen",         "127.0.0.1:0",
                                   "--admin-key",    admin_key,          "--signing-secret",
                                   signing_secret,   "--log-level",      "warn"};
  const bool store_chosen = std::any_of(extra_args.begin(), extra_args.end(), [](const auto& arg) {
    return arg == "--redis" || arg == "--store" || arg == "--data-dir";
  });
  if (!store_chosen) {
    owned_data_dir_ = make_temp_folder("majlisd-data");
    args.insert(args.end(), {"--data-dir", owned_data_dir_.string(), "--sync", "normal"});
  }
  // Tests open many connections from 127.0.0.1 and fail authentication on purpose: the
  // per-address limits are lifted unless `extra_args` set them again (the last flag wins).
  args.insert(args.end(), {"--max-connections-per-address", "0", "--joins-per-second-per-address",
                           "0", "--failed-auth-limit", "0"});
  if (quick_presence) args.insert(args.end(), {"--presence-interval-ms", "0"});
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  uint16_t given_port = 0;  // a "--listen 127.0.0.1:P" in extra_args, P > 0
  for (std::size_t i = 0; i + 1 < extra_args.size(); ++i) {
    if (extra_args[i] == "--listen" && extra_args[i + 1].starts_with("127.0.0.1:"))
      given_port = static_cast<uint16_t>(std::stoi(extra_args[i + 1].substr(10)));
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int stderr_fd = -1;
  if (!stderr_file.empty()) {
    stderr_fd = ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (stderr_fd < 0) throw std::runtime_error("cannot open " + stderr_file.string());
  }
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ < 0) {
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    if (stderr_fd >= 0) close(stderr_fd);
    throw std::runtime_error(std::string("cannot fork majlisd: ") + std::strerror(errno));
  }
  if (pid_ == 0) {
    // A test that crashes must not leave majlisd running (it would hold ctest's output open).
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    dup2(pipe_fds[1], STDOUT_FILENO);
    if (stderr_fd >= 0) dup2(stderr_fd, STDERR_FILENO);
    // Nothing else of the test's (its client sockets above all) may live on in majlisd.
    close_range(3, ~0U, 0);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  if (stderr_fd >= 0) close(stderr_fd);
  stdout_fd_ = pipe_fds[0];

  // Read stdout until the listening line names the port.
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buffer[512];
    const auto n = read(stdout_fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    output.append(buffer, size_t(n));
    // With --public-url the line names that URL: a fixed --listen port then says where it is.
    if (const auto at = output.find("majlisd is listening on "); at != std::string::npos &&
        output.find('\n', at) != std::string::npos && given_port != 0) {
      port_ = given_port;
      fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
      return;
    }
    for (const auto marker : listening_markers) {
      const auto at = output.find(marker);
      if (at == std::string::npos) continue;
      const auto end = output.find_first_not_of("0123456789", at + marker.size());
      if (end == std::string::npos) break;
      port_ = static_cast<uint16_t>(std::stoi(output.substr(at + marker.size())));
      // Keep draining stdout so majlisd never blocks on a full pipe.
      fcntl(stdout_fd_, F_SETFL, O_NONBLOCK);
      return;
    }
  }
  kill_now();
  if (!owned_data_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(owned_data_dir_, ignored);
  }
  throw std::runtime_error("majlisd did not report its port; output: " + output);
}

majlisd_process::~majlisd_process() {
  if (pid_ > 0) stop();
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (!owned_data_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(owned_data_dir_, ignored);
  }
}

std::filesystem::path make_temp_folder(std::string_view prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

int majlisd_process::stop(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill_now();
  return -1;
}

void majlisd_process::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace majlis::testing

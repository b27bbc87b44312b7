#include "app/data_folder.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace majlis::app {

namespace fs = std::filesystem;

namespace {

std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }

std::string errno_text() { return std::strerror(errno); }

// Writes all of `content` to `fd`; false with errno set on failure.
bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const auto n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::optional<std::string> secret_problem(std::string_view what, std::string_view value) {
  // Every value this repository shows or used to ship as a default: anyone can read them.
  static constexpr std::string_view published[] = {
      "demo-admin-key-change-me",
      "demo-signing-secret-change-me-0123456789",
      "s3cret",
      "integration-admin-key",
      "integration-signing-secret",
  };
  const auto named = std::string(what);
  for (const auto demo : published) {
    if (value == demo)
      return named + " is a value published in the Majlis repository; set a secret of your own";
  }
  // The README's examples and the compose file's old defaults all say so themselves.
  if (value.find("change-me") != std::string_view::npos)
    return named + " still contains 'change-me' (a published example); set a secret of your own";
  if (value.size() < min_secret_bytes)
    return named + " is " + std::to_string(value.size()) + " bytes long; it needs at least " +
           std::to_string(min_secret_bytes) +
           " (e.g. head -c 32 /dev/urandom | base64), or leave it out to use a generated one";
  return std::nullopt;
}

data_folder::data_folder(fs::path path, bool create_if_missing) : path_(std::move(path)) {
  std::error_code ec;
  const auto status = fs::status(path_, ec);
  if (status.type() == fs::file_type::not_found) {
    if (!create_if_missing)
      throw data_folder_error("the data folder " + quoted(path_) +
                              " does not exist; create it (or fix --data-dir) and start again");
    if (::mkdir(path_.c_str(), 0700) != 0 && errno != EEXIST)
      throw data_folder_error("cannot create the data folder " + quoted(path_) + ": " +
                              errno_text());
  } else if (ec) {
    throw data_folder_error("cannot read the data folder " + quoted(path_) + ": " + ec.message());
  } else if (status.type() != fs::file_type::directory) {
    throw data_folder_error(quoted(path_) +
                            " is not a folder; --data-dir must name a folder for majlisd's files");
  }

  // Can we write here? (Checked by writing: permission bits say nothing to root, nor about a
  // read-only mount.)
  const auto probe = path_ / ".write-test";
  const int probe_fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (probe_fd < 0)
    throw data_folder_error("cannot write in the data folder " + quoted(path_) + ": " +
                            errno_text());
  ::close(probe_fd);
  ::unlink(probe.c_str());

  const auto lock_file = path_ / "majlis.lock";
  lock_fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0)
    throw data_folder_error("cannot open the lock file " + quoted(lock_file) + ": " + errno_text());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const bool held = errno == EWOULDBLOCK;
    const auto reason = errno_text();
    char owner[32] = {};
    const auto n = ::pread(lock_fd_, owner, sizeof owner - 1, 0);
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (held) {
      std::string pid = n > 0 ? std::string(owner, static_cast<size_t>(n)) : "";
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      throw data_folder_error("the data folder " + quoted(path_) + " is in use by another majlisd" +
                              (pid.empty() ? "" : " (pid " + pid + ")") +
                              "; stop it or give this one another --data-dir");
    }
    throw data_folder_error("cannot lock " + quoted(lock_file) + ": " + reason);
  }
  const auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid is only there to help a person; the lock itself is held.
  }
}

data_folder::~data_folder() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

std::optional<std::string> data_folder::read_file(std::string_view name) const {
  const auto file = path_ / name;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw data_folder_error("cannot read " + quoted(file) + ": " + errno_text());
  }
  std::string content;
  char buffer[4096];
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const auto reason = errno_text();
      ::close(fd);
      throw data_folder_error("cannot read " + quoted(file) + ": " + reason);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
    if (content.size() > 1024 * 1024)
      throw data_folder_error(quoted(file) + " is larger than majlisd ever writes it");
  }
  ::close(fd);
  return content;
}

void data_folder::write_file(std::string_view name, std::string_view content, bool private_mode) {
  // Write a temp file, flush it to disk, rename it over the old one: a crash leaves the old
  // file or the new one, never half of either.
  const auto file = path_ / name;
  const auto temp = path_ / (std::string(name) + ".tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                        private_mode ? 0600 : 0644);
  if (fd < 0) throw data_folder_error("cannot write " + quoted(temp) + ": " + errno_text());
  if (private_mode) ::fchmod(fd, 0600);  // an older temp file may have had other bits
  if (!write_all(fd, content) || ::fsync(fd) != 0) {
    const auto reason = errno_text();
    ::close(fd);
    ::unlink(temp.c_str());
    throw data_folder_error("cannot write " + quoted(temp) + ": " + reason);
  }
  ::close(fd);
  if (::rename(temp.c_str(), file.c_str()) != 0)
    throw data_folder_error("cannot replace " + quoted(file) + ": " + errno_text());
  if (const int dir = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string data_folder::secret(std::string_view name, const std::function<std::string()>& generate) {
  if (auto stored = read_file(name)) {
    while (!stored->empty() && (stored->back() == '\n' || stored->back() == '\r')) stored->pop_back();
    if (stored->empty())
      throw data_folder_error(quoted(path_ / name) +
                              " is empty; delete it to generate a new one (old links stop working)");
    return *stored;
  }
  auto value = generate();
  write_file(name, value + "\n", /*private_mode=*/true);
  return value;
}

}  // namespace majlis::app

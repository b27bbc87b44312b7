// A temporary folder for one majlisd's SQLite files, created empty (majlisd wants an explicit
// --data-dir to exist already) under the temp directory (TMPDIR, else /tmp) and removed with
// everything in it when the owner goes. Mind that a tmpfs there makes --sync full free.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace majlis::bench {

class data_folder {
 public:
  data_folder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "majlis-bench-data-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~data_folder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  data_folder(const data_folder&) = delete;
  data_folder& operator=(const data_folder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The kind of file system a path is on ("ext4", "tmpfs", …, else its magic number): a figure
// for --sync full means little on tmpfs, where fsync costs nothing.
inline std::string filesystem_type(const std::string& path) {
  struct statfs info {};
  if (::statfs(path.c_str(), &info) != 0) return "unknown file system";
  switch (static_cast<unsigned long>(info.f_type)) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794C7630: return "overlayfs";
    default: return "file system 0x" + [&] {
      char hex[20];
      std::snprintf(hex, sizeof hex, "%lx", static_cast<unsigned long>(info.f_type));
      return std::string(hex);
    }();
  }
}

// The median time of `writes` 4 KiB writes each followed by fdatasync, in a scratch file in
// `folder` (removed after), in ms; -1 when the file cannot be written. On a shared VM this swings
// from a tenth of a millisecond to several, and --sync full pays it at every commit: a figure
// for a run on SQLite means little without it.
inline double fsync_probe_ms(const std::filesystem::path& folder, int writes = 20) {
  const auto file = folder / "majlis-bench-fsync-probe";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  std::vector<double> times;
  char block[4096] = {};
  for (int i = 0; i < writes; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (::pwrite(fd, block, sizeof block, off_t{i} * off_t{sizeof block}) != static_cast<ssize_t>(sizeof block) ||
        ::fdatasync(fd) != 0) {
      break;
    }
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  ::close(fd);
  std::error_code ignored;
  std::filesystem::remove(file, ignored);
  if (times.empty()) return -1;
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace majlis::bench

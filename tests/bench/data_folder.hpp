// A temporary folder for one majlisd's SQLite files, created empty (majlisd wants an explicit
// --data-dir to exist already) under the temp directory (TMPDIR, else /tmp) and removed with
// everything in it when the owner goes. Mind that a tmpfs there makes --sync full free.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include <sys/vfs.h>

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

}  // namespace majlis::bench

// The data folder of the durable embedded store (DESIGN §5): the event database, the secrets
// majlisd generated on its first start, and a lock so two processes never share the folder.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace majlis::app {

// Why a data folder cannot be used; what() is a sentence for the operator that names the path.
class data_folder_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Why `value` cannot serve as the admin key or signing secret (`what` names it, e.g.
// "--admin-key"): shorter than min_secret_bytes, or a value published in this repository
// (compose defaults, README and test examples). nullopt when it is fine.
inline constexpr std::size_t min_secret_bytes = 32;
std::optional<std::string> secret_problem(std::string_view what, std::string_view value);

class data_folder {
 public:
  // Opens `path`: creates it when missing if `create_if_missing` (the default folder), checks it
  // is a folder this process can write, and takes its lock for the process's lifetime.
  // Throws data_folder_error.
  data_folder(std::filesystem::path path, bool create_if_missing);
  ~data_folder();
  data_folder(const data_folder&) = delete;
  data_folder& operator=(const data_folder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path database_file() const { return path_ / "majlis.db"; }

  // The secret stored under `name` (a file of that name, mode 0600); generated with `generate`
  // and stored first if there is none, so every later start reads the same value.
  std::string secret(std::string_view name, const std::function<std::string()>& generate);

  // A small file's content, or nullopt if there is none; writes replace it atomically.
  std::optional<std::string> read_file(std::string_view name) const;
  void write_file(std::string_view name, std::string_view content, bool private_mode = false);

 private:
  std::filesystem::path path_;
  int lock_fd_ = -1;
};

}  // namespace majlis::app

// What callers hand to a connection (commands, written back to back) and what they get back.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

#include "redis/reply.hpp"

namespace majlis::redis {

// One Redis command, binary-safe: the name and its arguments.
using command = std::vector<std::string>;

// The outcome of one command. `error` is empty when Redis answered with anything but an error
// reply; error::server_error carries Redis's error text in `value`.
struct result {
  boost::system::error_code error;
  reply value;

  bool ok() const { return !error; }
};

namespace detail {
inline void append_argument(command& cmd, std::string_view text) {
  cmd.emplace_back(text);
}
template <std::integral Integer>
void append_argument(command& cmd, Integer number) {
  cmd.push_back(std::to_string(number));
}
}  // namespace detail

// Builds a command from text and integers: make_command("XRANGE", key, "-", "+", "COUNT", 10).
template <class... Args>
command make_command(std::string_view name, const Args&... args) {
  command cmd;
  cmd.reserve(1 + sizeof...(args));
  cmd.emplace_back(name);
  (detail::append_argument(cmd, args), ...);
  return cmd;
}

// Commands that are written back to back, with nothing from other callers in between (a
// MULTI … EXEC block, or one caller's pipeline), and answered in order.
class request {
 public:
  request() = default;

  template <class... Args>
  request& push(std::string_view name, const Args&... args) {
    commands_.push_back(make_command(name, args...));
    return *this;
  }
  request& push(command cmd) {
    commands_.push_back(std::move(cmd));
    return *this;
  }

  const std::vector<command>& commands() const { return commands_; }
  size_t size() const { return commands_.size(); }
  bool empty() const { return commands_.empty(); }

 private:
  std::vector<command> commands_;
};

}  // namespace majlis::redis

// An io_context running on its own thread for the length of a test, and bounded waits on it:
// the test thread blocks on futures and conditions, never longer than it says.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace majlis::testing {

class io_thread {
 public:
  io_thread() : work_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  // Lets the io_context drain (connections stopped by their destructors finish their work),
  // then stops it if it has not within five seconds.
  ~io_thread() {
    work_.reset();
    auto done = std::async(std::launch::async, [this] { thread_.join(); });
    if (done.wait_for(std::chrono::seconds(5)) != std::future_status::ready) io_.stop();
    done.wait();
  }
  io_thread(const io_thread&) = delete;
  io_thread& operator=(const io_thread&) = delete;

  boost::asio::io_context& context() { return io_; }
  boost::asio::any_io_executor executor() { return io_.get_executor(); }

  // Runs the coroutine on the io_context and waits for its result, at most `timeout`.
  template <class T>
  T run(boost::asio::awaitable<T> task,
        std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto future = boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future);
    if (future.wait_for(timeout) != std::future_status::ready)
      throw std::runtime_error("timed out waiting for a coroutine");
    return future.get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::thread thread_;
};

// Polls `condition` every 5 ms until it holds or `timeout` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

}  // namespace majlis::testing

// The one policy for errors from coroutines started with co_spawn and not awaited: an exception
// escaping one is logged (error level, with the task's name) and the program carries on. Never
// asio::detached, which drops the exception without a word.
//
//   asio::co_spawn(strand_, do_commit(), log_failure("replica commit"));
#pragma once

#include <exception>

namespace majlis {

// Logs `error` (if set) as event=task_failed task=<task> error="<what()>".
void report_failure(const char* task, const std::exception_ptr& error) noexcept;

// A co_spawn completion handler applying report_failure; a coroutine's result, if any, is
// dropped. `task` must outlive the coroutine (a string literal).
class log_failure {
 public:
  explicit constexpr log_failure(const char* task) : task_(task) {}
  void operator()(const std::exception_ptr& error) const noexcept { report_failure(task_, error); }
  template <class Result>
  void operator()(const std::exception_ptr& error, const Result&) const noexcept {
    report_failure(task_, error);
  }
  const char* task() const { return task_; }

 private:
  const char* task_;
};

}  // namespace majlis

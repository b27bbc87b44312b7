#include "majlis/asio/spawn_policy.hpp"

#include <spdlog/spdlog.h>

namespace majlis {

void report_failure(const char* task, const std::exception_ptr& error) noexcept {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("event=task_failed task=\"{}\" error=\"{}\"", task, e.what());
  } catch (...) {
    spdlog::error("event=task_failed task=\"{}\" error=\"unknown exception\"", task);
  }
}

}  // namespace majlis

// The wall clock as the app layer reads it (the domain gets time only through its context).
#pragma once

#include <chrono>
#include <cstdint>

namespace majlis::app {

inline int64_t unix_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t unix_seconds() { return unix_millis() / 1000; }

}  // namespace majlis::app

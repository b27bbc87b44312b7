#include "app/check_in_guard.hpp"

#include <array>
#include <stdexcept>

#include <openssl/rand.h>

namespace majlis::app {

std::string random_check_in_code(std::size_t digits) {
  std::string code;
  code.reserve(digits);
  std::array<unsigned char, 32> pool{};
  std::size_t used = pool.size();
  // Bounded: a byte is rejected with probability 6/256, so 1000 draws never run out in practice.
  for (int draws = 0; code.size() < digits && draws < 1000; ++draws) {
    if (used == pool.size()) {
      if (RAND_bytes(pool.data(), static_cast<int>(pool.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
      used = 0;
    }
    const unsigned char byte = pool[used++];
    if (byte >= 250) continue;  // 250 = 25 * 10: below it every digit is equally likely
    code.push_back(static_cast<char>('0' + byte % 10));
  }
  if (code.size() != digits) throw std::runtime_error("no random check-in code");
  return code;
}

bool check_in_guard::begin_attempt(const std::string& participant_id, clock::time_point now) {
  forget_expired(now);
  auto& t = tallies_[participant_id];
  if (now - t.window_start >= window) {
    t.window_start = now;
    t.wrong = 0;
  }
  if (t.wrong + t.in_flight >= max_wrong) return false;
  ++t.in_flight;
  return true;
}

void check_in_guard::end_attempt(const std::string& participant_id, clock::time_point now,
                                 bool wrong) {
  auto& t = tallies_[participant_id];
  if (t.in_flight > 0) --t.in_flight;
  if (!wrong) return;
  if (now - t.window_start >= window) {
    t.window_start = now;
    t.wrong = 0;
  }
  ++t.wrong;
}

void check_in_guard::forget_expired(clock::time_point now) {
  // At most one sweep a window, so the map holds only participants who tried recently.
  if (now < next_sweep_) return;
  next_sweep_ = now + window;
  std::erase_if(tallies_, [&](const auto& entry) {
    return entry.second.in_flight == 0 && now - entry.second.window_start >= window;
  });
}

}  // namespace majlis::app

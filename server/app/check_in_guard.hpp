// The replica's side of in-room check-in: random codes, and a brake on guessing them.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace majlis::app {

// `digits` decimal digits from the CSPRNG (OpenSSL RAND_bytes), each digit uniform: bytes of
// 250 and above are drawn again rather than folded in by modulo, which would favour 0-5.
std::string random_check_in_code(std::size_t digits = 6);

// Wrong check-in codes per participant on this instance: after max_wrong within one window
// the participant's check-ins are refused until the window ends. A code is one in a million
// and lives 40 s at most (30 s, plus 10 s as the previous code), so 5 guesses a minute per
// instance leave a remote participant no practical chance. In memory: a restart forgets it.
class check_in_guard {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr int max_wrong = 5;
  static constexpr std::chrono::seconds window{60};

  // A check-in is about to be decided: false (refuse it) when the participant's wrong codes
  // this window, plus their check-ins still being decided, already reach max_wrong — so a
  // burst sent before the first answer cannot slip past the count.
  bool begin_attempt(const std::string& participant_id, clock::time_point now);
  // Its answer: `wrong` when the code was refused as not valid.
  void end_attempt(const std::string& participant_id, clock::time_point now, bool wrong);
  std::size_t tracked() const { return tallies_.size(); }

 private:
  struct tally {
    clock::time_point window_start;
    int wrong = 0;
    int in_flight = 0;
  };
  void forget_expired(clock::time_point now);

  std::unordered_map<std::string, tally> tallies_;
  clock::time_point next_sweep_{};
};

}  // namespace majlis::app

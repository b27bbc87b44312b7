#include "app/check_in_guard.hpp"

#include <array>
#include <set>

#include <gtest/gtest.h>

namespace majlis::app {
namespace {

TEST(CheckInGuard, CodesAreSixDigitsAndSpreadOverEveryDigit) {
  std::array<int, 10> counts{};
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto code = random_check_in_code();
    ASSERT_EQ(code.size(), 6U);
    for (char c : code) {
      ASSERT_TRUE(c >= '0' && c <= '9') << code;
      counts[static_cast<std::size_t>(c - '0')]++;
    }
    seen.insert(code);
  }
  EXPECT_GT(seen.size(), 1990U);  // 2000 draws from a million collide a couple of times at most
  // 12000 digits, 1200 expected each; 5 sigma is about 165.
  for (int n : counts) {
    EXPECT_GT(n, 1000);
    EXPECT_LT(n, 1400);
  }
}

TEST(CheckInGuard, FiveWrongCodesBlockForTheRestOfTheMinute) {
  check_in_guard guard;
  const auto t0 = check_in_guard::clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < check_in_guard::max_wrong; ++i) {
    EXPECT_FALSE(guard.blocked("amina", t0 + std::chrono::seconds(i)));
    guard.record_wrong("amina", t0 + std::chrono::seconds(i));
  }
  EXPECT_TRUE(guard.blocked("amina", t0 + std::chrono::seconds(10)));
  EXPECT_TRUE(guard.blocked("amina", t0 + std::chrono::seconds(59)));
  EXPECT_FALSE(guard.blocked("omar", t0 + std::chrono::seconds(10)));  // per participant
  EXPECT_FALSE(guard.blocked("amina", t0 + std::chrono::seconds(60)));
  guard.record_wrong("amina", t0 + std::chrono::seconds(61));  // a fresh window
  EXPECT_FALSE(guard.blocked("amina", t0 + std::chrono::seconds(62)));
}

TEST(CheckInGuard, ForgetsParticipantsWhoseWindowEnded) {
  check_in_guard guard;
  const auto t0 = check_in_guard::clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) guard.record_wrong("p" + std::to_string(i), t0);
  EXPECT_EQ(guard.tracked(), 100U);
  EXPECT_FALSE(guard.blocked("p1", t0 + std::chrono::minutes(2)));
  EXPECT_EQ(guard.tracked(), 0U);
}

}  // namespace
}  // namespace majlis::app

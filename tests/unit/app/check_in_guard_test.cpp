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
  const auto at = [&](int s) { return t0 + std::chrono::seconds(s); };
  ASSERT_TRUE(guard.begin_attempt("amina", at(0)));
  guard.end_attempt("amina", at(0), /*wrong=*/false);  // a right code costs nothing
  for (int i = 0; i < check_in_guard::max_wrong; ++i) {
    ASSERT_TRUE(guard.begin_attempt("amina", at(i)));
    guard.end_attempt("amina", at(i), /*wrong=*/true);
  }
  EXPECT_FALSE(guard.begin_attempt("amina", at(10)));
  EXPECT_FALSE(guard.begin_attempt("amina", at(59)));
  EXPECT_TRUE(guard.begin_attempt("omar", at(10)));  // per participant
  guard.end_attempt("omar", at(10), false);
  EXPECT_TRUE(guard.begin_attempt("amina", at(60)));  // the window is over
  guard.end_attempt("amina", at(60), true);
  EXPECT_TRUE(guard.begin_attempt("amina", at(61)));
}

TEST(CheckInGuard, CheckInsStillBeingDecidedCount) {
  check_in_guard guard;
  const auto t0 = check_in_guard::clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < check_in_guard::max_wrong; ++i) EXPECT_TRUE(guard.begin_attempt("amina", t0));
  EXPECT_FALSE(guard.begin_attempt("amina", t0));  // a burst sent before any answer
  guard.end_attempt("amina", t0, /*wrong=*/false);
  EXPECT_TRUE(guard.begin_attempt("amina", t0));
}

TEST(CheckInGuard, ForgetsParticipantsWhoseWindowEnded) {
  check_in_guard guard;
  const auto t0 = check_in_guard::clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) {
    const auto id = "p" + std::to_string(i);
    ASSERT_TRUE(guard.begin_attempt(id, t0));
    guard.end_attempt(id, t0, true);
  }
  EXPECT_EQ(guard.tracked(), 100U);
  EXPECT_TRUE(guard.begin_attempt("p1", t0 + std::chrono::minutes(2)));
  EXPECT_EQ(guard.tracked(), 1U);  // only the one trying now
}

}  // namespace
}  // namespace majlis::app

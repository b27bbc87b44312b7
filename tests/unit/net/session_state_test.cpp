#include "net/session_state.hpp"

#include <gtest/gtest.h>

namespace majlis::net {
namespace {

using s = session_state;
constexpr s all[] = {s::upgrading, s::awaiting_join, s::joined,
                     s::draining,  s::closing,       s::closed};

TEST(net_session_state, the_usual_life_is_allowed) {
  EXPECT_TRUE(session_state_allows(s::upgrading, s::awaiting_join));
  EXPECT_TRUE(session_state_allows(s::awaiting_join, s::joined));
  EXPECT_TRUE(session_state_allows(s::joined, s::draining));
  EXPECT_TRUE(session_state_allows(s::draining, s::closing));
  EXPECT_TRUE(session_state_allows(s::closing, s::closed));
}

TEST(net_session_state, closes_before_joining_and_from_any_open_phase) {
  // Refused at open (4013, 4029) or no Join in time (4002).
  EXPECT_TRUE(session_state_allows(s::awaiting_join, s::draining));
  // The peer went away: no close of ours.
  EXPECT_TRUE(session_state_allows(s::awaiting_join, s::closed));
  EXPECT_TRUE(session_state_allows(s::joined, s::closed));
  EXPECT_TRUE(session_state_allows(s::draining, s::closed));
}

TEST(net_session_state, never_goes_back_or_stays) {
  for (const auto from : all) {
    for (const auto to : all) {
      if (to <= from) {
        EXPECT_FALSE(session_state_allows(from, to));
      }
    }
  }
  // Nothing leaves closed; joining needs an open session.
  for (const auto to : all) EXPECT_FALSE(session_state_allows(s::closed, to));
  EXPECT_FALSE(session_state_allows(s::upgrading, s::joined));
  EXPECT_FALSE(session_state_allows(s::upgrading, s::draining));
  // The close handshake starts only once the Error is queued.
  EXPECT_FALSE(session_state_allows(s::joined, s::closing));
  EXPECT_FALSE(session_state_allows(s::awaiting_join, s::closing));
}

TEST(net_session_state, winding_down_from_draining_on) {
  EXPECT_FALSE(winding_down(s::upgrading));
  EXPECT_FALSE(winding_down(s::awaiting_join));
  EXPECT_FALSE(winding_down(s::joined));
  EXPECT_TRUE(winding_down(s::draining));
  EXPECT_TRUE(winding_down(s::closing));
  EXPECT_TRUE(winding_down(s::closed));
}

TEST(net_session_state, each_phase_keeps_its_deadline) {
  EXPECT_EQ(deadline_of(s::upgrading), session_deadline::none);
  EXPECT_EQ(deadline_of(s::awaiting_join), session_deadline::join);
  EXPECT_EQ(deadline_of(s::joined), session_deadline::idle);
  EXPECT_EQ(deadline_of(s::draining), session_deadline::close);
  EXPECT_EQ(deadline_of(s::closing), session_deadline::close);
  EXPECT_EQ(deadline_of(s::closed), session_deadline::none);
}

}  // namespace
}  // namespace majlis::net

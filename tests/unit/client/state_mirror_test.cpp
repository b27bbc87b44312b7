#include "majlis/client/state_mirror.hpp"

#include <initializer_list>

#include <gtest/gtest.h>

namespace majlis::client {
namespace {

v1::Event started(std::uint64_t seq) {
  v1::Event event;
  event.set_seq(seq);
  event.mutable_meeting_started();
  return event;
}

v1::Event stub(std::uint64_t seq) {
  v1::Event event;
  event.set_seq(seq);
  return event;
}

v1::EventBatch batch(std::initializer_list<v1::Event> events) {
  v1::EventBatch out;
  for (const auto& event : events) *out.add_events() = event;
  return out;
}

v1::Welcome snapshot_welcome(std::uint64_t epoch, std::uint64_t seq, const std::string& title) {
  v1::Welcome welcome;
  welcome.set_epoch(epoch);
  welcome.set_seq(seq);
  auto& state = *welcome.mutable_snapshot();
  state.set_meeting_id("m1");
  state.set_title(title);
  state.set_status(v1::MEETING_STATUS_SCHEDULED);
  state.set_seq(seq);
  return welcome;
}

v1::Welcome replay_welcome(std::uint64_t epoch, std::uint64_t seq,
                           std::initializer_list<v1::Event> events) {
  v1::Welcome welcome;
  welcome.set_epoch(epoch);
  welcome.set_seq(seq);
  auto& replay = *welcome.mutable_replay();
  for (const auto& event : events) *replay.add_events() = event;
  return welcome;
}

// A mirror loaded from a snapshot at seq 3 of epoch 7.
state_mirror mirror_at_3() {
  state_mirror mirror;
  EXPECT_EQ(mirror.apply(snapshot_welcome(7, 3, "Digital policy")), apply_outcome::applied);
  return mirror;
}

TEST(StateMirror, StartsEmpty) {
  state_mirror mirror;
  EXPECT_FALSE(mirror.has_state());
  EXPECT_EQ(mirror.seq(), 0u);
  EXPECT_EQ(mirror.epoch(), 0u);
}

TEST(StateMirror, AppliesEventsInOrderThroughEvolve) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(batch({started(4), stub(5)})), apply_outcome::applied);
  EXPECT_EQ(mirror.seq(), 5u);
  EXPECT_EQ(mirror.state().seq(), 5u);
  EXPECT_EQ(mirror.state().status(), v1::MEETING_STATUS_LIVE);
  EXPECT_EQ(mirror.events_applied(), 2u);
}

TEST(StateMirror, IgnoresDuplicates) {
  auto mirror = mirror_at_3();
  ASSERT_EQ(mirror.apply(batch({started(4)})), apply_outcome::applied);
  const auto before = mirror.state().SerializeAsString();

  EXPECT_EQ(mirror.apply(batch({stub(2), started(4)})), apply_outcome::duplicate_ignored);
  EXPECT_EQ(mirror.seq(), 4u);
  EXPECT_EQ(mirror.state().SerializeAsString(), before);
  EXPECT_EQ(mirror.duplicates_ignored(), 2u);
}

TEST(StateMirror, AppliesTheNewTailOfAnOverlappingBatch) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(batch({stub(3), started(4), stub(5)})), apply_outcome::applied);
  EXPECT_EQ(mirror.seq(), 5u);
  EXPECT_EQ(mirror.duplicates_ignored(), 1u);
  EXPECT_EQ(mirror.events_applied(), 2u);
}

TEST(StateMirror, ReportsAGapAndAppliesNothingAfterIt) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(batch({started(5), stub(6)})), apply_outcome::gap);
  EXPECT_EQ(mirror.seq(), 3u);
  EXPECT_EQ(mirror.state().status(), v1::MEETING_STATUS_SCHEDULED);
  EXPECT_EQ(mirror.events_applied(), 0u);
}

TEST(StateMirror, AppliesUpToTheGapOnly) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(batch({stub(4), started(6), stub(7)})), apply_outcome::gap);
  EXPECT_EQ(mirror.seq(), 4u);
  EXPECT_EQ(mirror.state().status(), v1::MEETING_STATUS_SCHEDULED);
  // The missing event arrives: the mirror continues from where it stopped.
  EXPECT_EQ(mirror.apply(batch({stub(5), started(6)})), apply_outcome::applied);
  EXPECT_EQ(mirror.seq(), 6u);
  EXPECT_EQ(mirror.state().status(), v1::MEETING_STATUS_LIVE);
}

TEST(StateMirror, StubsOnlyAdvanceTheSeq) {
  auto mirror = mirror_at_3();
  const auto title = mirror.state().title();
  EXPECT_EQ(mirror.apply(batch({stub(4), stub(5), stub(6)})), apply_outcome::applied);
  EXPECT_EQ(mirror.seq(), 6u);
  EXPECT_EQ(mirror.state().seq(), 6u);
  EXPECT_EQ(mirror.stubs_applied(), 3u);
  EXPECT_EQ(mirror.state().title(), title);
  EXPECT_EQ(mirror.state().status(), v1::MEETING_STATUS_SCHEDULED);
}

TEST(StateMirror, SnapshotWelcomeReplacesTheState) {
  auto mirror = mirror_at_3();
  ASSERT_EQ(mirror.apply(batch({started(4), stub(5)})), apply_outcome::applied);

  // A new epoch: the server lost its log and sends a fresh snapshot at a lower seq.
  EXPECT_EQ(mirror.apply(snapshot_welcome(8, 2, "Reloaded")), apply_outcome::applied);
  EXPECT_EQ(mirror.epoch(), 8u);
  EXPECT_EQ(mirror.seq(), 2u);
  EXPECT_EQ(mirror.state().title(), "Reloaded");
  EXPECT_EQ(mirror.state().status(), v1::MEETING_STATUS_SCHEDULED);
  EXPECT_EQ(mirror.snapshots_loaded(), 2u);
}

TEST(StateMirror, ReplayWelcomeContinuesTheState) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(replay_welcome(7, 5, {started(4), stub(5)})), apply_outcome::applied);
  EXPECT_EQ(mirror.seq(), 5u);
  EXPECT_EQ(mirror.state().title(), "Digital policy");
  EXPECT_EQ(mirror.state().status(), v1::MEETING_STATUS_LIVE);
  EXPECT_EQ(mirror.snapshots_loaded(), 1u);
}

TEST(StateMirror, EmptyReplayAtTheSameSeqIsConsistent) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(replay_welcome(7, 3, {})), apply_outcome::duplicate_ignored);
  EXPECT_EQ(mirror.seq(), 3u);
}

TEST(StateMirror, ReplayWithAGapIsAGap) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(replay_welcome(7, 6, {started(5), stub(6)})), apply_outcome::gap);
  EXPECT_EQ(mirror.seq(), 3u);
}

TEST(StateMirror, ReplayShortOfTheWelcomeSeqIsAGap) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(replay_welcome(7, 6, {started(4)})), apply_outcome::gap);
}

TEST(StateMirror, ReplayFromAnotherEpochIsAGap) {
  auto mirror = mirror_at_3();
  EXPECT_EQ(mirror.apply(replay_welcome(9, 4, {started(4)})), apply_outcome::gap);
  EXPECT_EQ(mirror.seq(), 3u);
  EXPECT_EQ(mirror.state().status(), v1::MEETING_STATUS_SCHEDULED);
}

TEST(StateMirror, ResumePointIsEpochAndSeq) {
  auto mirror = mirror_at_3();
  ASSERT_EQ(mirror.apply(batch({stub(4)})), apply_outcome::applied);
  const auto resume = mirror.resume_point();
  EXPECT_EQ(resume.epoch(), 7u);
  EXPECT_EQ(resume.seq(), 4u);
}

TEST(StateMirror, ResetForgetsEverything) {
  auto mirror = mirror_at_3();
  mirror.reset();
  EXPECT_FALSE(mirror.has_state());
  EXPECT_EQ(mirror.seq(), 0u);
  EXPECT_EQ(mirror.snapshots_loaded(), 0u);
}

TEST(StateMirror, OutcomeNames) {
  EXPECT_STREQ(to_string(apply_outcome::applied), "applied");
  EXPECT_STREQ(to_string(apply_outcome::duplicate_ignored), "duplicate_ignored");
  EXPECT_STREQ(to_string(apply_outcome::gap), "gap");
}

}  // namespace
}  // namespace majlis::client

// The sans-I/O replica core, driven with an injected clock: group commit, the resume window,
// deadlines, presence coalescing and failed appends, without a strand, a timer or a store.
#include "app/replica_core.hpp"

#include <gtest/gtest.h>

#include "meeting_builder.hpp"

namespace majlis::app {
namespace {

using namespace std::chrono_literals;
using domain::testing::meeting_builder;
using core = replica_core;
using steady = std::chrono::steady_clock;

template <typename T>
std::vector<T> actions_of(const std::vector<core::action>& actions) {
  std::vector<T> found;
  for (const auto& action : actions)
    if (const auto* a = std::get_if<T>(&action)) found.push_back(*a);
  return found;
}

v1::Command new_poll(int64_t deadline_ms = 0) {
  auto command = domain::testing::create_poll(v1::POLL_KIND_YES_NO_ABSTAIN, v1::POLL_SECRECY_NAMED,
                                              v1::RESULTS_VISIBILITY_AFTER_CLOSE);
  if (deadline_ms != 0) command.mutable_create_poll()->set_deadline_ms(deadline_ms);
  return command;
}

domain::presence_change opened(const std::string& id, const std::string& connection_id) {
  domain::presence_change change;
  change.opened = true;
  change.who.set_id(id);
  change.who.set_display_name(id);
  change.who.set_role(v1::ROLE_PARTICIPANT);
  change.who.set_attendance(v1::ATTENDANCE_REMOTE);
  change.connection_id = connection_id;
  return change;
}

class replica_core_test : public ::testing::Test {
 protected:
  static replica_config make_config() {
    replica_config config;
    config.instance_id = "i1";
    config.signing_secret = "a signing secret for the replica core test";
    config.resume_window_events = 5;
    config.presence_interval = 200ms;
    config.presence_retry = 1000ms;
    return config;
  }

  replica_core_test() {
    core_.reset(meeting_.state, 7);
    (void)core_.take_actions();
  }

  // The commit loop as the shell runs it, with the append answered by `failure` (null: ok).
  std::vector<core::action> commit_one_batch(const domain::rejection* failure,
                                             size_t* batch_size = nullptr) {
    return commit_one_batch_of(core_, failure, batch_size);
  }
  std::vector<core::action> commit_one_batch_of(core& c, const domain::rejection* failure,
                                                size_t* batch_size = nullptr) {
    auto batch = c.take_batch(t0_);
    if (batch_size) *batch_size = batch.size();
    auto decided = c.decide_batch(batch, meeting_.now_ms);
    EXPECT_TRUE(c.take_actions().empty()) << "nothing is answered before the append";
    if (!failure) c.apply(decided.events);
    c.finish_batch(std::move(batch), decided, failure, t0_);
    return c.take_actions();
  }

  replica_config config_ = make_config();
  app_metrics metrics_;
  meeting_builder meeting_ = meeting_builder::live_with_item();
  core core_{"m1", config_, metrics_};
  steady::time_point t0_ = steady::time_point{} + 1h;
};

TEST_F(replica_core_test, commands_queued_together_become_one_append_answered_after_it) {
  const uint64_t base = core_.state().seq();
  for (uint64_t request = 1; request <= 3; ++request)
    core_.submit(nullptr, domain::testing::chair_id, v1::ROLE_MODERATOR, request, new_poll(), t0_);
  const auto kicked = core_.take_actions();
  ASSERT_EQ(kicked.size(), 1U);  // one commit loop, started by the first command
  EXPECT_TRUE(std::holds_alternative<core::start_commit>(kicked[0]));

  auto batch = core_.take_batch(t0_);
  ASSERT_EQ(batch.size(), 3U);
  EXPECT_FALSE(core_.has_work());
  auto decided = core_.decide_batch(batch, meeting_.now_ms);
  EXPECT_EQ(decided.base_seq, base);
  ASSERT_EQ(decided.events.size(), 3U);
  EXPECT_EQ(decided.events[2].seq(), base + 3);
  EXPECT_TRUE(core_.take_actions().empty());  // no answer before the append

  core_.apply(decided.events);
  core_.finish_batch(std::move(batch), decided, nullptr, t0_);
  const auto actions = core_.take_actions();
  const auto sent = actions_of<core::broadcast>(actions);
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].events.size(), 3U);
  const auto answers = actions_of<core::answer>(actions);
  ASSERT_EQ(answers.size(), 3U);
  for (uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(answers[i].request_id, i + 1);
    EXPECT_FALSE(answers[i].error);
    EXPECT_EQ(answers[i].seq, base + i + 1);
  }
  EXPECT_EQ(core_.state().seq(), base + 3);
  EXPECT_EQ(core_.state().polls_size(), 3);
}

TEST_F(replica_core_test, a_failed_append_answers_every_waiting_command_with_its_error) {
  const uint64_t base = core_.state().seq();
  for (uint64_t request = 1; request <= 3; ++request)
    core_.submit(nullptr, domain::testing::chair_id, v1::ROLE_MODERATOR, request, new_poll(), t0_);
  (void)core_.take_actions();
  const domain::rejection failure{v1::ERROR_CODE_UNAVAILABLE, "the event store is unavailable"};
  const auto answers = actions_of<core::answer>(commit_one_batch(&failure));
  ASSERT_EQ(answers.size(), 3U);
  for (const auto& answer : answers) {
    ASSERT_TRUE(answer.error);
    EXPECT_EQ(answer.error->code, v1::ERROR_CODE_UNAVAILABLE);
    EXPECT_EQ(answer.seq, 0U);
  }
  EXPECT_EQ(core_.state().seq(), base);
  EXPECT_EQ(metrics_.commands_rejected.load(), 3U);
}

TEST_F(replica_core_test, a_refused_command_in_a_batch_does_not_stop_the_others) {
  v1::Command bad;
  bad.mutable_open_poll()->set_poll_id("no-such-poll");
  core_.submit(nullptr, domain::testing::chair_id, v1::ROLE_MODERATOR, 1, new_poll(), t0_);
  core_.submit(nullptr, domain::testing::chair_id, v1::ROLE_MODERATOR, 2, bad, t0_);
  core_.submit(nullptr, domain::testing::chair_id, v1::ROLE_MODERATOR, 3, new_poll(), t0_);
  (void)core_.take_actions();
  const auto answers = actions_of<core::answer>(commit_one_batch(nullptr));
  ASSERT_EQ(answers.size(), 3U);
  EXPECT_FALSE(answers[0].error);
  ASSERT_TRUE(answers[1].error);
  EXPECT_FALSE(answers[2].error);
  EXPECT_EQ(answers[2].seq, answers[0].seq + 1);
}

TEST_F(replica_core_test, a_system_command_is_answered_by_ticket) {
  // The system may not create a poll: the refusal goes to whoever awaits the ticket.
  core_.submit_system(new_poll(), 42);
  EXPECT_EQ(actions_of<core::start_commit>(core_.take_actions()).size(), 1U);
  auto answered = actions_of<core::answer_system>(commit_one_batch(nullptr));
  ASSERT_EQ(answered.size(), 1U);
  EXPECT_EQ(answered[0].ticket, 42U);
  const auto* refused = std::get_if<domain::rejection>(&answered[0].outcome);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->code, v1::ERROR_CODE_PERMISSION_DENIED);
  EXPECT_TRUE(actions_of<core::answer>(core_.take_actions()).empty());
}

class replica_core_window : public replica_core_test {
 protected:
  // Eight events applied one batch at a time, as they come from the log.
  void apply_eight() {
    base_ = core_.state().seq();
    for (int i = 0; i < 8; ++i) core_.apply(meeting_.run(new_poll()));
    (void)core_.take_actions();
    ASSERT_EQ(core_.state().seq(), base_ + 8);
  }
  v1::Resume resume(uint64_t seq, uint64_t epoch = 7) {
    v1::Resume r;
    r.set_epoch(epoch);
    r.set_seq(seq);
    return r;
  }
  uint64_t base_ = 0;
};

TEST_F(replica_core_window, a_client_resuming_from_s_gets_exactly_s_plus_one_onwards) {
  apply_eight();
  const auto replay = core_.replay_for(resume(base_ + 5), domain::audience::participant);
  ASSERT_TRUE(replay);
  ASSERT_EQ(replay->events_size(), 3);
  EXPECT_EQ(replay->events(0).seq(), base_ + 6);
  EXPECT_EQ(replay->events(2).seq(), base_ + 8);
  // Up to date: an empty replay, not a snapshot.
  const auto nothing = core_.replay_for(resume(base_ + 8), domain::audience::participant);
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->events_size(), 0);
}

TEST_F(replica_core_window, too_old_another_epoch_or_ahead_gets_the_full_state) {
  apply_eight();
  // The window keeps the last 5 (base+4 … base+8): resuming from base+3 still works, base+2 not.
  EXPECT_TRUE(core_.replay_for(resume(base_ + 3), domain::audience::participant));
  EXPECT_FALSE(core_.replay_for(resume(base_ + 2), domain::audience::participant));
  EXPECT_FALSE(core_.replay_for(resume(base_ + 5, 6), domain::audience::participant));
  EXPECT_FALSE(core_.replay_for(resume(base_ + 9), domain::audience::participant));
}

TEST_F(replica_core_window, a_replay_larger_than_the_limit_becomes_a_snapshot) {
  apply_eight();
  config_.max_replay_bytes = 10;
  EXPECT_FALSE(core_.replay_for(resume(base_ + 5), domain::audience::participant));
  EXPECT_EQ(metrics_.replays_as_snapshot.load(), 1U);
}

TEST_F(replica_core_window, duplicates_are_skipped_and_a_gap_asks_for_a_catch_up) {
  auto first = meeting_.run(new_poll());
  auto second = meeting_.run(new_poll());
  auto third = meeting_.run(new_poll());
  core_.apply(second);  // first is missing
  auto actions = core_.take_actions();
  EXPECT_TRUE(actions_of<core::broadcast>(actions).empty());
  EXPECT_EQ(actions_of<core::start_catch_up>(actions).size(), 1U);
  // The catch-up reads from the log: the events before and after, with one already applied.
  core_.apply(first);
  core_.apply(first);
  std::vector<v1::Event> rest = second;
  rest.insert(rest.end(), third.begin(), third.end());
  core_.apply(rest);
  actions = core_.take_actions();
  const auto sent = actions_of<core::broadcast>(actions);
  ASSERT_EQ(sent.size(), 2U);  // first once, then second and third; the duplicate sends nothing
  EXPECT_EQ(sent[1].events.size(), 2U);
  EXPECT_TRUE(actions_of<core::start_catch_up>(actions).empty());
  EXPECT_EQ(core_.state().seq(), third.back().seq());
}

TEST_F(replica_core_test, a_deadline_fires_at_exactly_its_time_and_not_before) {
  const int64_t deadline = meeting_.now_ms + 60'000;
  const std::string poll_id = meeting_.next_fresh_id();
  core_.apply(meeting_.run(new_poll(deadline)));
  EXPECT_TRUE(actions_of<core::schedule_deadline>(core_.take_actions()).empty());  // a draft has none
  core_.apply(meeting_.run(domain::testing::open_poll(poll_id)));
  auto scheduled = actions_of<core::schedule_deadline>(core_.take_actions());
  ASSERT_EQ(scheduled.size(), 1U);
  EXPECT_EQ(scheduled[0].unix_ms, deadline);

  // Woken a millisecond early: nothing is proposed, the same wake-up is asked for again.
  core_.on_deadline(deadline, deadline - 1);
  auto actions = core_.take_actions();
  EXPECT_TRUE(actions_of<core::start_commit>(actions).empty());
  EXPECT_FALSE(core_.has_work());
  scheduled = actions_of<core::schedule_deadline>(actions);
  ASSERT_EQ(scheduled.size(), 1U);
  EXPECT_EQ(scheduled[0].unix_ms, deadline);

  // At the deadline: the close is proposed as a system command and committed.
  core_.on_deadline(deadline, deadline);
  EXPECT_EQ(actions_of<core::start_commit>(core_.take_actions()).size(), 1U);
  auto batch = core_.take_batch(t0_);
  ASSERT_EQ(batch.size(), 1U);
  EXPECT_EQ(batch[0].what, core::pending_change::kind::system_command);
  EXPECT_EQ(batch[0].command.close_poll().poll_id(), poll_id);
  auto decided = core_.decide_batch(batch, deadline);
  ASSERT_EQ(decided.events.size(), 1U);
  EXPECT_TRUE(decided.events[0].poll_closed().by_deadline());
  core_.apply(decided.events);
  core_.finish_batch(std::move(batch), decided, nullptr, t0_);
  // No deadline left: the wake-up that fired is not asked for again.
  EXPECT_TRUE(actions_of<core::schedule_deadline>(core_.take_actions()).empty());
  EXPECT_FALSE(core_.has_work());
}

TEST_F(replica_core_test, a_superseded_deadline_wake_up_does_nothing) {
  const int64_t deadline = meeting_.now_ms + 60'000;
  const std::string poll_id = meeting_.next_fresh_id();
  core_.apply(meeting_.run(new_poll(deadline)));
  core_.apply(meeting_.run(domain::testing::open_poll(poll_id)));
  (void)core_.take_actions();
  core_.on_deadline(deadline - 5'000, deadline);  // an older wake-up than the one armed
  EXPECT_TRUE(core_.take_actions().empty());
  EXPECT_FALSE(core_.has_work());
}

TEST_F(replica_core_test, presence_is_flushed_at_once_then_at_most_once_per_interval) {
  // A lone join after a quiet interval: flushed now.
  core_.connection_opened(opened("amina", "i1-1"), t0_);
  auto scheduled = actions_of<core::schedule_presence>(core_.take_actions());
  ASSERT_EQ(scheduled.size(), 1U);
  EXPECT_EQ(scheduled[0].at, t0_);
  EXPECT_FALSE(core_.has_work());  // not before its wake-up
  core_.on_presence_due();
  EXPECT_EQ(actions_of<core::start_commit>(core_.take_actions()).size(), 1U);
  size_t batch_size = 0;
  auto actions = commit_one_batch(nullptr, &batch_size);
  EXPECT_EQ(batch_size, 1U);
  ASSERT_EQ(actions_of<core::broadcast>(actions).size(), 1U);
  core_.commit_stopped();
  const uint64_t after_first = core_.state().seq();

  // A storm within the interval: one wake-up, at the interval's end, for all of them.
  core_.connection_opened(opened("omar", "i1-2"), t0_ + 50ms);
  core_.connection_opened(opened("sara", "i1-3"), t0_ + 60ms);
  core_.audience_joined(v1::ROLE_OBSERVER, t0_ + 70ms);
  scheduled = actions_of<core::schedule_presence>(core_.take_actions());
  ASSERT_EQ(scheduled.size(), 1U);
  EXPECT_EQ(scheduled[0].at, t0_ + 200ms);
  EXPECT_FALSE(core_.has_work());
  core_.on_presence_due();
  (void)core_.take_actions();
  auto batch = core_.take_batch(t0_ + 200ms);
  ASSERT_EQ(batch.size(), 1U);
  EXPECT_EQ(batch[0].presence.size(), 2U);
  auto decided = core_.decide_batch(batch, meeting_.now_ms);
  ASSERT_EQ(decided.events.size(), 1U);  // one PresenceChanged for the three
  core_.apply(decided.events);
  core_.finish_batch(std::move(batch), decided, nullptr, t0_ + 200ms);
  EXPECT_EQ(core_.state().seq(), after_first + 1);
  EXPECT_EQ(core_.own_audience().observers(), 1U);
  EXPECT_FALSE(core_.presence_waiting());
}

TEST_F(replica_core_test, a_large_audience_stretches_the_presence_interval) {
  // A flush at t0 with `observers` connected here and `elsewhere` counted on another instance,
  // then amina joins: when is her change due?
  const auto next_due_after_flush_with = [this](size_t observers, uint32_t elsewhere = 0) {
    replica_core fresh{"m1", config_, metrics_};
    auto state = meeting_.state;
    if (elsewhere > 0) {
      auto* other = state.add_audience();
      other->set_instance_id("i2");
      other->set_observers(elsewhere);
    }
    fresh.reset(state, 7);
    for (size_t i = 0; i < observers; ++i) fresh.audience_joined(v1::ROLE_OBSERVER, t0_);
    (void)fresh.take_actions();
    fresh.on_presence_due();
    (void)fresh.take_actions();
    (void)commit_one_batch_of(fresh, nullptr);
    fresh.commit_stopped();
    fresh.connection_opened(opened("amina", "i1-1"), t0_ + 10ms);
    auto scheduled = actions_of<core::schedule_presence>(fresh.take_actions());
    EXPECT_EQ(scheduled.size(), 1U);
    return scheduled.empty() ? t0_ : scheduled[0].at;
  };
  // Below presence_connections_per_interval connections (amina's counted): as configured.
  EXPECT_EQ(next_due_after_flush_with(1), t0_ + 200ms);
  EXPECT_EQ(next_due_after_flush_with(998), t0_ + 200ms);
  // One interval more for each further step: presence deliveries per second stay bounded.
  EXPECT_EQ(next_due_after_flush_with(999), t0_ + 400ms);
  EXPECT_EQ(next_due_after_flush_with(2500), t0_ + 600ms);
  // The audience other instances count receives it too.
  EXPECT_EQ(next_due_after_flush_with(499, 2000), t0_ + 600ms);
  // At most max_presence_interval_factor intervals.
  EXPECT_EQ(next_due_after_flush_with(25000), t0_ + 2000ms);
  // Never stretched beyond max_stretched_presence_interval; a longer configured interval stays.
  config_.presence_interval = 700ms;
  EXPECT_EQ(next_due_after_flush_with(1500), t0_ + 1400ms);
  EXPECT_EQ(next_due_after_flush_with(5000), t0_ + 2000ms);
  config_.presence_interval = 3000ms;
  EXPECT_EQ(next_due_after_flush_with(5000), t0_ + 3000ms);
}

TEST_F(replica_core_test, a_drain_flushes_waiting_presence_without_waiting_for_the_interval) {
  core_.connection_opened(opened("amina", "i1-1"), t0_);
  (void)core_.take_actions();
  core_.on_presence_due();
  (void)core_.take_actions();
  (void)commit_one_batch(nullptr);
  core_.commit_stopped();
  // Her leave would wait for the interval; the drain wants it in the log now.
  domain::presence_change left = opened("amina", "i1-1");
  left.opened = false;
  core_.connection_closed(left, t0_ + 10ms);
  EXPECT_TRUE(actions_of<core::start_commit>(core_.take_actions()).empty());
  core_.flush_presence_now();
  EXPECT_EQ(actions_of<core::start_commit>(core_.take_actions()).size(), 1U);
  const auto batch = core_.take_batch(t0_ + 10ms);
  ASSERT_EQ(batch.size(), 1U);
  EXPECT_EQ(batch[0].what, core::pending_change::kind::presence);
  // Nothing waiting: nothing to do.
  replica_core idle{"m1", config_, metrics_};
  idle.reset(meeting_.state, 7);
  (void)idle.take_actions();
  idle.flush_presence_now();
  EXPECT_TRUE(idle.take_actions().empty());
}

TEST_F(replica_core_test, presence_waiting_goes_with_the_next_command_at_once) {
  core_.connection_opened(opened("amina", "i1-1"), t0_);
  core_.on_presence_due();
  (void)core_.take_actions();
  (void)commit_one_batch(nullptr);
  core_.commit_stopped();
  // Within the interval: the join waits, but the joiner's command takes it along now.
  core_.connection_opened(opened("omar", "i1-2"), t0_ + 10ms);
  core_.submit(nullptr, domain::testing::chair_id, v1::ROLE_MODERATOR, 9, new_poll(), t0_ + 10ms);
  (void)core_.take_actions();
  auto batch = core_.take_batch(t0_ + 10ms);
  ASSERT_EQ(batch.size(), 2U);
  EXPECT_EQ(batch[0].what, core::pending_change::kind::presence);
  EXPECT_EQ(batch[1].what, core::pending_change::kind::command);
}

TEST_F(replica_core_test, presence_that_did_not_commit_is_retried_after_presence_retry) {
  core_.connection_opened(opened("amina", "i1-1"), t0_);
  core_.on_presence_due();
  (void)core_.take_actions();
  const domain::rejection failure{v1::ERROR_CODE_UNAVAILABLE, "down"};
  const auto scheduled = actions_of<core::schedule_presence>(commit_one_batch(&failure));
  ASSERT_EQ(scheduled.size(), 1U);
  EXPECT_EQ(scheduled[0].at, t0_ + 1000ms);
  EXPECT_TRUE(core_.presence_waiting());
  core_.commit_stopped();
  core_.on_presence_due();
  EXPECT_EQ(actions_of<core::start_commit>(core_.take_actions()).size(), 1U);
  auto batch = core_.take_batch(t0_ + 1000ms);
  ASSERT_EQ(batch.size(), 1U);
  EXPECT_EQ(batch[0].presence.size(), 1U);
  EXPECT_EQ(batch[0].presence[0].who.id(), "amina");
}

TEST_F(replica_core_test, wrong_check_in_codes_are_braked_per_participant) {
  meeting_.join("amina", "Amina");
  core_.reset(meeting_.state);
  v1::Command check_in;
  check_in.mutable_check_in()->set_code("000000");
  int throttled = 0;
  for (uint64_t request = 1; request <= 8; ++request) {
    core_.submit(nullptr, "amina", v1::ROLE_PARTICIPANT, request, check_in, t0_);
    for (const auto& answer : actions_of<core::answer>(core_.take_actions())) {
      ASSERT_TRUE(answer.error);
      EXPECT_EQ(answer.error->code, v1::ERROR_CODE_RESOURCE_EXHAUSTED);
      ++throttled;
    }
  }
  EXPECT_EQ(throttled, 8 - check_in_guard::max_wrong);
}

}  // namespace
}  // namespace majlis::app

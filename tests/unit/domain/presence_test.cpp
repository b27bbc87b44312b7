// Presence in bulk: a storm of joins and leaves decided as one PresenceChanged, and the audience
// (observers, displays) counted per instance instead of listed.
#include <gtest/gtest.h>

#include <random>

#include "limits.hpp"
#include "projection.hpp"
#include "meeting_builder.hpp"
#include "roster.hpp"
#include "state_lookup.hpp"

namespace majlis::domain::testing {
namespace {

presence_change opened(const std::string& id, const std::string& connection_id,
                       v1::Role role = v1::ROLE_PARTICIPANT) {
  presence_change change;
  change.opened = true;
  change.who.set_id(id);
  change.who.set_display_name("Person " + id);
  change.who.set_role(role);
  change.who.set_attendance(v1::ATTENDANCE_REMOTE);
  change.connection_id = connection_id;
  return change;
}

presence_change closed(const std::string& id, const std::string& connection_id) {
  presence_change change;
  change.opened = false;
  change.who.set_id(id);
  change.connection_id = connection_id;
  return change;
}

v1::AudienceCount counts(const std::string& instance, uint32_t observers, uint32_t displays) {
  v1::AudienceCount count;
  count.set_instance_id(instance);
  count.set_observers(observers);
  count.set_displays(displays);
  return count;
}

TEST(domain_presence, a_storm_of_distinct_joins_is_one_event) {
  meeting_builder m;
  std::vector<presence_change> changes;
  for (int i = 0; i < 3000; ++i)
    changes.push_back(opened("p" + std::to_string(i), "i1-" + std::to_string(i)));
  auto event = presence_changed(m.state, changes, {}, "i1", m.now_ms);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->presence_changed().added_size(), 3000);
  EXPECT_EQ(event->presence_changed().opened_size(), 3000);
  EXPECT_EQ(event->presence_changed().added(0).admission(), v1::ADMISSION_STATUS_ADMITTED);
  EXPECT_TRUE(event->presence_changed().added(0).group_verified());
  EXPECT_EQ(event->presence_changed().opened(0).instance_id(), "i1");
  m.apply(*event);
  EXPECT_EQ(m.state.participants_size(), 3001);  // the chair too
  EXPECT_TRUE(m.participant("p0").online());
  EXPECT_TRUE(m.participant("p2999").online());
  EXPECT_EQ(m.participant("p2999").connection_ids(0), "i1-2999");
  // The same joins again change nothing.
  EXPECT_FALSE(presence_changed(m.state, changes, {}, "i1", m.now_ms).has_value());
}

TEST(domain_presence, changes_are_decided_in_order_within_the_batch) {
  meeting_builder m;
  const std::vector<presence_change> changes = {
      opened("amina", "c1"), opened("amina", "c2"), opened("amina", "c1"),  // c1 twice: once
      closed("amina", "c1"), closed("amina", "c1"),                         // closed once
      closed("ghost", "c9"),                                                // unknown: nothing
      opened("omar", "c3"), closed("omar", "c3"),                           // in and out again
  };
  auto event = presence_changed(m.state, changes, {}, "i1", m.now_ms);
  ASSERT_TRUE(event.has_value());
  const auto& presence = event->presence_changed();
  EXPECT_EQ(presence.added_size(), 2);
  EXPECT_EQ(presence.opened_size(), 3);
  EXPECT_EQ(presence.closed_size(), 2);
  m.apply(*event);
  EXPECT_EQ(m.participant("amina").connection_count(), 1U);
  EXPECT_EQ(m.participant("amina").connection_ids(0), "c2");
  EXPECT_FALSE(m.participant("omar").online());
  EXPECT_EQ(find_participant(m.state, "ghost"), nullptr);
}

TEST(domain_presence, the_same_as_deciding_each_change_alone) {
  // A random walk of joins and leaves: one PresenceChanged for all of it reaches the state the
  // old one-event-per-change path reaches.
  std::mt19937 random(2026);
  meeting_builder one_by_one, together;
  std::vector<presence_change> changes;
  std::vector<std::pair<std::string, std::string>> open;  // id, connection
  for (int step = 0; step < 400; ++step) {
    const bool leave = !open.empty() && random() % 3 == 0;
    presence_change change;
    if (leave) {
      const auto at = random() % open.size();
      change = closed(open[at].first, open[at].second);
      open.erase(open.begin() + static_cast<long>(at));
    } else {
      change = opened("p" + std::to_string(random() % 40), "c" + std::to_string(step));
      open.emplace_back(change.who.id(), change.connection_id);
    }
    changes.push_back(change);
    if (change.opened) {
      one_by_one.apply(connection_opened(one_by_one.state, change.who, change.connection_id,
                                         "i1", one_by_one.now_ms));
    } else {
      one_by_one.apply(connection_closed(one_by_one.state, change.who.id(),
                                         change.connection_id, "i1", one_by_one.now_ms));
    }
  }
  auto event = presence_changed(together.state, changes, {}, "i1", together.now_ms);
  ASSERT_TRUE(event.has_value());
  together.apply(*event);
  ASSERT_EQ(together.state.participants_size(), one_by_one.state.participants_size());
  for (int i = 0; i < together.state.participants_size(); ++i) {
    EXPECT_EQ(together.state.participants(i).DebugString(),
              one_by_one.state.participants(i).DebugString());
  }
}

TEST(domain_presence, roster_limits_hold_within_a_batch) {
  meeting_builder m;
  std::vector<presence_change> changes;
  for (std::size_t i = 0; i < limits::max_participants + 10; ++i)
    changes.push_back(opened("p" + std::to_string(i), "c" + std::to_string(i)));
  for (std::size_t i = 0; i < limits::max_roster_connections + 5; ++i)
    changes.push_back(opened("p0", "extra" + std::to_string(i)));
  auto event = presence_changed(m.state, changes, {}, "i1", m.now_ms);
  ASSERT_TRUE(event.has_value());
  m.apply(*event);
  EXPECT_EQ(static_cast<std::size_t>(m.state.participants_size()), limits::max_participants);
  EXPECT_EQ(m.participant("p0").connection_count(), limits::max_roster_connections);
}

TEST(domain_presence, someone_removed_is_not_put_online) {
  meeting_builder m;
  m.join("amina", "Amina");
  v1::Command remove;
  remove.mutable_remove_participant()->set_participant_id("amina");
  m.run(remove);
  m.leave("amina");
  EXPECT_FALSE(presence_changed(m.state, {opened("amina", "c7")}, {}, "i1", m.now_ms));
  EXPECT_FALSE(m.participant("amina").online());
}

TEST(domain_presence, the_audience_is_counted_per_instance) {
  meeting_builder m;
  EXPECT_TRUE(counted_in_audience(v1::ROLE_OBSERVER));
  EXPECT_TRUE(counted_in_audience(v1::ROLE_DISPLAY));
  EXPECT_TRUE(counted_in_audience(v1::ROLE_UNSPECIFIED));
  EXPECT_FALSE(counted_in_audience(v1::ROLE_PARTICIPANT));
  EXPECT_FALSE(counted_in_audience(v1::ROLE_MODERATOR));

  const int roster = m.state.participants_size();
  auto event = presence_changed(m.state, {}, {counts("i1", 9000, 2)}, "i1", m.now_ms);
  ASSERT_TRUE(event.has_value());
  m.apply(*event);
  m.apply(*presence_changed(m.state, {}, {counts("i2", 1000, 0)}, "i2", m.now_ms));
  EXPECT_EQ(audience_online(m.state), 10002U);
  EXPECT_EQ(m.state.participants_size(), roster);  // nobody listed
  // Unchanged counts: no event.
  EXPECT_FALSE(presence_changed(m.state, {}, {counts("i1", 9000, 2)}, "i1", m.now_ms));
  // A count replaces the instance's entry; zero removes it.
  m.apply(*presence_changed(m.state, {}, {counts("i1", 10, 1)}, "i1", m.now_ms));
  EXPECT_EQ(audience_online(m.state), 1011U);
  m.apply(*presence_changed(m.state, {}, {counts("i2", 0, 0)}, "i1", m.now_ms));
  ASSERT_EQ(m.state.audience_size(), 1);
  EXPECT_EQ(m.state.audience(0).instance_id(), "i1");
  EXPECT_EQ(audience_online(m.state), 11U);
  // An instance not in the state with nothing to count: no event.
  EXPECT_FALSE(presence_changed(m.state, {}, {counts("i3", 0, 0)}, "i1", m.now_ms));
}

TEST(domain_presence, every_audience_sees_the_event_whole) {
  meeting_builder m;
  auto event = presence_changed(m.state, {opened("amina", "c1")}, {counts("i1", 3, 1)}, "i1",
                                m.now_ms);
  ASSERT_TRUE(event.has_value());
  m.apply(*event);
  for (auto who : {audience::moderator, audience::participant, audience::public_view,
                   audience::display}) {
    v1::Event out;
    EXPECT_TRUE(project_event(m.state, m.log.back(), who, out));
    EXPECT_EQ(out.presence_changed().audience_size(), 1);
    EXPECT_EQ(out.presence_changed().opened_size(), 1);
    EXPECT_EQ(project_state(m.state, who, "").audience_size(), 1);
  }
}

}  // namespace
}  // namespace majlis::domain::testing

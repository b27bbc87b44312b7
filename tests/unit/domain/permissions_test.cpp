// The permission table, every Command case against every kind of actor.
#include "permissions.hpp"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "meeting_builder.hpp"

namespace majlis::domain::testing {
namespace {

enum class who { chair, participant, display, observer, unknown_role, system };

// Written out again here, independently of permissions.cpp, so a change to either shows.
const std::map<std::string, std::set<who>>& expected_table() {
  static const std::set<who> chair_only = {who::chair};
  static const std::set<who> anyone = {who::chair, who::participant};
  static const std::map<std::string, std::set<who>> table = {
      {"start_meeting", chair_only},
      {"end_meeting", chair_only},
      {"update_meeting", chair_only},
      {"set_queue_policy", chair_only},
      {"set_default_speaking_time", chair_only},
      {"add_walk_in", chair_only},
      {"update_participant", anyone},
      {"verify_participant", chair_only},
      {"answer_participant_request", chair_only},
      {"set_check_in", chair_only},
      {"check_in", anyone},
      {"rotate_check_in_code", {who::system}},
      {"add_agenda_item", chair_only},
      {"update_agenda_item", chair_only},
      {"move_agenda_item", chair_only},
      {"remove_agenda_item", chair_only},
      {"start_agenda_item", chair_only},
      {"close_agenda_item", chair_only},
      {"reopen_agenda_item", chair_only},
      {"record_decision", chair_only},
      {"record_action_item", chair_only},
      {"request_floor", anyone},
      {"withdraw_request", anyone},
      {"move_request", chair_only},
      {"set_list_closed", chair_only},
      {"next_speaker", chair_only},
      {"grant_floor", chair_only},
      {"pause_floor", chair_only},
      {"resume_floor", chair_only},
      {"end_turn", anyone},
      {"set_turn_time_limit", chair_only},
      {"create_poll", chair_only},
      {"open_poll", chair_only},
      {"close_poll", {who::chair, who::system}},
      {"publish_poll", chair_only},
      {"delete_poll", chair_only},
      {"cast_ballot", anyone},
      {"submit_contribution", anyone},
      {"upvote_contribution", anyone},
      {"mark_contribution", chair_only},
      {"show_contribution", chair_only},
      {"set_registration", chair_only},
      {"rotate_invite_code", chair_only},
      {"admit_participant", chair_only},
      {"remove_participant", chair_only},
      {"register_participant", {who::system}},
  };
  return table;
}

command_context context_of(who actor) {
  command_context context;
  context.now_ms = 1'700'000'000'000;
  context.fresh_id = "fresh";
  switch (actor) {
    case who::chair:
      context.actor_id = chair_id;
      context.role = v1::ROLE_MODERATOR;
      break;
    case who::participant:
      context.actor_id = "amina";
      context.role = v1::ROLE_PARTICIPANT;
      break;
    case who::display:
      context.actor_id = "screen";
      context.role = v1::ROLE_DISPLAY;
      break;
    case who::observer:
      context.actor_id = "press";
      context.role = v1::ROLE_OBSERVER;
      break;
    case who::unknown_role:
      context.actor_id = "someone";
      break;
    case who::system:
      break;
  }
  return context;
}

std::vector<const google::protobuf::FieldDescriptor*> command_cases() {
  std::vector<const google::protobuf::FieldDescriptor*> cases;
  const auto* oneof = v1::Command::descriptor()->FindOneofByName("kind");
  for (int i = 0; i < oneof->field_count(); ++i) cases.push_back(oneof->field(i));
  return cases;
}

v1::Command command_of(const google::protobuf::FieldDescriptor* field) {
  v1::Command command;
  command.GetReflection()->MutableMessage(&command, field);
  return command;
}

TEST(domain_permissions, the_table_has_one_row_per_command_case) {
  const auto cases = command_cases();
  EXPECT_EQ(permission_table().size(), cases.size());
  EXPECT_EQ(expected_table().size(), cases.size());
  std::set<int> seen;
  for (const auto& row : permission_table()) {
    EXPECT_TRUE(seen.insert(row.command).second) << row.name;
    EXPECT_FALSE(row.name.empty());
  }
  for (const auto* field : cases) {
    EXPECT_NE(find_permission(static_cast<v1::Command::KindCase>(field->number())), nullptr)
        << field->name();
  }
}

TEST(domain_permissions, every_case_against_every_actor) {
  const std::vector<who> actors = {who::chair,    who::participant,  who::display,
                                   who::observer, who::unknown_role, who::system};
  for (const auto* field : command_cases()) {
    const auto expected = expected_table().find(field->name());
    ASSERT_NE(expected, expected_table().end()) << field->name();
    const v1::Command command = command_of(field);
    for (who actor : actors) {
      const auto refused = check_permission(command, context_of(actor));
      const bool allowed = expected->second.contains(actor);
      EXPECT_EQ(!refused.has_value(), allowed)
          << field->name() << " by actor " << static_cast<int>(actor);
      if (refused) {
        EXPECT_EQ(refused->code, v1::ERROR_CODE_PERMISSION_DENIED) << field->name();
        EXPECT_FALSE(refused->message.empty());
      }
    }
  }
}

// decide() applies the same table: an allowed actor is never turned away for their role
// on an empty command, a disallowed one always is, whatever the state.
TEST(domain_permissions, decide_checks_the_table_first) {
  meeting_builder m = meeting_builder::live_with_item();
  m.join("amina", "Amina");
  m.join("screen", "Screen", v1::ROLE_DISPLAY);
  m.join("press", "Press", v1::ROLE_OBSERVER);
  for (const auto* field : command_cases()) {
    const auto& allowed = expected_table().at(field->name());
    for (who actor : {who::chair, who::participant, who::display, who::observer, who::system}) {
      const decision result = decide(m.state, command_of(field), context_of(actor));
      const auto* refused = std::get_if<rejection>(&result);
      const bool denied = refused != nullptr && refused->code == v1::ERROR_CODE_PERMISSION_DENIED;
      EXPECT_EQ(denied, !allowed.contains(actor))
          << field->name() << " by actor " << static_cast<int>(actor)
          << (refused ? ": " + refused->message : std::string());
    }
  }
}

TEST(domain_permissions, an_empty_command_is_invalid) {
  const auto refused = check_permission(v1::Command{}, context_of(who::chair));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->code, v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST(domain_permissions, messages_say_who_may) {
  v1::Command command;
  command.mutable_next_speaker();
  auto refused = check_permission(command, context_of(who::participant));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->message, "Only the chair can call the next speaker.");
  refused = check_permission(command, context_of(who::display));
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->message.find("read-only"), std::string::npos);
}

}  // namespace
}  // namespace majlis::domain::testing

#include "meeting_builder.hpp"

#include <gtest/gtest.h>

#include "state_lookup.hpp"

namespace majlis::domain::testing {

meeting_builder::meeting_builder() {
  apply(meeting_created("m-1", "Digital policy consultation", {"ar", "en"}, {}, now_ms));
  join(chair_id, "Chair", v1::ROLE_MODERATOR, "civil_society", v1::ATTENDANCE_IN_ROOM);
}

meeting_builder meeting_builder::live_with_item(const std::string& title) {
  meeting_builder m;
  m.start_meeting();
  const std::string id = m.add_item(title);
  m.start_item(id);
  return m;
}

command_context meeting_builder::context(const std::string& actor, v1::Role role) {
  command_context ctx;
  ctx.actor_id = actor;
  ctx.role = role;
  ctx.now_ms = now_ms;
  ctx.fresh_id = next_fresh_id();
  return ctx;
}

decision meeting_builder::decide(const v1::Command& command, const std::string& actor,
                                 v1::Role role) {
  return domain::decide(state, command, context(actor, role));
}

std::vector<v1::Event> meeting_builder::run(const v1::Command& command, const std::string& actor,
                                            v1::Role role) {
  decision result = decide(command, actor, role);
  if (auto* refused = std::get_if<rejection>(&result)) {
    ADD_FAILURE() << "refused (" << v1::ErrorCode_Name(refused->code) << "): " << refused->message
                  << "\ncommand: " << command.ShortDebugString();
    return {};
  }
  ++fresh_counter_;
  auto events = std::get<std::vector<v1::Event>>(std::move(result));
  apply(events);
  return events;
}

rejection meeting_builder::refuse(const v1::Command& command, const std::string& actor,
                                  v1::Role role) {
  decision result = decide(command, actor, role);
  if (auto* refused = std::get_if<rejection>(&result)) {
    EXPECT_FALSE(refused->message.empty());
    return *refused;
  }
  ADD_FAILURE() << "accepted, expected a refusal: " << command.ShortDebugString();
  return rejection{};
}

std::vector<v1::Event> meeting_builder::run_as_system(const v1::Command& command) {
  return run(command, "", v1::ROLE_UNSPECIFIED);
}

void meeting_builder::apply(std::vector<v1::Event>& events) {
  for (auto& event : events) {
    event.set_seq(state.seq() + 1);
    evolve(state, event);
    log.push_back(event);
  }
}

void meeting_builder::apply(v1::Event event) {
  std::vector<v1::Event> one{std::move(event)};
  apply(one);
}

std::string meeting_builder::join(const std::string& id, const std::string& name, v1::Role role,
                                  const std::string& group, v1::Attendance attendance) {
  v1::Participant who;
  who.set_id(id);
  who.set_display_name(name);
  who.set_role(role);
  who.set_stakeholder_group(group);
  who.set_attendance(attendance);
  auto events = connection_opened(state, who, "conn-" + std::to_string(connection_counter_++),
                                  "instance-a", now_ms);
  apply(events);
  return id;
}

void meeting_builder::leave(const std::string& id) {
  const v1::Participant* p = find_participant(state, id);
  if (p == nullptr || p->connection_ids().empty()) return;
  auto events = connection_closed(state, id, p->connection_ids(0), "instance-a", now_ms);
  apply(events);
}

std::string meeting_builder::walk_in(const std::string& name, const std::string& group) {
  v1::Command command;
  command.mutable_add_walk_in()->set_display_name(name);
  command.mutable_add_walk_in()->set_stakeholder_group(group);
  const std::string id = next_fresh_id();
  run(command);
  return id;
}

std::string meeting_builder::add_item(const std::string& title) {
  const std::string id = next_fresh_id();
  run(add_agenda_item(title));
  return id;
}

void meeting_builder::start_item(const std::string& item_id) {
  v1::Command command;
  command.mutable_start_agenda_item()->set_item_id(item_id);
  run(command);
}

void meeting_builder::start_meeting() {
  v1::Command command;
  command.mutable_start_meeting();
  run(command);
}

const v1::AgendaItem& meeting_builder::item(const std::string& id) const {
  const v1::AgendaItem* found = find_item(state, id);
  EXPECT_NE(found, nullptr) << id;
  return found != nullptr ? *found : v1::AgendaItem::default_instance();
}

const v1::AgendaItem& meeting_builder::current_item() const {
  return item(state.current_item_id());
}

const v1::Poll& meeting_builder::poll(const std::string& id) const {
  const v1::Poll* found = find_poll(state, id);
  EXPECT_NE(found, nullptr) << id;
  return found != nullptr ? *found : v1::Poll::default_instance();
}

const v1::Participant& meeting_builder::participant(const std::string& id) const {
  const v1::Participant* found = find_participant(state, id);
  EXPECT_NE(found, nullptr) << id;
  return found != nullptr ? *found : v1::Participant::default_instance();
}

std::vector<std::string> meeting_builder::waiting_ids() const {
  std::vector<std::string> ids;
  for (const auto& entry : current_item().speakers().waiting())
    ids.push_back(entry.participant_id());
  return ids;
}

std::vector<std::string> meeting_builder::waiting_reasons() const {
  std::vector<std::string> reasons;
  for (const auto& entry : current_item().speakers().waiting()) reasons.push_back(entry.reason());
  return reasons;
}

v1::Command request_floor(v1::RequestKind kind, const std::string& participant_id,
                          const std::string& item_id) {
  v1::Command command;
  auto& body = *command.mutable_request_floor();
  body.set_kind(kind);
  body.set_participant_id(participant_id);
  body.set_item_id(item_id);
  return command;
}

v1::Command next_speaker(int64_t time_limit_ms) {
  v1::Command command;
  command.mutable_next_speaker()->set_time_limit_ms(time_limit_ms);
  return command;
}

v1::Command grant_floor(const std::string& participant_id, int64_t time_limit_ms) {
  v1::Command command;
  command.mutable_grant_floor()->set_participant_id(participant_id);
  command.mutable_grant_floor()->set_time_limit_ms(time_limit_ms);
  return command;
}

v1::Command end_turn() {
  v1::Command command;
  command.mutable_end_turn();
  return command;
}

v1::Command set_policy(bool first_time_first, bool alternate_attendance, bool stakeholder_balance) {
  v1::Command command;
  auto& policy = *command.mutable_set_queue_policy()->mutable_policy();
  policy.set_first_time_first(first_time_first);
  policy.set_alternate_attendance(alternate_attendance);
  policy.set_stakeholder_balance(stakeholder_balance);
  return command;
}

v1::Command create_poll(v1::PollKind kind, v1::PollSecrecy secrecy,
                        v1::ResultsVisibility visibility, const std::vector<std::string>& options,
                        uint32_t min_choices, uint32_t max_choices) {
  v1::Command command;
  auto& body = *command.mutable_create_poll();
  body.set_question("Should the draft law be adopted?");
  body.set_kind(kind);
  body.set_secrecy(secrecy);
  body.set_visibility(visibility);
  for (const auto& option : options) body.add_options(option);
  body.set_min_choices(min_choices);
  body.set_max_choices(max_choices);
  return command;
}

v1::Command open_poll(const std::string& poll_id) {
  v1::Command command;
  command.mutable_open_poll()->set_poll_id(poll_id);
  return command;
}

v1::Command close_poll(const std::string& poll_id) {
  v1::Command command;
  command.mutable_close_poll()->set_poll_id(poll_id);
  return command;
}

v1::Command publish_poll(const std::string& poll_id) {
  v1::Command command;
  command.mutable_publish_poll()->set_poll_id(poll_id);
  return command;
}

v1::Command cast_ballot(const std::string& poll_id, const std::vector<uint32_t>& choices) {
  v1::Command command;
  command.mutable_cast_ballot()->set_poll_id(poll_id);
  for (uint32_t choice : choices) command.mutable_cast_ballot()->add_choices(choice);
  return command;
}

v1::Command submit(const std::string& text, const std::string& item_id) {
  v1::Command command;
  command.mutable_submit_contribution()->set_text(text);
  command.mutable_submit_contribution()->set_item_id(item_id);
  return command;
}

v1::Command upvote(const std::string& contribution_id) {
  v1::Command command;
  command.mutable_upvote_contribution()->set_contribution_id(contribution_id);
  return command;
}

v1::Command mark(const std::string& contribution_id, bool answered, bool hidden) {
  v1::Command command;
  auto& body = *command.mutable_mark_contribution();
  body.set_contribution_id(contribution_id);
  body.set_answered(answered);
  body.set_hidden(hidden);
  return command;
}

v1::Command add_agenda_item(const std::string& title, int32_t position) {
  v1::Command command;
  command.mutable_add_agenda_item()->set_title(title);
  command.mutable_add_agenda_item()->set_position(position);
  return command;
}

}  // namespace majlis::domain::testing

#include "polls.hpp"

#include <algorithm>
#include <set>
#include <string>

#include "agenda.hpp"
#include "decision_parts.hpp"
#include "limits.hpp"
#include "meeting_rules.hpp"
#include "roster.hpp"
#include "state_lookup.hpp"
#include "text_rules.hpp"

namespace majlis::domain {
namespace {

const v1::Poll* named_poll(const v1::MeetingState& state, const std::string& poll_id,
                           rejection& why) {
  const v1::Poll* poll = find_poll(state, poll_id);
  if (poll == nullptr) why = reject(v1::ERROR_CODE_NOT_FOUND, "No such poll.");
  return poll;
}

std::optional<rejection> check_options(const v1::CreatePoll& command) {
  const auto count = static_cast<std::size_t>(command.options_size());
  if (count < limits::min_poll_options) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "A poll needs at least two options.");
  }
  if (count > limits::max_poll_options) {
    return reject(
        v1::ERROR_CODE_RESOURCE_EXHAUSTED,
        "A poll can have at most " + std::to_string(limits::max_poll_options) + " options.");
  }
  for (const auto& option : command.options()) {
    if (auto bad = check_text(option, limits::max_option_chars, "Each option")) return bad;
  }
  if (command.kind() == v1::POLL_KIND_MULTIPLE) {
    if (command.min_choices() < 1 || command.min_choices() > command.max_choices() ||
        command.max_choices() > count) {
      return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                    "A multiple-choice poll needs 1 <= minimum <= maximum <= number of options.");
    }
  }
  return std::nullopt;
}

// Eligible roles as given, or participants and the chair when none are named.
std::optional<rejection> fill_eligible_roles(const v1::CreatePoll& command, v1::Poll& poll) {
  if (command.eligible_roles().empty()) {
    poll.add_eligible_roles(v1::ROLE_PARTICIPANT);
    poll.add_eligible_roles(v1::ROLE_MODERATOR);
    return std::nullopt;
  }
  std::set<int> seen;
  for (int role : command.eligible_roles()) {
    if (role != v1::ROLE_PARTICIPANT && role != v1::ROLE_MODERATOR) {
      return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                    "Only participants and the chair can vote; displays and observers cannot.");
    }
    if (seen.insert(role).second) poll.add_eligible_roles(static_cast<v1::Role>(role));
  }
  return std::nullopt;
}

std::optional<rejection> check_choices(const v1::Poll& poll, const v1::CastBallot& command) {
  const auto& choices = command.choices();
  const auto options = static_cast<uint32_t>(poll.options_size());
  for (uint32_t choice : choices) {
    if (choice >= options) return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "No such option.");
  }
  if (poll.kind() != v1::POLL_KIND_MULTIPLE) {
    if (choices.size() != 1) {
      return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "Choose exactly one option.");
    }
    return std::nullopt;
  }
  std::set<uint32_t> distinct(choices.begin(), choices.end());
  if (distinct.size() != static_cast<std::size_t>(choices.size())) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "An option was chosen twice.");
  }
  const auto count = static_cast<uint32_t>(choices.size());
  if (count < poll.min_choices() || count > poll.max_choices()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "Choose between " + std::to_string(poll.min_choices()) + " and " +
                      std::to_string(poll.max_choices()) + " options.");
  }
  return std::nullopt;
}

bool has_voted(const v1::Poll& poll, const std::string& voter_id) {
  return std::find(poll.voter_ids().begin(), poll.voter_ids().end(), voter_id) !=
         poll.voter_ids().end();
}

void add_to_tally(v1::Poll& poll, const google::protobuf::RepeatedField<uint32_t>& choices,
                  int sign) {
  auto& tally = *poll.mutable_tally();
  while (tally.size() < poll.options_size()) tally.Add(0);
  for (uint32_t choice : choices) {
    if (choice >= static_cast<uint32_t>(tally.size())) continue;
    const uint32_t count = tally.Get(static_cast<int>(choice));
    if (sign > 0) {
      tally.Set(static_cast<int>(choice), count + 1);
    } else if (count > 0) {
      tally.Set(static_cast<int>(choice), count - 1);
    }
  }
}

}  // namespace

const std::vector<std::string>& yes_no_abstain_options() {
  static const std::vector<std::string> options = {"yes", "no", "abstain"};
  return options;
}

bool is_eligible(const v1::Poll& poll, v1::Role role) {
  return std::find(poll.eligible_roles().begin(), poll.eligible_roles().end(), role) !=
         poll.eligible_roles().end();
}

uint32_t eligible_online(const v1::MeetingState& state, const v1::Poll& poll) {
  uint32_t count = 0;
  for (const auto& participant : state.participants()) {
    if (participant.online() && is_eligible(poll, participant.role())) ++count;
  }
  return count;
}

v1::Event poll_closed_event(const v1::MeetingState& state, const v1::Poll& poll,
                            const command_context& context, bool by_deadline) {
  v1::Event event = stamped_event(context);
  auto& closed = *event.mutable_poll_closed();
  closed.set_poll_id(poll.id());
  closed.set_eligible_online(eligible_online(state, poll));
  closed.set_by_deadline(by_deadline);
  if (poll.visibility() != v1::RESULTS_VISIBILITY_ON_PUBLISH) {
    *closed.mutable_tally() = poll.tally();
  }
  return event;
}

decision decide_create_poll(const v1::MeetingState& state, const v1::CreatePoll& command,
                            const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  if (auto bad = check_text(command.question(), limits::max_title_chars, "The question")) {
    return *bad;
  }
  if (command.kind() != v1::POLL_KIND_SINGLE && command.kind() != v1::POLL_KIND_MULTIPLE &&
      command.kind() != v1::POLL_KIND_YES_NO_ABSTAIN) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "Choose a poll kind: single, multiple or yes/no/abstain.");
  }
  if (!v1::PollSecrecy_IsValid(command.secrecy()) ||
      !v1::ResultsVisibility_IsValid(command.visibility())) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "Unknown secrecy or results visibility.");
  }
  // Unspecified secrecy is a named poll; unspecified visibility shows results after closing.
  const v1::PollSecrecy secrecy = command.secrecy() == v1::POLL_SECRECY_SECRET
                                      ? v1::POLL_SECRECY_SECRET
                                      : v1::POLL_SECRECY_NAMED;
  const v1::ResultsVisibility visibility =
      command.visibility() == v1::RESULTS_VISIBILITY_UNSPECIFIED
          ? v1::RESULTS_VISIBILITY_AFTER_CLOSE
          : command.visibility();
  if (secrecy == v1::POLL_SECRECY_SECRET && visibility == v1::RESULTS_VISIBILITY_LIVE) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT,
                  "A secret poll cannot show live results: watching the tally change after each "
                  "vote would reveal how each person voted. Show results after closing instead.");
  }
  if (command.kind() != v1::POLL_KIND_YES_NO_ABSTAIN) {
    if (auto bad = check_options(command)) return *bad;
  }
  if (command.deadline_ms() < 0) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "The deadline cannot be negative.");
  }
  rejection why;
  const v1::AgendaItem* item = nullptr;
  if (!command.item_id().empty()) {
    if ((item = resolve_item(state, command.item_id(), why)) == nullptr) return why;
  } else {
    item = find_item(state, state.current_item_id());  // none current: a poll of the meeting
  }
  if (static_cast<std::size_t>(state.polls_size()) >= limits::max_polls) {
    return reject(v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                  "This meeting has the maximum number of polls (" +
                      std::to_string(limits::max_polls) + ").");
  }
  if (context.fresh_id.empty()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "No id was supplied for the poll.");
  }
  if (find_poll(state, context.fresh_id) != nullptr) {
    return reject(v1::ERROR_CODE_ALREADY_EXISTS, "A poll with this id already exists.");
  }

  v1::Event event = stamped_event(context);
  v1::Poll& poll = *event.mutable_poll_created()->mutable_poll();
  if (auto bad = fill_eligible_roles(command, poll)) return *bad;
  poll.set_id(context.fresh_id);
  if (item != nullptr) poll.set_item_id(item->id());
  poll.set_question(command.question());
  poll.set_kind(command.kind());
  poll.set_secrecy(secrecy);
  poll.set_visibility(visibility);
  if (command.kind() == v1::POLL_KIND_YES_NO_ABSTAIN) {
    for (const auto& option : yes_no_abstain_options()) poll.add_options(option);
  } else {
    *poll.mutable_options() = command.options();
  }
  if (command.kind() == v1::POLL_KIND_MULTIPLE) {
    poll.set_min_choices(command.min_choices());
    poll.set_max_choices(command.max_choices());
  } else {
    poll.set_min_choices(1);
    poll.set_max_choices(1);
  }
  poll.set_status(v1::POLL_STATUS_DRAFT);
  poll.set_deadline_ms(command.deadline_ms());
  for (int i = 0; i < poll.options_size(); ++i) poll.add_tally(0);
  poll.set_tally_visible(visibility == v1::RESULTS_VISIBILITY_LIVE);
  return std::vector{event};
}

decision decide_open_poll(const v1::MeetingState& state, const v1::OpenPoll& command,
                          const command_context& context) {
  if (auto not_live = require_live(state, "Polls can be opened")) return *not_live;
  rejection why;
  const v1::Poll* poll = named_poll(state, command.poll_id(), why);
  if (poll == nullptr) return why;
  if (poll->status() != v1::POLL_STATUS_DRAFT) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This poll has already been opened.");
  }
  if (poll->deadline_ms() != 0 && poll->deadline_ms() <= context.now_ms) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The poll's deadline has already passed.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_poll_opened()->set_poll_id(poll->id());
  return std::vector{event};
}

decision decide_close_poll(const v1::MeetingState& state, const v1::ClosePoll& command,
                           const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::Poll* poll = named_poll(state, command.poll_id(), why);
  if (poll == nullptr) return why;
  if (poll->status() == v1::POLL_STATUS_CLOSED || poll->status() == v1::POLL_STATUS_PUBLISHED) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This poll is already closed.");
  }
  if (poll->status() != v1::POLL_STATUS_OPEN) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This poll is not open.");
  }
  const bool by_deadline = is_system(context);
  if (by_deadline && (poll->deadline_ms() == 0 || poll->deadline_ms() > context.now_ms)) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The poll's deadline has not passed.");
  }
  return std::vector{poll_closed_event(state, *poll, context, by_deadline)};
}

decision decide_publish_poll(const v1::MeetingState& state, const v1::PublishPoll& command,
                             const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::Poll* poll = named_poll(state, command.poll_id(), why);
  if (poll == nullptr) return why;
  if (poll->status() == v1::POLL_STATUS_PUBLISHED) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This poll is already published.");
  }
  if (poll->status() != v1::POLL_STATUS_CLOSED) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "Close the poll before publishing it.");
  }
  v1::Event event = stamped_event(context);
  auto& published = *event.mutable_poll_published();
  published.set_poll_id(poll->id());
  *published.mutable_tally() = poll->tally();
  if (poll->secrecy() == v1::POLL_SECRECY_NAMED) *published.mutable_ballots() = poll->ballots();
  return std::vector{event};
}

decision decide_delete_poll(const v1::MeetingState& state, const v1::DeletePoll& command,
                            const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  rejection why;
  const v1::Poll* poll = named_poll(state, command.poll_id(), why);
  if (poll == nullptr) return why;
  if (poll->status() != v1::POLL_STATUS_DRAFT) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "Only a draft poll can be deleted.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_poll_deleted()->set_poll_id(poll->id());
  return std::vector{event};
}

decision decide_cast_ballot(const v1::MeetingState& state, const v1::CastBallot& command,
                            const command_context& context) {
  if (auto not_live = require_live(state, "Voting is possible")) return *not_live;
  rejection why;
  const v1::Poll* poll = named_poll(state, command.poll_id(), why);
  if (poll == nullptr) return why;
  if (!is_eligible(*poll, context.role)) {
    return reject(v1::ERROR_CODE_PERMISSION_DENIED, "Your role cannot vote in this poll.");
  }
  if (auto missing = require_on_roster(state, context)) return *missing;
  if (poll->status() != v1::POLL_STATUS_OPEN) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "This poll is not open for voting.");
  }
  if (auto bad = check_choices(*poll, command)) return *bad;
  const bool again = has_voted(*poll, context.actor_id);
  if (again && poll->secrecy() == v1::POLL_SECRECY_SECRET) {
    return reject(v1::ERROR_CODE_ALREADY_EXISTS,
                  "You have already voted; a secret ballot cannot be changed.");
  }
  v1::Event event = stamped_event(context);
  auto& cast = *event.mutable_ballot_cast();
  cast.set_poll_id(poll->id());
  cast.set_voter_id(context.actor_id);
  *cast.mutable_choices() = command.choices();
  cast.set_replaces_previous(again);
  return std::vector{event};
}

void apply_poll_created(v1::MeetingState& state, const v1::Event& event) {
  const auto& poll = event.poll_created().poll();
  if (poll.id().empty() || find_poll(state, poll.id()) != nullptr) return;
  *state.add_polls() = poll;
}

void apply_poll_opened(v1::MeetingState& state, const v1::Event& event) {
  v1::Poll* poll = find_by_id(*state.mutable_polls(), event.poll_opened().poll_id());
  if (poll == nullptr || poll->status() != v1::POLL_STATUS_DRAFT) return;
  poll->set_status(v1::POLL_STATUS_OPEN);
  poll->set_opened_at_ms(event.at_ms());
}

void apply_poll_closed(v1::MeetingState& state, const v1::Event& event) {
  const auto& closed = event.poll_closed();
  v1::Poll* poll = find_by_id(*state.mutable_polls(), closed.poll_id());
  if (poll == nullptr || poll->status() != v1::POLL_STATUS_OPEN) return;
  poll->set_status(v1::POLL_STATUS_CLOSED);
  poll->set_closed_at_ms(event.at_ms());
  poll->set_eligible_online_at_close(closed.eligible_online());
  if (!closed.tally().empty()) {
    *poll->mutable_tally() = closed.tally();
    poll->set_tally_visible(true);
  }
}

void apply_poll_published(v1::MeetingState& state, const v1::Event& event) {
  const auto& published = event.poll_published();
  v1::Poll* poll = find_by_id(*state.mutable_polls(), published.poll_id());
  if (poll == nullptr || poll->status() != v1::POLL_STATUS_CLOSED) return;
  poll->set_status(v1::POLL_STATUS_PUBLISHED);
  if (!published.tally().empty()) *poll->mutable_tally() = published.tally();
  if (poll->secrecy() == v1::POLL_SECRECY_NAMED && !published.ballots().empty()) {
    *poll->mutable_ballots() = published.ballots();
  }
  poll->set_tally_visible(true);
}

void apply_poll_deleted(v1::MeetingState& state, const v1::Event& event) {
  erase_at(*state.mutable_polls(), index_of_id(state.polls(), event.poll_deleted().poll_id()));
}

void apply_ballot_cast(v1::MeetingState& state, const v1::Event& event) {
  const auto& cast = event.ballot_cast();
  v1::Poll* poll = find_by_id(*state.mutable_polls(), cast.poll_id());
  if (poll == nullptr || cast.voter_id().empty()) return;
  if (!has_voted(*poll, cast.voter_id())) poll->add_voter_ids(cast.voter_id());
  if (cast.choices().empty()) return;  // a projected ballot: who voted, not what
  if (poll->secrecy() == v1::POLL_SECRECY_SECRET) {
    add_to_tally(*poll, cast.choices(), +1);  // counted, and who chose what is forgotten
    return;
  }
  v1::Ballot* previous = nullptr;
  for (auto& ballot : *poll->mutable_ballots()) {
    if (ballot.voter_id() == cast.voter_id()) previous = &ballot;
  }
  if (previous != nullptr) {
    add_to_tally(*poll, previous->choices(), -1);
    *previous->mutable_choices() = cast.choices();
  } else {
    v1::Ballot& ballot = *poll->add_ballots();
    ballot.set_voter_id(cast.voter_id());
    *ballot.mutable_choices() = cast.choices();
  }
  add_to_tally(*poll, cast.choices(), +1);
}

}  // namespace majlis::domain

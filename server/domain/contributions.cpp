#include "contributions.hpp"

#include <algorithm>
#include <string>

#include "agenda.hpp"
#include "decision_parts.hpp"
#include "limits.hpp"
#include "meeting_rules.hpp"
#include "roster.hpp"
#include "state_lookup.hpp"
#include "text_rules.hpp"

namespace majlis::domain {

decision decide_submit_contribution(const v1::MeetingState& state,
                                    const v1::SubmitContribution& command,
                                    const command_context& context) {
  if (auto not_live = require_live(state, "Contributions can be sent")) return *not_live;
  if (auto missing = require_on_roster(state, context)) return *missing;
  if (auto bad = check_text(command.text(), limits::max_contribution_chars, "The contribution",
                            text_presence::required, text_lines::many)) {
    return *bad;
  }
  // With no item named and none under way, the contribution is about the meeting as a whole.
  std::string item_id = state.current_item_id();
  if (!command.item_id().empty()) {
    rejection why;
    const v1::AgendaItem* item = resolve_item(state, command.item_id(), why);
    if (item == nullptr) return why;
    item_id = item->id();
  }
  if (static_cast<std::size_t>(state.contributions_size()) >= limits::max_contributions) {
    return reject(v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                  "This meeting has received the maximum number of contributions.");
  }
  // One author must not crowd out the others; the chair may need to note many points.
  if (!is_chair(context)) {
    const auto written = static_cast<std::size_t>(
        std::count_if(state.contributions().begin(), state.contributions().end(),
                      [&](const v1::Contribution& c) { return c.author_id() == context.actor_id; }));
    if (written >= limits::max_contributions_per_author) {
      return reject(v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                    "You have written the maximum of " +
                        std::to_string(limits::max_contributions_per_author) +
                        " contributions in this meeting.");
    }
  }
  if (context.fresh_id.empty()) {
    return reject(v1::ERROR_CODE_INVALID_ARGUMENT, "No id was supplied for the contribution.");
  }
  if (find_contribution(state, context.fresh_id) != nullptr) {
    return reject(v1::ERROR_CODE_ALREADY_EXISTS, "A contribution with this id already exists.");
  }
  v1::Event event = stamped_event(context);
  auto& contribution = *event.mutable_contribution_submitted()->mutable_contribution();
  contribution.set_id(context.fresh_id);
  contribution.set_item_id(item_id);
  contribution.set_author_id(context.actor_id);
  contribution.set_text(command.text());
  contribution.set_created_at_ms(context.now_ms);
  return std::vector{event};
}

decision decide_upvote_contribution(const v1::MeetingState& state,
                                    const v1::UpvoteContribution& command,
                                    const command_context& context) {
  if (auto not_live = require_live(state, "Contributions can be upvoted")) return *not_live;
  if (auto missing = require_on_roster(state, context)) return *missing;
  const v1::Contribution* contribution = find_contribution(state, command.contribution_id());
  // To a participant a hidden contribution does not exist.
  if (contribution == nullptr || (contribution->hidden() && !is_chair(context))) {
    return reject(v1::ERROR_CODE_NOT_FOUND, "No such contribution.");
  }
  if (contribution->hidden()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "A hidden contribution cannot be upvoted.");
  }
  // Upvotes say "others want this too"; counting one's own would be noise.
  if (contribution->author_id() == context.actor_id) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "You cannot upvote your own contribution.");
  }
  const auto& upvoters = contribution->upvoter_ids();
  if (std::find(upvoters.begin(), upvoters.end(), context.actor_id) != upvoters.end()) {
    return reject(v1::ERROR_CODE_ALREADY_EXISTS, "You have already upvoted this contribution.");
  }
  v1::Event event = stamped_event(context);
  event.mutable_contribution_upvoted()->set_contribution_id(contribution->id());
  event.mutable_contribution_upvoted()->set_voter_id(context.actor_id);
  return std::vector{event};
}

decision decide_mark_contribution(const v1::MeetingState& state,
                                  const v1::MarkContribution& command,
                                  const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const v1::Contribution* contribution = find_contribution(state, command.contribution_id());
  if (contribution == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such contribution.");
  if (contribution->answered() == command.answered() &&
      contribution->hidden() == command.hidden()) {
    return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "The contribution is already marked so.");
  }
  v1::Event event = stamped_event(context);
  auto& marked = *event.mutable_contribution_marked();
  marked.set_contribution_id(contribution->id());
  marked.set_answered(command.answered());
  marked.set_hidden(command.hidden());
  return std::vector{event};
}

decision decide_show_contribution(const v1::MeetingState& state,
                                  const v1::ShowContribution& command,
                                  const command_context& context) {
  if (auto not_open = require_not_ended(state)) return *not_open;
  const std::string& id = command.contribution_id();
  if (id.empty()) {
    if (state.on_screen_contribution_id().empty()) {
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION, "No contribution is on the display.");
    }
  } else {
    const v1::Contribution* contribution = find_contribution(state, id);
    if (contribution == nullptr) return reject(v1::ERROR_CODE_NOT_FOUND, "No such contribution.");
    if (contribution->hidden()) {
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                    "A hidden contribution cannot be shown on the display.");
    }
    if (state.on_screen_contribution_id() == id) {
      return reject(v1::ERROR_CODE_FAILED_PRECONDITION,
                    "The contribution is already on the display.");
    }
  }
  v1::Event event = stamped_event(context);
  event.mutable_contribution_shown()->set_contribution_id(id);
  return std::vector{event};
}

void apply_contribution_submitted(v1::MeetingState& state, const v1::Event& event) {
  const auto& contribution = event.contribution_submitted().contribution();
  if (contribution.id().empty() || find_contribution(state, contribution.id()) != nullptr) return;
  *state.add_contributions() = contribution;
}

void apply_contribution_upvoted(v1::MeetingState& state, const v1::Event& event) {
  const auto& upvoted = event.contribution_upvoted();
  v1::Contribution* contribution =
      find_by_id(*state.mutable_contributions(), upvoted.contribution_id());
  if (contribution == nullptr || upvoted.voter_id().empty()) return;
  const auto& upvoters = contribution->upvoter_ids();
  if (std::find(upvoters.begin(), upvoters.end(), upvoted.voter_id()) != upvoters.end()) return;
  contribution->add_upvoter_ids(upvoted.voter_id());
  contribution->set_upvotes(static_cast<uint32_t>(contribution->upvoter_ids_size()));
}

void apply_contribution_marked(v1::MeetingState& state, const v1::Event& event) {
  const auto& marked = event.contribution_marked();
  auto& contributions = *state.mutable_contributions();
  v1::Contribution* contribution = find_by_id(contributions, marked.contribution_id());
  if (contribution == nullptr && marked.has_contribution() &&
      marked.contribution().id() == marked.contribution_id()) {
    int at = contributions.size();
    while (at > 0 &&
           contributions.Get(at - 1).created_at_ms() > marked.contribution().created_at_ms()) {
      --at;
    }
    *contributions.Add() = marked.contribution();
    move_element(contributions, contributions.size() - 1, at);
    contribution = contributions.Mutable(at);
  } else if (contribution != nullptr && marked.has_contribution() &&
             marked.contribution().id() == marked.contribution_id()) {
    *contribution = marked.contribution();
  }
  // Hidden text must leave the room's screen with it, on every mirror.
  if (marked.hidden() && state.on_screen_contribution_id() == marked.contribution_id()) {
    state.clear_on_screen_contribution_id();
  }
  if (contribution == nullptr) return;
  contribution->set_answered(marked.answered());
  contribution->set_hidden(marked.hidden());
}

void apply_contribution_shown(v1::MeetingState& state, const v1::Event& event) {
  state.set_on_screen_contribution_id(event.contribution_shown().contribution_id());
}

}  // namespace majlis::domain

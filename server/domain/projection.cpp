// What each audience sees (DESIGN §6). The invariant above all others: no projection ever
// carries the choices of a secret ballot, to any audience, the chair included.
#include "projection.hpp"

#include "state_lookup.hpp"

namespace majlis::domain {
namespace {

// What a non-moderator keeps of a hidden contribution: that it exists and is hidden, nothing of
// its text or its upvotes (upvotes on hidden contributions reach them as stubs).
void blank_hidden(v1::Contribution& contribution) {
  contribution.clear_text();
  contribution.clear_upvoter_ids();
  contribution.clear_upvotes();
}


bool is_secret(const v1::Poll& poll) {
  return poll.secrecy() == v1::POLL_SECRECY_SECRET;
}

bool secret_still_counting(const v1::Poll& poll) {
  return is_secret(poll) &&
         (poll.status() == v1::POLL_STATUS_DRAFT || poll.status() == v1::POLL_STATUS_OPEN);
}

// Named ballots reach non-moderators while they vote in a live poll, or once published.
bool ballots_public(const v1::Poll& poll) {
  return !is_secret(poll) && (poll.visibility() == v1::RESULTS_VISIBILITY_LIVE ||
                              poll.status() == v1::POLL_STATUS_PUBLISHED);
}

// A poll as one audience sees it. For moderators tally_visible means "visible to me": they
// follow named tallies live, and a secret tally from the moment the poll closes.
void project_poll(v1::Poll& poll, audience who) {
  poll.clear_sealed_tally();  // for the replicas' store only
  if (is_secret(poll)) poll.clear_ballots();
  if (who == audience::moderator) {
    if (secret_still_counting(poll)) {
      poll.clear_tally();
      poll.set_tally_visible(false);
    } else {
      poll.set_tally_visible(true);
    }
    return;
  }
  if (!poll.tally_visible()) {
    poll.clear_tally();
    poll.clear_ballots();
  } else if (!ballots_public(poll)) {
    poll.clear_ballots();
  }
}

// The check-in codes are for the room: the display shows them and the chair may read them out.
// Anyone else who saw them could check in from home.
bool sees_check_in_codes(audience who) {
  return who == audience::moderator || who == audience::display;
}

void blank_check_in_codes(v1::CheckInState& check_in) {
  check_in.clear_code();
  check_in.clear_previous_code();
}

}  // namespace

audience audience_of(v1::Role role) {
  switch (role) {
    case v1::ROLE_MODERATOR:
      return audience::moderator;
    case v1::ROLE_PARTICIPANT:
      return audience::participant;
    case v1::ROLE_DISPLAY:
      return audience::display;
    default:
      return audience::public_view;  // observers, and anything unknown
  }
}

bool project_event(const v1::MeetingState& state_after, const v1::Event& event, audience who,
                   v1::Event& out) {
  out = event;
  const bool moderator = who == audience::moderator;
  switch (event.kind_case()) {
    case v1::Event::KIND_NOT_SET:
      return false;
    case v1::Event::kBallotCast: {
      const v1::Poll* poll = find_poll(state_after, event.ballot_cast().poll_id());
      const bool keep = poll != nullptr && !is_secret(*poll) &&
                        (moderator || poll->visibility() == v1::RESULTS_VISIBILITY_LIVE);
      if (!keep) out.mutable_ballot_cast()->clear_choices();
      // Sealed choices are for the replicas that hold the key; no audience gets them.
      out.mutable_ballot_cast()->clear_sealed_choices();
      return true;
    }
    case v1::Event::kPollCreated:
      out.mutable_poll_created()->mutable_poll()->clear_my_choices();
      project_poll(*out.mutable_poll_created()->mutable_poll(), who);
      return true;
    case v1::Event::kPollClosed: {
      const v1::Poll* poll = find_poll(state_after, event.poll_closed().poll_id());
      auto& closed = *out.mutable_poll_closed();
      if (moderator && poll != nullptr) {
        *closed.mutable_tally() = poll->tally();  // the chair learns the result at close
      } else if (poll == nullptr || poll->visibility() == v1::RESULTS_VISIBILITY_ON_PUBLISH) {
        closed.clear_tally();
      }
      return true;
    }
    case v1::Event::kPollPublished: {
      const v1::Poll* poll = find_poll(state_after, event.poll_published().poll_id());
      if (poll == nullptr || is_secret(*poll)) out.mutable_poll_published()->clear_ballots();
      return true;
    }
    case v1::Event::kContributionSubmitted: {
      if (moderator) return true;
      const v1::Contribution* contribution =
          find_contribution(state_after, event.contribution_submitted().contribution().id());
      if (contribution != nullptr && contribution->hidden()) {
        // Hidden since (a replay, or a batch that hides it too): the entry the snapshot has.
        auto* carried = out.mutable_contribution_submitted()->mutable_contribution();
        *carried = *contribution;
        blank_hidden(*carried);
      }
      return true;
    }
    case v1::Event::kContributionMarked: {
      if (moderator) return true;
      const v1::Contribution* contribution =
          find_contribution(state_after, event.contribution_marked().contribution_id());
      if (contribution != nullptr) {
        // Hidden: the mirror keeps a blanked entry, exactly as project_state shows it. Shown
        // again: the mirror never had the current text and upvotes, so send it whole.
        auto* carried = out.mutable_contribution_marked()->mutable_contribution();
        *carried = *contribution;
        if (contribution->hidden()) blank_hidden(*carried);
      }
      return true;
    }
    case v1::Event::kContributionUpvoted: {
      if (moderator) return true;
      const v1::Contribution* contribution =
          find_contribution(state_after, event.contribution_upvoted().contribution_id());
      return contribution == nullptr || !contribution->hidden();
    }
    case v1::Event::kInviteCodeRotated:
      // The nonce makes the invite code with the secret; only the chair re-shares the link.
      if (!moderator) out.mutable_invite_code_rotated()->clear_invite_nonce();
      return true;
    case v1::Event::kCheckInCodeRotated:
      if (!sees_check_in_codes(who)) out.mutable_check_in_code_rotated()->clear_code();
      return true;
    default:
      return true;
  }
}

bool snapshot_depends_on_viewer(const v1::MeetingState& state, const std::string& viewer_id) {
  if (viewer_id.empty()) return false;
  for (const auto& poll : state.polls()) {
    if (is_secret(poll)) continue;
    for (const auto& ballot : poll.ballots()) {
      if (ballot.voter_id() == viewer_id) return true;
    }
  }
  return false;
}

v1::MeetingState project_state(const v1::MeetingState& state, audience who,
                               const std::string& viewer_id) {
  v1::MeetingState view = state;
  for (auto& poll : *view.mutable_polls()) {
    poll.clear_my_choices();
    if (!is_secret(poll) && !viewer_id.empty()) {
      for (const auto& ballot : poll.ballots()) {
        if (ballot.voter_id() == viewer_id) *poll.mutable_my_choices() = ballot.choices();
      }
    }
    project_poll(poll, who);
  }
  if (who != audience::moderator) {
    // Only when present: an empty admission message would differ from a mirror built by events.
    if (view.settings().has_admission()) {
      view.mutable_settings()->mutable_admission()->clear_invite_nonce();
    }
    for (auto& contribution : *view.mutable_contributions()) {
      if (contribution.hidden()) blank_hidden(contribution);
    }
  }
  if (!sees_check_in_codes(who) && view.has_check_in()) {
    blank_check_in_codes(*view.mutable_check_in());
  }
  return view;
}

}  // namespace majlis::domain

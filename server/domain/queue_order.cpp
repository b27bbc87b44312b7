#include "queue_order.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace majlis::domain {
namespace {

using entry_list = std::vector<v1::QueueEntry>;

bool earlier(const v1::QueueEntry& a, const v1::QueueEntry& b) {
  if (a.request_order() != b.request_order()) return a.request_order() < b.request_order();
  return a.id() < b.id();
}

// What the simulation knows about the people in a list.
struct speaker_facts {
  std::unordered_map<std::string_view, const v1::Participant*> by_id;

  explicit speaker_facts(const v1::MeetingState& state) {
    by_id.reserve(static_cast<std::size_t>(state.participants_size()));
    for (const auto& p : state.participants()) by_id.emplace(p.id(), &p);
  }
  v1::Attendance attendance(std::string_view id) const {
    auto it = by_id.find(id);
    return it == by_id.end() ? v1::ATTENDANCE_UNSPECIFIED : fair_attendance(*it->second);
  }
  std::string_view group(std::string_view id) const {
    auto it = by_id.find(id);
    return group_key(it == by_id.end() ? std::string_view{} : fair_group(*it->second));
  }
};

// Greedy simulation of who speaks next among waiting speak requests (DESIGN §4, policies in
// priority order). Each pick narrows the candidates rule by rule; the last rule that actually
// narrowed them gives the reason; request order picks among what is left.
// Choices where DESIGN is silent: every intervention on the item counts as having spoken
// (points of order and replies too); points of order and replies, placed before all speak
// requests, do not change the "previous speaker" the alternation starts from; pinned
// entries sit outside the simulation. Waiting replies stay when the floor changes hands.
class speak_order_simulation {
 public:
  speak_order_simulation(const v1::MeetingState& state, const v1::AgendaItem& item)
      : policy_(state.settings().queue_policy()), facts_(state) {
    for (const auto& intervention : state.interventions()) {
      if (intervention.item_id() == item.id()) {
        spoken_.insert(intervention.participant_id());
        previous_attendance_ = intervention.attendance();
      }
    }
    if (item.speakers().floor_taken()) {
      const auto& holder = item.speakers().floor().participant_id();
      spoken_.insert(holder);
      previous_attendance_ = facts_.attendance(holder);
    }
    if (policy_.stakeholder_balance()) {
      for (const auto& figure : state.equity().by_group()) {
        group_time_[figure.key()] += figure.speaking_ms();
      }
      int rank = 0;
      for (const auto& group : state.stakeholder_groups()) group_rank_.emplace(group, rank++);
      turn_ms_ = state.settings().default_speaking_time_ms() > 0
                     ? state.settings().default_speaking_time_ms()
                     : assumed_turn_ms_without_limit;
      // The running turn counts as a full turn for the speaker's group, as every placed entry
      // does; otherwise calling the next speaker would reshuffle the list it was called from.
      if (item.speakers().floor_taken()) {
        group_time_[std::string(facts_.group(item.speakers().floor().participant_id()))] +=
            turn_ms_;
      }
    }
  }

  entry_list run(entry_list remaining) {
    std::sort(remaining.begin(), remaining.end(), earlier);
    entry_list placed;
    placed.reserve(remaining.size());
    while (!remaining.empty()) {
      std::string_view reason = queue_reason::in_order;
      std::vector<std::size_t> candidates(remaining.size());
      for (std::size_t i = 0; i < candidates.size(); ++i) candidates[i] = i;

      narrow_first_time(remaining, candidates, reason);
      narrow_alternation(remaining, candidates, reason);
      std::string group_reason;
      narrow_balance(remaining, candidates, group_reason);
      // Candidates stay in request order, so the first one is the earliest request.
      v1::QueueEntry chosen = std::move(remaining[candidates.front()]);
      remaining.erase(remaining.begin() + static_cast<std::ptrdiff_t>(candidates.front()));
      chosen.set_reason(group_reason.empty() ? std::string(reason) : group_reason);
      note_placed(chosen);
      placed.push_back(std::move(chosen));
    }
    return placed;
  }

 private:
  // Keeps the candidates for which `keep` holds, if that leaves some and drops some.
  template <class Keep>
  static bool narrow(std::vector<std::size_t>& candidates, Keep keep) {
    std::vector<std::size_t> kept;
    for (std::size_t c : candidates) {
      if (keep(c)) kept.push_back(c);
    }
    if (kept.empty() || kept.size() == candidates.size()) return false;
    candidates = std::move(kept);
    return true;
  }

  void narrow_first_time(const entry_list& remaining, std::vector<std::size_t>& candidates,
                         std::string_view& reason) const {
    if (!policy_.first_time_first()) return;
    if (narrow(candidates,
               [&](std::size_t c) { return !spoken_.contains(remaining[c].participant_id()); })) {
      reason = queue_reason::first_time;
    }
  }

  void narrow_alternation(const entry_list& remaining, std::vector<std::size_t>& candidates,
                          std::string_view& reason) const {
    if (!policy_.alternate_attendance()) return;
    v1::Attendance wanted = v1::ATTENDANCE_UNSPECIFIED;
    if (previous_attendance_ == v1::ATTENDANCE_IN_ROOM) wanted = v1::ATTENDANCE_REMOTE;
    if (previous_attendance_ == v1::ATTENDANCE_REMOTE) wanted = v1::ATTENDANCE_IN_ROOM;
    if (wanted == v1::ATTENDANCE_UNSPECIFIED) return;
    bool room = false;
    bool remote = false;
    for (std::size_t c : candidates) {
      const auto attendance = facts_.attendance(remaining[c].participant_id());
      room = room || attendance == v1::ATTENDANCE_IN_ROOM;
      remote = remote || attendance == v1::ATTENDANCE_REMOTE;
    }
    if (!room || !remote) return;
    if (narrow(candidates, [&](std::size_t c) {
          return facts_.attendance(remaining[c].participant_id()) == wanted;
        })) {
      reason = queue_reason::alternates;
    }
  }

  // Groups listed in the meeting come first, in the meeting's order; others by name.
  bool group_before(std::string_view a, std::string_view b) const {
    auto ra = group_rank_.find(a);
    auto rb = group_rank_.find(b);
    if (ra != group_rank_.end() && rb != group_rank_.end()) return ra->second < rb->second;
    if (ra != group_rank_.end()) return true;
    if (rb != group_rank_.end()) return false;
    return a < b;
  }

  void narrow_balance(const entry_list& remaining, std::vector<std::size_t>& candidates,
                      std::string& reason) const {
    if (!policy_.stakeholder_balance()) return;
    bool have_best = false;
    std::string_view best;
    int64_t best_time = 0;
    for (std::size_t c : candidates) {
      const std::string_view group = facts_.group(remaining[c].participant_id());
      const auto it = group_time_.find(group);
      const int64_t time = it == group_time_.end() ? 0 : it->second;
      if (!have_best || time < best_time || (time == best_time && group_before(group, best))) {
        have_best = true;
        best = group;
        best_time = time;
      }
    }
    if (narrow(candidates, [&](std::size_t c) {
          return facts_.group(remaining[c].participant_id()) == best;
        })) {
      reason = std::string(best) + std::string(queue_reason::group_suffix);
    }
  }

  void note_placed(const v1::QueueEntry& entry) {
    spoken_.insert(entry.participant_id());
    previous_attendance_ = facts_.attendance(entry.participant_id());
    if (policy_.stakeholder_balance()) {
      group_time_[std::string(facts_.group(entry.participant_id()))] += turn_ms_;
    }
  }

  v1::QueuePolicy policy_;
  speaker_facts facts_;
  std::unordered_set<std::string> spoken_;
  v1::Attendance previous_attendance_ = v1::ATTENDANCE_UNSPECIFIED;
  std::map<std::string, int64_t, std::less<>> group_time_;
  std::map<std::string, int, std::less<>> group_rank_;
  int64_t turn_ms_ = 0;
};

}  // namespace

std::string_view fair_group(const v1::Participant& participant) {
  return participant.group_verified() ? std::string_view(participant.stakeholder_group())
                                      : std::string_view{};
}

v1::Attendance fair_attendance(const v1::Participant& participant) {
  return participant.attendance_verified() ? participant.attendance() : v1::ATTENDANCE_UNSPECIFIED;
}

std::string_view group_key(std::string_view stakeholder_group) {
  return stakeholder_group.empty() ? std::string_view{"unspecified"} : stakeholder_group;
}

std::string_view attendance_key(v1::Attendance attendance) {
  switch (attendance) {
    case v1::ATTENDANCE_IN_ROOM:
      return "in_room";
    case v1::ATTENDANCE_REMOTE:
      return "remote";
    default:
      return "unspecified";
  }
}

void reorder_list(v1::MeetingState& state, v1::AgendaItem& item) {
  if (item.speakers().waiting().empty()) return;
  auto& waiting = *item.mutable_speakers()->mutable_waiting();

  // Pinned entries stay at their index (after any removal ahead of them shifted it).
  std::vector<std::pair<int, v1::QueueEntry>> pinned;
  entry_list points_of_order;
  entry_list replies;
  entry_list speak;
  for (int i = 0; i < waiting.size(); ++i) {
    v1::QueueEntry entry = waiting.Get(i);
    if (entry.pinned()) {
      entry.set_reason(std::string(queue_reason::moved_by_chair));
      pinned.emplace_back(i, std::move(entry));
    } else if (entry.kind() == v1::REQUEST_KIND_POINT_OF_ORDER) {
      points_of_order.push_back(std::move(entry));
    } else if (entry.kind() == v1::REQUEST_KIND_REPLY) {
      replies.push_back(std::move(entry));
    } else {
      speak.push_back(std::move(entry));
    }
  }
  std::sort(points_of_order.begin(), points_of_order.end(), earlier);
  std::sort(replies.begin(), replies.end(), earlier);

  entry_list ordered;
  ordered.reserve(static_cast<std::size_t>(waiting.size()));
  for (auto& entry : points_of_order) {
    entry.set_reason(std::string(queue_reason::point_of_order));
    ordered.push_back(std::move(entry));
  }
  for (auto& entry : replies) {
    entry.set_reason(std::string(queue_reason::reply));
    ordered.push_back(std::move(entry));
  }
  for (auto& entry : speak_order_simulation(state, item).run(std::move(speak))) {
    ordered.push_back(std::move(entry));
  }

  const int total = waiting.size();
  waiting.Clear();
  std::size_t next_pinned = 0;
  std::size_t next_ordered = 0;
  for (int slot = 0; slot < total; ++slot) {
    const bool pinned_here = next_pinned < pinned.size() &&
                             (pinned[next_pinned].first <= slot || next_ordered >= ordered.size());
    if (pinned_here) {
      *waiting.Add() = std::move(pinned[next_pinned++].second);
    } else {
      *waiting.Add() = std::move(ordered[next_ordered++]);
    }
  }
}

void reorder_all_lists(v1::MeetingState& state) {
  for (auto& item : *state.mutable_agenda()) {
    if (!item.speakers().waiting().empty()) reorder_list(state, item);
  }
}

}  // namespace majlis::domain

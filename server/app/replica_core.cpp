#include "app/replica_core.hpp"

#include <algorithm>
#include <iterator>
#include <spdlog/spdlog.h>

#include "app/join_token.hpp"

namespace majlis::app {

replica_core::replica_core(std::string meeting_id, const replica_config& config,
                           app_metrics& metrics)
    : meeting_id_(std::move(meeting_id)),
      config_(config),
      metrics_(metrics),
      seal_(config.signing_secret, meeting_id_) {}

std::vector<replica_core::action> replica_core::take_actions() {
  std::vector<action> taken;
  taken.swap(actions_);
  return taken;
}

void replica_core::reset(v1::MeetingState state, std::optional<uint64_t> epoch) {
  state_ = std::move(state);
  open_snapshot(state_);
  recent_.clear();
  if (epoch) epoch_ = *epoch;
}

void replica_core::set_resume_window(std::deque<v1::Event> events) {
  recent_ = std::move(events);
  bool contiguous = !recent_.empty() && recent_.back().seq() == state_.seq();
  for (size_t i = 1; contiguous && i < recent_.size(); ++i)
    contiguous = recent_[i].seq() == recent_[i - 1].seq() + 1;
  if (!contiguous) recent_.clear();
}

void replica_core::trim_window() {
  while (recent_.size() > config_.resume_window_events) recent_.pop_front();
}

void replica_core::apply(const std::vector<v1::Event>& events) {
  // Trimmed here, not after the broadcast below: its pointers into the window must stay valid
  // until the shell has sent them.
  trim_window();
  std::vector<const v1::Event*> applied;
  applied.reserve(events.size());
  bool gap = false;
  for (const auto& event : events) {
    if (event.seq() <= state_.seq()) continue;
    if (event.seq() != state_.seq() + 1) {
      // A gap: fill it from the log before anything later is applied.
      gap = true;
      break;
    }
    evolve_opened(event);
    // As logged (sealed): projection never sends a secret ballot's choices, sealed or not.
    recent_.push_back(event);  // deque: pointers to earlier elements stay valid
    applied.push_back(&recent_.back());
  }
  if (!applied.empty()) {
    metrics_.events_applied += applied.size();
    // Whoever appended it (we, another instance, a catch-up): a removal closes our connections.
    // A registration that puts someone in the lobby closes them too: a join that reached us
    // before the registration did was welcomed as an admin-issued token.
    std::vector<close_participant> closes;
    for (const auto* event : applied) {
      if (event->has_participant_removed())
        closes.push_back({event->participant_removed().participant_id(),
                          v1::ADMISSION_STATUS_REMOVED});
      if (event->has_participant_registered() &&
          event->participant_registered().participant().admission() == v1::ADMISSION_STATUS_LOBBY)
        closes.push_back({event->participant_registered().participant().id(),
                          v1::ADMISSION_STATUS_LOBBY});
    }
    const size_t count = applied.size();
    actions_.emplace_back(broadcast{std::move(applied)});
    for (auto& close : closes) actions_.emplace_back(std::move(close));
    arm_deadline();
    events_since_snapshot_ += count;
    if (events_since_snapshot_ >= config_.snapshot_every_events && !snapshotting_) {
      snapshotting_ = true;
      events_since_snapshot_ = 0;
      actions_.emplace_back(write_snapshot{});
    }
  }
  // Last: the shell may start the catch-up at once, after the broadcast went out.
  if (gap) actions_.emplace_back(start_catch_up{});
}

std::optional<v1::Replay> replica_core::replay_for(const v1::Resume& resume,
                                                   domain::audience audience) {
  // From memory when every missed event is still in the window and the replay is not larger
  // than the send queue's byte limit; else a snapshot, which joiners share.
  trim_window();
  const uint64_t window_start = recent_.empty() ? state_.seq() + 1 : recent_.front().seq();
  if (resume.epoch() != epoch_ || resume.seq() > state_.seq() || resume.seq() + 1 < window_start)
    return std::nullopt;
  v1::Replay replay;
  for (const auto& event : recent_) {
    if (event.seq() <= resume.seq()) continue;
    auto* out = replay.add_events();
    if (!domain::project_event(state_, event, audience, *out)) out->Clear();
    out->set_seq(event.seq());
  }
  if (replay.ByteSizeLong() > config_.max_replay_bytes) {
    metrics_.replays_as_snapshot++;
    return std::nullopt;
  }
  return replay;
}

void replica_core::evolve_opened(const v1::Event& event) {
  if (!event.has_ballot_cast() || event.ballot_cast().sealed_choices().empty()) {
    domain::evolve(state_, event);
    return;
  }
  v1::Event opened = event;
  if (seal_.open_event(opened) == ballot_seal::opened::failed) {
    // Another signing secret, or altered bytes: the voter is recorded, the ballot not counted.
    metrics_.sealed_ballots_unopened++;
    spdlog::error("event=sealed_ballot_unopened meeting={} poll={} seq={}", meeting_id_,
                  opened.ballot_cast().poll_id(), event.seq());
  }
  domain::evolve(state_, opened);
}

void replica_core::open_snapshot(v1::MeetingState& state) {
  const int unopened = seal_.open_running_tallies(state);
  if (unopened == 0) return;
  metrics_.sealed_ballots_unopened += static_cast<uint64_t>(unopened);
  spdlog::error("event=sealed_tally_unopened meeting={} seq={} polls={}", meeting_id_, state.seq(),
                unopened);
}

// --- Group commit ---

void replica_core::submit(std::shared_ptr<member> sender, std::string actor_id, v1::Role role,
                          uint64_t request_id, v1::Command command, steady_time now) {
  if (command.has_check_in() && !check_in_guard_.begin_attempt(actor_id, now)) {
    metrics_.commands_rejected++;
    actions_.emplace_back(answer{std::move(sender), request_id,
                                 domain::rejection{v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                                                   "Too many wrong check-in codes; try again in a "
                                                   "minute."},
                                 0});
    return;
  }
  pending_change change;
  change.what = pending_change::kind::command;
  change.sender = std::move(sender);
  change.actor_id = std::move(actor_id);
  change.role = role;
  change.request_id = request_id;
  change.command = std::move(command);
  enqueue(std::move(change));
}

void replica_core::submit_system(v1::Command command, uint64_t ticket) {
  pending_change change;
  change.what = pending_change::kind::system_command;
  change.command = std::move(command);
  change.ticket = ticket;
  enqueue(std::move(change));
}

void replica_core::enqueue(pending_change change) {
  pending_.push_back(std::move(change));
  // A commit loop that runs takes what waits in its next batch.
  if (committing_) return;
  committing_ = true;
  actions_.emplace_back(start_commit{});
}

bool replica_core::has_work() const {
  return !pending_.empty() || (presence_due_ && presence_waiting());
}

std::vector<replica_core::pending_change> replica_core::take_batch(steady_time now) {
  // Group commit: everything that queued up while the last append was in flight. Presence goes
  // first when it is due, or with any command (whose sender may have just joined).
  std::vector<pending_change> batch;
  if (presence_waiting() && (presence_due_ || !pending_.empty()))
    batch.push_back(take_presence(now));
  while (!pending_.empty() && batch.size() < config_.max_batch_commands) {
    batch.push_back(std::move(pending_.front()));
    pending_.pop_front();
  }
  return batch;
}

replica_core::decided_batch replica_core::decide_batch(const std::vector<pending_change>& batch,
                                                       int64_t now_ms) {
  decided_batch decided;
  decided.base_seq = state_.seq();
  decided.outcomes.resize(batch.size());
  auto& events = decided.events;
  std::vector<size_t> secret_ballots;  // indexes into events, sealed once all are decided
  // Each change is decided on the state after the batch's earlier changes. That state is a copy
  // of the replica's (scratch), made only when an earlier change produced events: a command
  // alone in its batch is decided on the replica itself, since copying a large meeting's state
  // costs more than all the rest of a command's work.
  std::optional<v1::MeetingState> scratch;
  size_t evolved = 0;  // events[0, evolved) are applied to scratch
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& outcome = decided.outcomes[i];
    if (evolved < events.size()) {
      if (!scratch) scratch = state_;
      for (; evolved < events.size(); ++evolved) domain::evolve(*scratch, events[evolved]);
    }
    const v1::MeetingState& decided_on = scratch ? *scratch : state_;
    auto result = decide_change(decided_on, batch[i], now_ms);
    if (auto* rejected = std::get_if<domain::rejection>(&result)) {
      outcome.error = std::move(*rejected);
      decided.refused = true;
      continue;
    }
    auto& produced = std::get<std::vector<v1::Event>>(result);
    outcome.first_event = events.size();
    if (produced.empty()) continue;
    for (auto& event : produced) {
      event.set_seq(decided.base_seq + events.size() + 1);
      if (is_secret_ballot(decided_on, event)) secret_ballots.push_back(events.size());
      events.push_back(std::move(event));
    }
    outcome.last_event = events.size();
  }
  // The scratch state saw the choices; the log (every store, and the events channel) gets them
  // sealed. apply() opens them again, as it does for every event from the log.
  for (size_t index : secret_ballots) decided.sealed = decided.sealed && seal_.seal_event(events[index]);
  return decided;
}

void replica_core::finish_batch(std::vector<pending_change> batch, const decided_batch& decided,
                                const domain::rejection* failure, steady_time now) {
  if (failure) {
    // Presence must not be lost to a store outage: retried until it commits.
    for (auto& change : batch)
      if (change.what == pending_change::kind::presence) restore_presence(std::move(change), now);
  }
  const uint64_t first_seq = decided.base_seq;
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& change = batch[i];
    const auto& outcome = decided.outcomes[i];
    if (change.ticket != 0) {
      system_outcome result;
      if (outcome.error)
        result = *outcome.error;
      else if (failure)
        result = *failure;
      else
        result = std::vector<v1::Event>(decided.events.begin() + outcome.first_event,
                                        decided.events.begin() + outcome.last_event);
      actions_.emplace_back(answer_system{change.ticket, std::move(result)});
      continue;
    }
    if (change.what != pending_change::kind::command) continue;
    if (change.command.has_check_in()) {
      const bool wrong = outcome.error && outcome.error->code == v1::ERROR_CODE_INVALID_ARGUMENT;
      check_in_guard_.end_attempt(change.actor_id, now, wrong);
    }
    if (outcome.error) {
      metrics_.commands_rejected++;
      actions_.emplace_back(answer{change.sender, change.request_id, *outcome.error, 0});
    } else if (failure) {
      metrics_.commands_rejected++;
      actions_.emplace_back(answer{change.sender, change.request_id, *failure, 0});
    } else {
      const uint64_t seq = outcome.last_event ? first_seq + outcome.last_event : 0;
      actions_.emplace_back(answer{change.sender, change.request_id, std::nullopt, seq});
    }
  }
}

std::variant<std::vector<v1::Event>, domain::rejection> replica_core::decide_change(
    const v1::MeetingState& scratch, const pending_change& change, int64_t now_ms) {
  switch (change.what) {
    case pending_change::kind::command:
      return domain::decide(scratch, change.command,
                            context_for(change.actor_id, change.role, now_ms));
    case pending_change::kind::system_command:
      return domain::decide(scratch, change.command, context_for("", v1::ROLE_UNSPECIFIED, now_ms));
    case pending_change::kind::presence: {
      // The counts as they are now: absolute, so a retried flush never writes stale ones.
      std::vector<v1::AudienceCount> audience = change.other_audience;
      audience.push_back(own_audience());
      auto event =
          domain::presence_changed(scratch, change.presence, audience, config_.instance_id, now_ms);
      if (!event) return std::vector<v1::Event>{};
      return std::vector<v1::Event>{std::move(*event)};
    }
  }
  return std::vector<v1::Event>{};
}

domain::command_context replica_core::context_for(std::string actor_id, v1::Role role,
                                                  int64_t now_ms) {
  domain::command_context context{std::move(actor_id), role, now_ms, random_id(12)};
  context.check_in_rotation_ms = config_.check_in_rotation_ms;
  return context;
}

// --- Presence ---

void replica_core::connection_opened(domain::presence_change change, steady_time now) {
  ++listed_connections_;
  add_presence(std::move(change), now);
}

void replica_core::connection_closed(domain::presence_change change, steady_time now) {
  if (listed_connections_ > 0) --listed_connections_;
  add_presence(std::move(change), now);
}

void replica_core::audience_joined(v1::Role role, steady_time now) {
  ++(role == v1::ROLE_DISPLAY ? local_displays_ : local_observers_);
  audience_dirty_ = true;
  arm_presence(presence_due_at(now));
}

void replica_core::audience_left(v1::Role role, steady_time now) {
  auto& count = role == v1::ROLE_DISPLAY ? local_displays_ : local_observers_;
  if (count > 0) --count;
  audience_dirty_ = true;
  arm_presence(presence_due_at(now));
}

std::chrono::milliseconds replica_core::presence_interval() const {
  // Every connection of the meeting receives the event: this instance's, and the audience the
  // other instances count (their listed people's connections are few beside it).
  size_t connections = listed_connections_ + local_observers_ + local_displays_;
  for (const auto& count : state_.audience()) {
    if (count.instance_id() != config_.instance_id)
      connections += static_cast<size_t>(count.observers()) + count.displays();
  }
  const size_t step = std::max<size_t>(config_.presence_connections_per_interval, 1);
  const size_t max_factor = std::max<size_t>(config_.max_presence_interval_factor, 1);
  const size_t factor = std::min(1 + connections / step, max_factor);
  const auto stretched =
      config_.presence_interval * static_cast<std::chrono::milliseconds::rep>(factor);
  const auto ceiling = std::max(config_.presence_interval, config_.max_stretched_presence_interval);
  return std::min(stretched, ceiling);
}

void replica_core::correct_presence(std::vector<domain::presence_change> changes,
                                    std::vector<v1::AudienceCount> zero_counts, bool own_counts,
                                    steady_time now) {
  const bool any = !changes.empty() || !zero_counts.empty() || own_counts;
  for (auto& change : changes) presence_.push_back(std::move(change));
  for (auto& count : zero_counts) other_audience_.push_back(std::move(count));
  if (own_counts) audience_dirty_ = true;
  if (any) arm_presence(now);
}

void replica_core::add_presence(domain::presence_change change, steady_time now) {
  presence_.push_back(std::move(change));
  arm_presence(presence_due_at(now));
}

replica_core::steady_time replica_core::presence_due_at(steady_time now) const {
  // At most one flush per interval, the first at once: a lone join is seen without delay, a
  // storm's joins are gathered.
  return std::max(now, last_presence_flush_ + presence_interval());
}

bool replica_core::presence_waiting() const {
  return !presence_.empty() || audience_dirty_ || !other_audience_.empty();
}

void replica_core::arm_presence(steady_time at) {
  if (presence_armed_) return;
  presence_armed_ = true;
  actions_.emplace_back(schedule_presence{at});
}

void replica_core::on_presence_due() {
  presence_armed_ = false;
  flush_presence_now();  // nothing, when a command's commit took it meanwhile
}

void replica_core::flush_presence_now() {
  if (!presence_waiting()) return;
  presence_due_ = true;
  if (committing_) return;  // the commit in flight takes it next
  committing_ = true;
  actions_.emplace_back(start_commit{});
}

replica_core::pending_change replica_core::take_presence(steady_time now) {
  pending_change change;
  change.what = pending_change::kind::presence;
  change.presence = std::move(presence_);
  change.other_audience = std::move(other_audience_);
  presence_.clear();
  other_audience_.clear();
  audience_dirty_ = false;
  presence_due_ = false;
  last_presence_flush_ = now;
  return change;
}

void replica_core::restore_presence(pending_change change, steady_time now) {
  // Older changes first: a leave must not be decided before the join it ends.
  change.presence.insert(change.presence.end(), std::make_move_iterator(presence_.begin()),
                         std::make_move_iterator(presence_.end()));
  presence_ = std::move(change.presence);
  change.other_audience.insert(change.other_audience.end(), other_audience_.begin(),
                               other_audience_.end());
  other_audience_ = std::move(change.other_audience);
  audience_dirty_ = true;  // the counts are read again when the retry is decided
  arm_presence(now + config_.presence_retry);
}

v1::AudienceCount replica_core::own_audience() const {
  v1::AudienceCount count;
  count.set_instance_id(config_.instance_id);
  count.set_observers(local_observers_);
  count.set_displays(local_displays_);
  return count;
}

// --- Deadlines ---

void replica_core::arm_deadline() {
  const int64_t deadline = domain::next_deadline_ms(state_);
  if (deadline == armed_deadline_ms_) return;
  armed_deadline_ms_ = deadline;
  actions_.emplace_back(schedule_deadline{deadline});
}

void replica_core::on_deadline(int64_t deadline_ms, int64_t now_ms) {
  if (deadline_ms == 0 || armed_deadline_ms_ != deadline_ms) return;  // superseded
  armed_deadline_ms_ = 0;
  // Any replica may propose; the log decides and the losers are rejected as already done.
  auto due = domain::due_commands(state_, now_ms);
  if (due.empty()) {
    arm_deadline();  // woke a little early: wait again rather than stall
    return;
  }
  for (auto& command : due) {
    // The domain has no randomness: the replica draws the new check-in code.
    if (command.has_rotate_check_in_code())
      command.mutable_rotate_check_in_code()->set_code(random_check_in_code());
    submit_system(std::move(command));
  }
  // The next apply() schedules the wake-up again for whatever deadline remains.
}

// --- Snapshots ---

const v1::MeetingState* replica_core::snapshot_for_store(std::optional<v1::MeetingState>& sealed) {
  // An open secret poll's running tally goes to the store sealed, like its ballots.
  const bool secret_counting = std::any_of(
      state_.polls().begin(), state_.polls().end(), [](const v1::Poll& poll) {
        return poll.secrecy() == v1::POLL_SECRECY_SECRET && !poll.tally().empty() &&
               (poll.status() == v1::POLL_STATUS_DRAFT || poll.status() == v1::POLL_STATUS_OPEN);
      });
  if (!secret_counting) return &state_;
  sealed = state_;
  if (!seal_.seal_running_tallies(*sealed)) {
    spdlog::error("event=tally_seal_failed meeting={} seq={}", meeting_id_, state_.seq());
    snapshotting_ = false;
    return nullptr;
  }
  return &*sealed;
}

}  // namespace majlis::app

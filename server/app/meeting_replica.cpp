#include "app/meeting_replica.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <set>
#include <spdlog/spdlog.h>

#include "majlis/asio/spawn_policy.hpp"
#include "app/join_token.hpp"
#include "app/wall_clock.hpp"
#include "domain/decider.hpp"
#include "domain/state_lookup.hpp"
#include "net/codec.hpp"
#include "net/ws_frame.hpp"

namespace majlis::app {

namespace asio = boost::asio;

namespace {

v1::ErrorCode error_for(store::append_status status) {
  switch (status) {
    case store::append_status::not_found: return v1::ERROR_CODE_NOT_FOUND;
    case store::append_status::too_large: return v1::ERROR_CODE_RESOURCE_EXHAUSTED;
    case store::append_status::conflict: return v1::ERROR_CODE_ABORTED;
    default: return v1::ERROR_CODE_UNAVAILABLE;
  }
}

std::string message_for(store::append_status status) {
  switch (status) {
    case store::append_status::not_found: return "the meeting no longer exists";
    case store::append_status::too_large: return "the change is too large for the event log";
    case store::append_status::conflict:
      return "the meeting changed concurrently too many times; try again";
    default: return "the event store is unavailable; try again shortly";
  }
}

}  // namespace

// Connection ids are "<instance id>-<counter>" (net::server), so the instance is the prefix.
std::string instance_of_connection(std::string_view connection_id) {
  const auto dash = connection_id.rfind('-');
  return std::string(dash == std::string_view::npos ? connection_id : connection_id.substr(0, dash));
}

namespace {

}  // namespace

meeting_replica::meeting_replica(asio::any_io_executor executor, std::string meeting_id,
                                 store::event_log& log, const replica_config& config,
                                 app_metrics& metrics)
    : strand_(asio::make_strand(executor)),
      meeting_id_(std::move(meeting_id)),
      log_(log),
      config_(config),
      metrics_(metrics),
      deadline_timer_(strand_),
      presence_timer_(strand_),
      seal_(config.signing_secret, meeting_id_) {}

meeting_replica::~meeting_replica() = default;

asio::awaitable<bool> meeting_replica::load() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  auto snapshot = co_await log_.load_snapshot(meeting_id_);
  co_await asio::dispatch(strand_, asio::use_awaitable);
  if (snapshot.status != store::read_status::ok) co_return false;
  if (snapshot.state) {
    state_ = std::move(*snapshot.state);
    open_snapshot(state_);
  }
  epoch_ = snapshot.epoch;
  co_await load_resume_window();

  std::weak_ptr<meeting_replica> weak = weak_from_this();
  log_.subscribe(meeting_id_, [weak](const std::string&, uint64_t epoch, store::event_batch batch) {
    if (auto self = weak.lock()) {
      asio::post(self->strand_, [self, epoch, batch = std::move(batch)] {
        self->on_published(epoch, std::move(batch));
      });
    }
  });
  log_.watch(meeting_id_, [weak](const std::string&, store::log_change change, uint64_t epoch,
                                  uint64_t head_seq) {
    if (auto self = weak.lock()) {
      asio::post(self->strand_, [self, change, epoch, head_seq] {
        self->on_log_change(change, epoch, head_seq);
      });
    }
  });
  catching_up_ = true;
  co_await do_catch_up();
  metrics_.meetings_loaded++;
  spdlog::info("event=meeting_loaded meeting={} seq={} epoch={}", meeting_id_, state_.seq(), epoch_);
  co_return true;
}

asio::awaitable<void> meeting_replica::load_resume_window() {
  // The events up to the snapshot go into the resume window unapplied (the snapshot holds
  // them), so a client that was connected before a restart resumes by replay.
  const uint64_t until = state_.seq();
  const uint64_t window = config_.resume_window_events;
  uint64_t after = until > window ? until - window : 0;
  recent_.clear();
  while (after < until) {
    auto result = co_await log_.read(meeting_id_, after, 1000);
    co_await asio::dispatch(strand_, asio::use_awaitable);
    if (result.status != store::read_status::ok || result.events.empty()) break;
    for (auto& event : result.events) {
      if (event.seq() > until) break;
      if (!recent_.empty() && event.seq() != recent_.back().seq() + 1) recent_.clear();
      after = event.seq();
      recent_.push_back(std::move(event));
    }
    if (result.events.back().seq() >= until) break;
  }
  if (!recent_.empty() && recent_.back().seq() != until) recent_.clear();
}

asio::awaitable<void> meeting_replica::do_catch_up() {
  // catching_up_ is set by the caller, on the strand.
  for (int round = 0; round < 10000; ++round) {
    auto result = co_await log_.read(meeting_id_, state_.seq(), 1000);
    co_await asio::dispatch(strand_, asio::use_awaitable);
    if (result.status == store::read_status::trimmed) {
      // The events we need are behind a snapshot: start again from it.
      auto snapshot = co_await log_.load_snapshot(meeting_id_);
      co_await asio::dispatch(strand_, asio::use_awaitable);
      if (!snapshot.state || snapshot.state->seq() <= state_.seq()) break;  // no way forward now
      state_ = std::move(*snapshot.state);
      open_snapshot(state_);
      recent_.clear();
      continue;
    }
    if (result.status == store::read_status::ok && result.epoch == epoch_ &&
        result.head_seq < state_.seq()) {
      on_regression(result.head_seq);
      break;
    }
    if (result.status != store::read_status::ok || result.events.empty()) break;
    apply(result.events);  // a read is contiguous: no gap for apply() to find
    if (state_.seq() >= result.head_seq) break;
  }
  catching_up_ = false;
}

void meeting_replica::on_published(uint64_t epoch, store::event_batch batch) {
  if (config_.drop_published_every != 0 &&
      ++published_batches_ % config_.drop_published_every == 0) {
    spdlog::warn("event=test_dropped_batch meeting={} first_seq={}", meeting_id_,
                 batch->empty() ? 0 : batch->front().seq());
    return;
  }
  if (epoch != epoch_) {
    on_log_change(store::log_change::epoch_changed, epoch, 0);
    return;
  }
  apply(*batch);
}

void meeting_replica::on_log_change(store::log_change change, uint64_t epoch,
                                    uint64_t head_seq) {
  if (change == store::log_change::epoch_changed || (epoch != 0 && epoch != epoch_)) {
    if (reloading_) return;
    reloading_ = true;
    spdlog::warn("event=epoch_changed meeting={} old={} new={}", meeting_id_, epoch_, epoch);
    asio::co_spawn(strand_, do_reload(), log_failure("replica reload"));
    return;
  }
  // A batch that never arrived (or an outage that ended): fill the gap from the log.
  if (head_seq > state_.seq()) start_catch_up();
  // A head behind us in our epoch: the log lost what we applied.
  if (change == store::log_change::head_seen && epoch == epoch_ && head_seq < state_.seq())
    on_regression(head_seq);
}

void meeting_replica::check_claimed_seq(uint64_t claimed_seq) {
  // A client that saw a seq past ours in our epoch: either we lag behind the log (another
  // instance appended), or the log lost events that client saw (restored from a backup). The
  // store compares with its head. A token holder could claim any seq, so one check a minute.
  const auto now = std::chrono::steady_clock::now();
  if (reloading_ || checking_head_ || now < next_claim_check_) return;
  next_claim_check_ = now + std::chrono::minutes(1);
  checking_head_ = true;
  asio::co_spawn(strand_, do_regression(claimed_seq), log_failure("replica regression"));
}

void meeting_replica::on_regression(uint64_t head_seq) {
  // A head read before our own last append committed looks behind too: the store compares
  // with its head as it is now, so a stale reading costs one round trip and changes nothing.
  if (reloading_ || checking_head_) return;
  checking_head_ = true;
  spdlog::debug("event=log_behind meeting={} epoch={} head={} applied={}", meeting_id_, epoch_,
               head_seq, state_.seq());
  asio::co_spawn(strand_, do_regression(state_.seq()), log_failure("replica regression"));
}

asio::awaitable<void> meeting_replica::do_regression(uint64_t seen_seq) {
  // The log's head is behind events this replica applied or a client saw. Those events are
  // void: a new epoch (one replica wins, atomically in the store) makes every replica reload
  // and every client rejoin for a fresh snapshot, so no two histories share an epoch.
  const uint64_t seen_epoch = epoch_;
  auto result = co_await log_.start_new_epoch(meeting_id_, seen_epoch, seen_seq);
  co_await asio::dispatch(strand_, asio::use_awaitable);
  checking_head_ = false;
  // Unreachable, or the head is not behind after all: the next head check looks again.
  if (result.status != store::append_status::ok || result.epoch == seen_epoch) co_return;
  metrics_.log_regressions++;
  spdlog::warn("event=log_regression meeting={} old_epoch={} new_epoch={} head={} seen={}",
               meeting_id_, seen_epoch, result.epoch, result.head_seq, seen_seq);
  // A batch that carried the new epoch may have started the reload already.
  if (reloading_ || epoch_ == result.epoch) co_return;
  reloading_ = true;
  co_await do_reload();
}

void meeting_replica::start_catch_up() {
  if (catching_up_ || reloading_) return;
  catching_up_ = true;
  metrics_.gaps_filled++;
  asio::co_spawn(strand_, do_catch_up(), log_failure("replica catch-up"));
}

asio::awaitable<void> meeting_replica::do_reload() {
  auto snapshot = co_await log_.load_snapshot(meeting_id_);
  co_await asio::dispatch(strand_, asio::use_awaitable);
  const bool gone = snapshot.status == store::read_status::not_found;
  if (!gone && snapshot.status != store::read_status::ok) {
    reloading_ = false;  // unreachable: the next head check tries again
    co_return;
  }
  state_ = snapshot.state ? std::move(*snapshot.state) : v1::MeetingState();
  open_snapshot(state_);
  recent_.clear();
  epoch_ = snapshot.epoch;
  if (!gone) {
    catching_up_ = true;
    co_await do_catch_up();
  }
  reloading_ = false;
  for (auto& [id, m] : members_) {
    if (gone)
      m->connection->close_with_error(net::close_code::not_found, v1::ERROR_CODE_NOT_FOUND,
                                      "the meeting's event log was lost");
    else
      m->connection->close_with_error(net::close_code::going_away, v1::ERROR_CODE_UNAVAILABLE,
                                      "the event log started over; reconnect for a fresh state");
  }
}

void meeting_replica::apply(const std::vector<v1::Event>& events) {
  std::vector<const v1::Event*> applied;
  applied.reserve(events.size());
  for (const auto& event : events) {
    if (event.seq() <= state_.seq()) continue;
    if (event.seq() != state_.seq() + 1) {
      // A gap: fill it from the log before anything later is applied.
      start_catch_up();
      break;
    }
    evolve_opened(event);
    // As logged (sealed): projection never sends a secret ballot's choices, sealed or not.
    recent_.push_back(event);  // deque: pointers to earlier elements stay valid
    applied.push_back(&recent_.back());
  }
  if (applied.empty()) return;
  metrics_.events_applied += applied.size();
  broadcast(applied);
  // Whoever appended it (we, another instance, a catch-up): a removal closes our connections.
  // A registration that puts someone in the lobby closes them too: a join that reached us
  // before the registration did was welcomed as an admin-issued token.
  for (const auto* event : applied) {
    if (event->has_participant_removed())
      close_kept_out(event->participant_removed().participant_id(), v1::ADMISSION_STATUS_REMOVED);
    if (event->has_participant_registered() &&
        event->participant_registered().participant().admission() == v1::ADMISSION_STATUS_LOBBY)
      close_kept_out(event->participant_registered().participant().id(), v1::ADMISSION_STATUS_LOBBY);
  }
  while (recent_.size() > config_.resume_window_events) recent_.pop_front();
  arm_deadline_timer();
  events_since_snapshot_ += applied.size();
  if (events_since_snapshot_ >= config_.snapshot_every_events && !snapshotting_) {
    snapshotting_ = true;
    asio::co_spawn(strand_, do_snapshot(), log_failure("replica snapshot"));
  }
}

void meeting_replica::evolve_opened(const v1::Event& event) {
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

void meeting_replica::open_snapshot(v1::MeetingState& state) {
  const int unopened = seal_.open_running_tallies(state);
  if (unopened == 0) return;
  metrics_.sealed_ballots_unopened += static_cast<uint64_t>(unopened);
  spdlog::error("event=sealed_tally_unopened meeting={} seq={} polls={}", meeting_id_, state.seq(),
                unopened);
}

void meeting_replica::broadcast(const std::vector<const v1::Event*>& events) {
  for (int a = 0; a < domain::audience_count; ++a) {
    const auto& receivers = audiences_[a];
    if (receivers.empty()) continue;
    v1::ServerMessage message;
    auto* batch = message.mutable_events();
    for (const auto* event : events) {
      auto* out = batch->add_events();
      if (!domain::project_event(state_, *event, static_cast<domain::audience>(a), *out))
        out->Clear();
      out->set_seq(event->seq());
    }
    // Encode and frame once per audience and format; every receiver writes the same bytes.
    std::optional<net::frame> binary, json;
    net::delivery delivery;  // one task per I/O thread
    for (const auto& receiver : receivers) {
      const bool text = receiver->connection->format() == net::wire_format::json;
      auto& frame = text ? json : binary;
      if (!frame)
        frame = net::frame_once(net::encode_server_message(message, receiver->connection->format()));
      delivery.add(receiver->connection, *frame);
    }
    delivery.send();
    metrics_.fanout_batches++;
    metrics_.deliveries += receivers.size();
  }
}

bool meeting_replica::close_if_kept_out(net::connection& connection,
                                        v1::AdmissionStatus admission) {
  if (admission == v1::ADMISSION_STATUS_LOBBY) {
    connection.close_with_error(net::close_code::in_lobby, v1::ERROR_CODE_FAILED_PRECONDITION,
                                "waiting for the chair to admit you");
    return true;
  }
  if (admission == v1::ADMISSION_STATUS_REMOVED) {
    connection.close_with_error(net::close_code::removed, v1::ERROR_CODE_PERMISSION_DENIED,
                                "the chair removed you from this meeting");
    return true;
  }
  return false;
}

void meeting_replica::close_kept_out(const std::string& participant_id,
                                     v1::AdmissionStatus admission) {
  for (auto& [id, m] : members_)
    if (m->viewer.participant_id() == participant_id) close_if_kept_out(*m->connection, admission);
}

void meeting_replica::join(std::shared_ptr<member> joiner, std::optional<v1::Resume> resume) {
  asio::post(strand_, [self = shared_from_this(), joiner = std::move(joiner),
                       resume = std::move(resume)]() mutable {
    self->do_join(std::move(joiner), std::move(resume));
  });
}

void meeting_replica::do_join(std::shared_ptr<member> joiner, std::optional<v1::Resume> resume) {
  // The chair always gets in (bounded by the per-participant limit): a meeting filled with
  // observers or registrants must not lock out the person who runs it.
  if (members_.size() >= config_.max_connections_per_meeting &&
      joiner->viewer.role() != v1::ROLE_MODERATOR) {
    joiner->connection->close_with_error(net::close_code::server_full,
                                         v1::ERROR_CODE_RESOURCE_EXHAUSTED,
                                         "this meeting has reached its connection limit");
    metrics_.joins_rejected++;
    return;
  }
  // Admission is checked here, on the strand against the current state, so a token
  // verified a moment ago cannot slip past a removal or the lobby.
  if (const auto* known = domain::find_participant(state_, joiner->viewer.participant_id());
      known != nullptr && close_if_kept_out(*joiner->connection, known->admission())) {
    metrics_.joins_rejected++;
    return;
  }
  const auto& participant_id = joiner->viewer.participant_id();
  if (limits_connections(joiner->viewer.role()) && config_.max_connections_per_participant > 0) {
    const auto held = live_connections_of(participant_id);
    if (held >= config_.max_connections_per_participant) {
      joiner->connection->close_with_error(
          net::close_code::too_many_connections, v1::ERROR_CODE_RESOURCE_EXHAUSTED,
          "this participant already holds the maximum of " +
              std::to_string(config_.max_connections_per_participant) +
              " connections to this meeting (--max-connections-per-participant); close one first");
      metrics_.joins_rejected++;
      metrics_.joins_refused_per_participant++;
      return;
    }
  }
  if (resume && resume->epoch() == epoch_ && resume->seq() > state_.seq())
    check_claimed_seq(resume->seq());
  v1::ServerMessage message;
  auto* welcome = message.mutable_welcome();
  *welcome->mutable_you() = joiner->viewer;
  welcome->set_server_time_ms(unix_millis());
  welcome->set_epoch(epoch_);
  welcome->set_seq(state_.seq());

  // Resume from memory when every missed event is still in the window and the replay is not
  // larger than the send queue's byte limit; else a snapshot, which joiners share.
  const uint64_t window_start = recent_.empty() ? state_.seq() + 1 : recent_.front().seq();
  bool can_replay = resume && resume->epoch() == epoch_ && resume->seq() <= state_.seq() &&
                    resume->seq() + 1 >= window_start;
  if (can_replay) {
    auto* replay = welcome->mutable_replay();
    for (const auto& event : recent_) {
      if (event.seq() <= resume->seq()) continue;
      auto* out = replay->add_events();
      if (!domain::project_event(state_, event, joiner->audience, *out)) out->Clear();
      out->set_seq(event.seq());
    }
    if (replay->ByteSizeLong() > config_.max_replay_bytes) {
      welcome->clear_replay();
      can_replay = false;
      metrics_.replays_as_snapshot++;
    }
  }
  joiner->connection->mark_joined();
  if (can_replay) {
    joiner->connection->send(message);
  } else if (!send_snapshot_welcome(*joiner, *welcome)) {
    return;
  }

  members_[joiner->viewer.connection_id()] = joiner;
  ++local_connections_[participant_id];
  audiences_[static_cast<int>(joiner->audience)].push_back(joiner);
  metrics_.members++;
  metrics_.joins++;
  spdlog::info("event=joined meeting={} participant={} connection={} role={} resumed={}",
               meeting_id_, joiner->viewer.participant_id(), joiner->viewer.connection_id(),
               role_name(joiner->viewer.role()), can_replay);

  const v1::Role role = joiner->viewer.role();
  if (domain::counted_in_audience(role)) {
    ++(role == v1::ROLE_DISPLAY ? local_displays_ : local_observers_);
    audience_changed();
    return;
  }
  domain::presence_change change;
  change.opened = true;
  change.who.set_id(joiner->viewer.participant_id());
  change.who.set_display_name(joiner->viewer.display_name());
  change.who.set_role(role);
  change.who.set_stakeholder_group(joiner->viewer.stakeholder_group());
  change.who.set_attendance(joiner->viewer.attendance());
  change.connection_id = joiner->viewer.connection_id();
  add_presence(std::move(change));
}

bool meeting_replica::send_snapshot_welcome(const member& joiner, const v1::Welcome& head) {
  const auto format = joiner.connection->format();
  const auto& viewer_id = joiner.viewer.participant_id();
  try {
    snapshot_cache::bytes snapshot;
    if (domain::snapshot_depends_on_viewer(state_, viewer_id)) {
      // Their own choices in a named poll: a snapshot for them alone.
      snapshot = net::encode_snapshot(domain::project_state(state_, joiner.audience, viewer_id),
                                      format);
      metrics_.snapshots_encoded++;
    } else if ((snapshot = snapshots_.find(epoch_, state_.seq(), joiner.audience, format))) {
      metrics_.snapshot_cache_hits++;
    } else {
      snapshot = net::encode_snapshot(domain::project_state(state_, joiner.audience, {}), format);
      snapshots_.store(epoch_, state_.seq(), joiner.audience, format, snapshot);
      metrics_.snapshots_encoded++;
    }
    joiner.connection->send(net::compose_welcome(head, std::move(snapshot), format));
  } catch (const std::exception& e) {
    spdlog::error("event=welcome_not_encoded meeting={} connection={} error=\"{}\"", meeting_id_,
                  joiner.viewer.connection_id(), e.what());
    joiner.connection->close_with_error(net::close_code::internal_error, v1::ERROR_CODE_INTERNAL,
                                        "internal error");
    return false;
  }
  return true;
}

void meeting_replica::leave(std::string connection_id) {
  asio::post(strand_, [self = shared_from_this(), connection_id = std::move(connection_id)] {
    self->do_leave(connection_id);
  });
}

void meeting_replica::do_leave(const std::string& connection_id) {
  auto it = members_.find(connection_id);
  if (it == members_.end()) return;
  auto leaving = std::move(it->second);
  members_.erase(it);
  if (auto held = local_connections_.find(leaving->viewer.participant_id());
      held != local_connections_.end() && --held->second == 0) {
    local_connections_.erase(held);
  }
  auto& list = audiences_[static_cast<int>(leaving->audience)];
  std::erase(list, leaving);
  metrics_.members--;
  spdlog::info("event=left meeting={} participant={} connection={}", meeting_id_,
               leaving->viewer.participant_id(), connection_id);

  const v1::Role role = leaving->viewer.role();
  if (domain::counted_in_audience(role)) {
    auto& count = role == v1::ROLE_DISPLAY ? local_displays_ : local_observers_;
    if (count > 0) --count;
    audience_changed();
    return;
  }
  domain::presence_change change;
  change.opened = false;
  change.who.set_id(leaving->viewer.participant_id());
  change.connection_id = connection_id;
  add_presence(std::move(change));
}

void meeting_replica::submit(std::shared_ptr<member> sender, uint64_t request_id,
                             v1::Command command) {
  metrics_.commands++;
  asio::post(strand_, [self = shared_from_this(), sender = std::move(sender), request_id,
                       command = std::move(command)]() mutable {
    if (command.has_check_in() &&
        !self->check_in_guard_.begin_attempt(sender->viewer.participant_id(),
                                             check_in_guard::clock::now())) {
      self->metrics_.commands_rejected++;
      const domain::rejection throttled{
          v1::ERROR_CODE_RESOURCE_EXHAUSTED,
          "Too many wrong check-in codes; try again in a minute."};
      self->send_result(sender, request_id, &throttled, 0);
      return;
    }
    pending_change change;
    change.what = pending_change::kind::command;
    change.sender = std::move(sender);
    change.request_id = request_id;
    change.command = std::move(command);
    self->enqueue(std::move(change));
  });
}

void meeting_replica::enqueue(pending_change change) {
  pending_.push_back(std::move(change));
  kick_commit();
}

void meeting_replica::kick_commit() {
  // Is a commit already running? It will take what waits in its next batch.
  if (committing_) return;
  committing_ = true;
  asio::co_spawn(strand_, do_commit(), log_failure("replica commit"));
}

void meeting_replica::add_presence(domain::presence_change change) {
  presence_.push_back(std::move(change));
  schedule_presence(presence_delay());
}

void meeting_replica::audience_changed() {
  audience_dirty_ = true;
  schedule_presence(presence_delay());
}

std::chrono::milliseconds meeting_replica::presence_delay() const {
  // At most one flush per interval, the first at once: a lone join is seen without delay, a
  // storm's joins are gathered.
  const auto next = last_presence_flush_ + config_.presence_interval;
  const auto now = std::chrono::steady_clock::now();
  if (next <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(next - now);
}

bool meeting_replica::presence_waiting() const {
  return !presence_.empty() || audience_dirty_ || !other_audience_.empty();
}

void meeting_replica::schedule_presence(std::chrono::milliseconds delay) {
  if (presence_armed_) return;
  presence_armed_ = true;
  presence_timer_.expires_after(delay);
  presence_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    self->presence_armed_ = false;
    if (!self->presence_waiting()) return;  // a command's commit took it meanwhile
    self->presence_due_ = true;
    self->kick_commit();
  });
}

meeting_replica::pending_change meeting_replica::take_presence() {
  pending_change change;
  change.what = pending_change::kind::presence;
  change.presence = std::move(presence_);
  change.other_audience = std::move(other_audience_);
  presence_.clear();
  other_audience_.clear();
  audience_dirty_ = false;
  presence_due_ = false;
  last_presence_flush_ = std::chrono::steady_clock::now();
  return change;
}

void meeting_replica::restore_presence(pending_change change) {
  // Older changes first: a leave must not be decided before the join it ends.
  change.presence.insert(change.presence.end(), std::make_move_iterator(presence_.begin()),
                         std::make_move_iterator(presence_.end()));
  presence_ = std::move(change.presence);
  change.other_audience.insert(change.other_audience.end(), other_audience_.begin(),
                               other_audience_.end());
  other_audience_ = std::move(change.other_audience);
  audience_dirty_ = true;  // the counts are read again when the retry is decided
  schedule_presence(config_.presence_retry);
}

v1::AudienceCount meeting_replica::own_audience() const {
  v1::AudienceCount count;
  count.set_instance_id(config_.instance_id);
  count.set_observers(local_observers_);
  count.set_displays(local_displays_);
  return count;
}

std::variant<std::vector<v1::Event>, domain::rejection> meeting_replica::decide_change(
    const v1::MeetingState& scratch, const pending_change& change, int64_t now) {
  switch (change.what) {
    case pending_change::kind::command:
      return domain::decide(scratch, change.command,
                            context_for(change.sender->viewer.participant_id(),
                                        change.sender->viewer.role(), now));
    case pending_change::kind::system_command:
      return domain::decide(scratch, change.command, context_for("", v1::ROLE_UNSPECIFIED, now));
    case pending_change::kind::presence: {
      // The counts as they are now: absolute, so a retried flush never writes stale ones.
      std::vector<v1::AudienceCount> audience = change.other_audience;
      audience.push_back(own_audience());
      auto event =
          domain::presence_changed(scratch, change.presence, audience, config_.instance_id, now);
      if (!event) return std::vector<v1::Event>{};
      return std::vector<v1::Event>{std::move(*event)};
    }
  }
  return std::vector<v1::Event>{};
}

asio::awaitable<void> meeting_replica::do_commit() {
  while (!pending_.empty() || (presence_due_ && presence_waiting())) {
    // Let the commands already queued on the strand join this batch: with a log that answers
    // at once (the embedded store) there is no append in flight for them to gather behind.
    co_await asio::post(strand_, asio::use_awaitable);
    // Group commit: everything that queued up while the last append was in flight. Presence
    // goes first when it is due, or with any command (whose sender may have just joined).
    std::vector<pending_change> batch;
    if (presence_waiting() && (presence_due_ || !pending_.empty()))
      batch.push_back(take_presence());
    while (!pending_.empty() && batch.size() < config_.max_batch_commands) {
      batch.push_back(std::move(pending_.front()));
      pending_.pop_front();
    }

    struct outcome {
      std::optional<domain::rejection> error;
      size_t first_event = 0;  // events.size() before this change
      size_t last_event = 0;  // events.size() after this change; 0 = produced none
    };
    std::vector<outcome> outcomes(batch.size());
    std::vector<v1::Event> events;
    std::vector<size_t> secret_ballots;  // indexes into events, sealed right before the append
    store::append_result appended;
    bool head_checked = false;
    for (size_t attempt = 0;; ++attempt) {
      // Each change is decided on the state after the batch's earlier changes. That state is a
      // copy of the replica's (scratch), made only when an earlier change produced events: a
      // command alone in its batch is decided on the replica itself, since copying a large
      // meeting's state costs more than all the rest of a command's work.
      std::optional<v1::MeetingState> scratch;
      size_t evolved = 0;  // events[0, evolved) are applied to scratch
      const uint64_t base_seq = state_.seq();
      events.clear();
      secret_ballots.clear();
      const int64_t now = unix_millis();
      for (size_t i = 0; i < batch.size(); ++i) {
        outcomes[i] = {};
        if (evolved < events.size()) {
          if (!scratch) scratch = state_;
          for (; evolved < events.size(); ++evolved) domain::evolve(*scratch, events[evolved]);
        }
        const v1::MeetingState& decided_on = scratch ? *scratch : state_;
        auto decided = decide_change(decided_on, batch[i], now);
        if (auto* rejected = std::get_if<domain::rejection>(&decided)) {
          outcomes[i].error = std::move(*rejected);
          continue;
        }
        auto& produced = std::get<std::vector<v1::Event>>(decided);
        outcomes[i].first_event = events.size();
        if (produced.empty()) continue;
        for (auto& event : produced) {
          event.set_seq(base_seq + events.size() + 1);
          if (is_secret_ballot(decided_on, event)) secret_ballots.push_back(events.size());
          events.push_back(std::move(event));
        }
        outcomes[i].last_event = events.size();
      }
      if (events.empty()) {
        // Nothing to append, so no expected-seq check vouches that the state was the latest.
        // Behind a shared log another instance may have appended what this replica has not
        // heard of yet: a refusal is only answered after a look at the log's head.
        const bool refused = std::any_of(outcomes.begin(), outcomes.end(),
                                         [](const outcome& o) { return o.error.has_value(); });
        if (refused && log_.shared() && !head_checked) {
          head_checked = true;
          auto newer = co_await log_.read(meeting_id_, base_seq, 1000);
          co_await asio::dispatch(strand_, asio::use_awaitable);
          if (newer.status == store::read_status::ok && newer.epoch == epoch_)
            apply(newer.events);  // what pub/sub brought meanwhile is skipped as duplicate
          if (state_.seq() > base_seq) continue;  // decide again on the newer state
        }
        appended = {store::append_status::ok, base_seq, epoch_};
        break;
      }
      // The scratch state saw the choices; the log (every store, and the events channel) gets
      // them sealed. apply() opens them again below, as it does for every event from the log.
      bool sealed = true;
      for (size_t index : secret_ballots) sealed = sealed && seal_.seal_event(events[index]);
      if (!sealed) {
        spdlog::error("event=ballot_seal_failed meeting={}", meeting_id_);
        metrics_.append_failures++;
        appended = {store::append_status::unavailable, base_seq, epoch_};
        break;
      }
      metrics_.appends++;
      appended = co_await log_.append(meeting_id_, base_seq, events);
      co_await asio::dispatch(strand_, asio::use_awaitable);
      if (appended.status == store::append_status::ok) {
        // Apply our own events now; their echo from the log is then a duplicate.
        apply(events);
        break;
      }
      if (appended.status != store::append_status::conflict ||
          attempt + 1 >= config_.max_commit_retries) {
        metrics_.append_failures++;
        spdlog::warn("event=append_failed meeting={} status={} attempt={}", meeting_id_,
                     static_cast<int>(appended.status), attempt);
        break;
      }
      if (appended.epoch == epoch_ && appended.head_seq < base_seq) {
        // Not a race: the log lost events we applied. Fail the batch; a new epoch follows.
        appended.status = store::append_status::unavailable;
        on_regression(appended.head_seq);
        break;
      }
      // Someone appended first: catch up, then decide again on the newer state.
      metrics_.append_conflicts++;
      if (!catching_up_) {
        catching_up_ = true;
        co_await do_catch_up();
      }
    }

    if (appended.status != store::append_status::ok) {
      // Presence must not be lost to a store outage: retried until it commits.
      for (auto& change : batch)
        if (change.what == pending_change::kind::presence) restore_presence(std::move(change));
    }
    const uint64_t first_seq = appended.status == store::append_status::ok
                                   ? appended.head_seq - events.size()
                                   : 0;
    for (size_t i = 0; i < batch.size(); ++i) {
      const auto& change = batch[i];
      if (change.awaited) {
        auto& outcome = change.awaited->outcome;
        if (outcomes[i].error) {
          outcome = *outcomes[i].error;
        } else if (appended.status != store::append_status::ok) {
          outcome = domain::rejection{error_for(appended.status), message_for(appended.status)};
        } else {
          outcome = std::vector<v1::Event>(events.begin() + outcomes[i].first_event,
                                           events.begin() + outcomes[i].last_event);
        }
        change.awaited->done.cancel();
        continue;
      }
      if (change.what != pending_change::kind::command) continue;
      if (change.command.has_check_in()) {
        const bool wrong = outcomes[i].error &&
                           outcomes[i].error->code == v1::ERROR_CODE_INVALID_ARGUMENT;
        check_in_guard_.end_attempt(change.sender->viewer.participant_id(),
                                    check_in_guard::clock::now(), wrong);
      }
      if (outcomes[i].error) {
        metrics_.commands_rejected++;
        send_result(change.sender, change.request_id, &*outcomes[i].error, 0);
      } else if (appended.status != store::append_status::ok) {
        metrics_.commands_rejected++;
        domain::rejection failure{error_for(appended.status), message_for(appended.status)};
        send_result(change.sender, change.request_id, &failure, 0);
      } else {
        const uint64_t seq = outcomes[i].last_event ? first_seq + outcomes[i].last_event : 0;
        send_result(change.sender, change.request_id, nullptr, seq);
      }
    }
  }
  committing_ = false;
}

void meeting_replica::send_result(const std::shared_ptr<member>& to, uint64_t request_id,
                                  const domain::rejection* error, uint64_t seq) {
  v1::ServerMessage message;
  auto* result = message.mutable_result();
  result->set_request_id(request_id);
  result->set_ok(error == nullptr);
  result->set_seq(seq);
  if (error) {
    result->mutable_error()->set_code(error->code);
    result->mutable_error()->set_message(error->message);
  }
  to->connection->send(message);
}

void meeting_replica::arm_deadline_timer() {
  const int64_t deadline = domain::next_deadline_ms(state_);
  if (deadline == armed_deadline_ms_) return;
  armed_deadline_ms_ = deadline;
  if (deadline == 0) {
    deadline_timer_.cancel();
    return;
  }
  deadline_timer_.expires_after(std::chrono::milliseconds(std::max<int64_t>(0, deadline - unix_millis())));
  deadline_timer_.async_wait([weak = weak_from_this(), deadline](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->armed_deadline_ms_ != deadline) return;
    self->armed_deadline_ms_ = 0;
    // Any replica may propose; the log decides and the losers are rejected as already done.
    auto due = domain::due_commands(self->state_, unix_millis());
    if (due.empty()) {
      self->arm_deadline_timer();  // woke a little early: wait again rather than stall
      return;
    }
    for (auto& command : due) {
      // The domain has no randomness: the replica draws the new check-in code.
      if (command.has_rotate_check_in_code())
        command.mutable_rotate_check_in_code()->set_code(random_check_in_code());
      pending_change change;
      change.what = pending_change::kind::system_command;
      change.command = std::move(command);
      self->enqueue(std::move(change));
    }
    // The next apply() arms the timer again for whatever deadline remains.
  });
}

asio::awaitable<std::vector<std::string>> meeting_replica::connection_instances() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  std::vector<std::string> instances;
  auto note = [&](std::string instance) {
    if (std::find(instances.begin(), instances.end(), instance) == instances.end())
      instances.push_back(std::move(instance));
  };
  for (const auto& participant : state_.participants()) {
    for (const auto& connection_id : participant.connection_ids())
      note(instance_of_connection(connection_id));
  }
  for (const auto& count : state_.audience()) note(count.instance_id());
  co_return instances;
}

void meeting_replica::reconcile_connections(std::vector<std::string> dead_instances) {
  asio::post(strand_, [self = shared_from_this(), dead = std::move(dead_instances)] {
    // Our own connections are compared with the roster only when no presence change is on its
    // way to the log, so a join or leave in flight is not taken for a discrepancy.
    const bool settled = !self->committing_ && self->pending_.empty() && !self->presence_waiting();
    auto is_dead = [&](const std::string& instance) {
      return std::find(dead.begin(), dead.end(), instance) != dead.end();
    };
    std::set<std::string> in_roster;
    std::vector<domain::presence_change> changes;
    for (const auto& participant : self->state_.participants()) {
      for (const auto& connection_id : participant.connection_ids()) {
        in_roster.insert(connection_id);
        const auto instance = instance_of_connection(connection_id);
        // Ours but not joined here: left over from an earlier run under the same instance id.
        const bool stale_own = settled && instance == self->config_.instance_id &&
                               !self->members_.contains(connection_id);
        if (!is_dead(instance) && !stale_own) continue;
        spdlog::info("event=closing_dead_connection meeting={} participant={} connection={}",
                     self->meeting_id_, participant.id(), connection_id);
        domain::presence_change change;
        change.opened = false;
        change.who.set_id(participant.id());
        change.connection_id = connection_id;
        changes.push_back(std::move(change));
      }
    }
    // Joined here but missing from the roster: another instance took us for dead while we had
    // lost the store. Announce the connection again.
    if (settled) {
      for (const auto& [connection_id, m] : self->members_) {
        if (in_roster.contains(connection_id) || domain::counted_in_audience(m->viewer.role()))
          continue;
        spdlog::info("event=reopening_connection meeting={} participant={} connection={}",
                     self->meeting_id_, m->viewer.participant_id(), connection_id);
        domain::presence_change change;
        change.opened = true;
        change.who.set_id(m->viewer.participant_id());
        change.who.set_display_name(m->viewer.display_name());
        change.who.set_role(m->viewer.role());
        change.who.set_stakeholder_group(m->viewer.stakeholder_group());
        change.who.set_attendance(m->viewer.attendance());
        change.connection_id = connection_id;
        changes.push_back(std::move(change));
      }
    }
    // Audience counts: a dead instance's go to zero; ours are written again if the state holds
    // others (an earlier run under the same id, or zeroed while we had lost the store).
    bool audience = false;
    for (const auto& count : self->state_.audience()) {
      if (!is_dead(count.instance_id())) continue;
      v1::AudienceCount zero;
      zero.set_instance_id(count.instance_id());
      self->other_audience_.push_back(std::move(zero));
      audience = true;
    }
    if (settled) {
      const auto own = self->own_audience();
      uint32_t observers = 0, displays = 0;
      for (const auto& count : self->state_.audience()) {
        if (count.instance_id() != own.instance_id()) continue;
        observers = count.observers();
        displays = count.displays();
      }
      if (observers != own.observers() || displays != own.displays()) {
        self->audience_dirty_ = true;
        audience = true;
      }
    }
    for (auto& change : changes) self->presence_.push_back(std::move(change));
    if (!changes.empty() || audience) self->schedule_presence(std::chrono::milliseconds(0));
  });
}

asio::awaitable<void> meeting_replica::do_snapshot() {
  events_since_snapshot_ = 0;
  // An open secret poll's running tally goes to the store sealed, like its ballots.
  std::optional<v1::MeetingState> sealed;
  const bool secret_counting = std::any_of(
      state_.polls().begin(), state_.polls().end(), [](const v1::Poll& poll) {
        return poll.secrecy() == v1::POLL_SECRECY_SECRET && !poll.tally().empty() &&
               (poll.status() == v1::POLL_STATUS_DRAFT || poll.status() == v1::POLL_STATUS_OPEN);
      });
  if (secret_counting) {
    sealed = state_;
    if (!seal_.seal_running_tallies(*sealed)) {
      spdlog::error("event=tally_seal_failed meeting={} seq={}", meeting_id_, state_.seq());
      snapshotting_ = false;
      co_return;
    }
  }
  co_await log_.save_snapshot(meeting_id_, sealed ? *sealed : state_);
  co_await asio::dispatch(strand_, asio::use_awaitable);
  metrics_.snapshots_written++;
  snapshotting_ = false;
}

asio::awaitable<std::vector<std::string>> meeting_replica::stakeholder_groups() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  co_return std::vector<std::string>(state_.stakeholder_groups().begin(),
                                     state_.stakeholder_groups().end());
}

asio::awaitable<meeting_replica::system_outcome> meeting_replica::decide_system(
    v1::Command command) {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  auto awaited = std::make_shared<pending_change::waiter>(strand_);
  awaited->done.expires_at(std::chrono::steady_clock::time_point::max());
  pending_change change;
  change.what = pending_change::kind::system_command;
  change.command = std::move(command);
  change.awaited = awaited;
  enqueue(std::move(change));
  // Cancelled on the strand once the commit has an outcome for it.
  boost::system::error_code ignored;
  co_await awaited->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (!awaited->outcome)
    co_return domain::rejection{v1::ERROR_CODE_UNAVAILABLE, "the meeting is unavailable"};
  co_return std::move(*awaited->outcome);
}

asio::awaitable<v1::MeetingState> meeting_replica::state_copy() {
  co_await asio::dispatch(strand_, asio::use_awaitable);
  co_return state_;
}

void meeting_replica::close_all() {
  asio::post(strand_, [self = shared_from_this()] {
    for (auto& [id, m] : self->members_)
      m->connection->close_with_error(net::close_code::going_away, v1::ERROR_CODE_UNAVAILABLE,
                                      "the server is shutting down; reconnect to resume");
  });
}

bool meeting_replica::limits_connections(v1::Role role) {
  // One display or observer link may serve many screens or a whole audience: those are bounded
  // by the per-address and per-meeting limits instead.
  return role == v1::ROLE_PARTICIPANT || role == v1::ROLE_MODERATOR;
}

size_t meeting_replica::live_connections_of(const std::string& participant_id) const {
  // Ours from the members (joined this instant, before the roster hears of it); the other
  // instances' from the roster, which their joins reach through the log.
  size_t held = 0;
  if (auto it = local_connections_.find(participant_id); it != local_connections_.end())
    held = it->second;
  for (const auto& participant : state_.participants()) {
    if (participant.id() != participant_id) continue;
    for (const auto& connection_id : participant.connection_ids()) {
      if (instance_of_connection(connection_id) != config_.instance_id) ++held;
    }
    break;
  }
  return held;
}

std::string meeting_replica::fresh_id() { return random_id(12); }

domain::command_context meeting_replica::context_for(std::string actor_id, v1::Role role,
                                                     int64_t now_ms) {
  domain::command_context context{std::move(actor_id), role, now_ms, fresh_id()};
  context.check_in_rotation_ms = config_.check_in_rotation_ms;
  return context;
}

}  // namespace majlis::app

// The sans-I/O core of a meeting replica: the state folded from the log, the resume window, the
// group-commit pipeline, deadlines and presence coalescing. It never reads a clock and never
// does I/O: inputs (commands, joins and leaves, events from the log, wake-ups) come in with the
// time, and what must happen next (append a batch, send to an audience, answer, wake me at T)
// goes out as actions, which the strand shell (meeting_replica) drains and runs, in order.
// No Asio or Beast here, so it is unit-tested with an injected clock (tests/unit/app).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "app/app_metrics.hpp"
#include "app/ballot_seal.hpp"
#include "app/check_in_guard.hpp"
#include "app/replica_config.hpp"
#include "domain/decider.hpp"
#include "domain/projection.hpp"
#include "majlis/v1/wire.pb.h"

namespace majlis::app {

struct member;  // the shell's: where a command's answer goes (opaque here, never dereferenced)

class replica_core {
 public:
  using steady_time = std::chrono::steady_clock::time_point;
  // What a system command came to: its committed events (with seq), or why not.
  using system_outcome = std::variant<std::vector<v1::Event>, domain::rejection>;

  // --- Actions, run by the shell in the order given ---
  // Send these newly applied events to every audience (projected per audience). The pointers
  // stay valid until the next input that applies events.
  struct broadcast {
    std::vector<const v1::Event*> events;
  };
  // Close this instance's connections of a participant removed (4003) or put in the lobby (4010).
  struct close_participant {
    std::string participant_id;
    v1::AdmissionStatus admission = v1::ADMISSION_STATUS_UNSPECIFIED;
  };
  // A client command's Result.
  struct answer {
    std::shared_ptr<member> to;
    uint64_t request_id = 0;
    std::optional<domain::rejection> error;
    uint64_t seq = 0;
  };
  // A system command's outcome, for whoever awaits `ticket` (submit_system).
  struct answer_system {
    uint64_t ticket = 0;
    system_outcome outcome;
  };
  struct start_commit {};    // run the commit loop (take_batch … finish_batch) until !has_work()
  struct start_catch_up {};  // read the log from state().seq(): a gap was seen
  struct write_snapshot {};  // save snapshot_for_store(), then snapshot_written()
  // Wake on_deadline(unix_ms, now) at wall-clock time unix_ms; 0 = cancel the wake-up.
  struct schedule_deadline {
    int64_t unix_ms = 0;
  };
  // Wake on_presence_due() at steady time `at`.
  struct schedule_presence {
    steady_time at;
  };
  using action = std::variant<broadcast, close_participant, answer, answer_system, start_commit,
                              start_catch_up, write_snapshot, schedule_deadline, schedule_presence>;

  // A change waiting for the next append: a client command, a system command (deadline or
  // HTTP API), or the presence changes gathered since the last one.
  struct pending_change {
    enum class kind { command, system_command, presence };
    kind what = kind::command;
    std::shared_ptr<member> sender;  // command
    std::string actor_id;            // command: the sender's participant id
    v1::Role role = v1::ROLE_UNSPECIFIED;
    uint64_t request_id = 0;
    v1::Command command;
    uint64_t ticket = 0;  // system command someone awaits (answer_system); 0 = nobody
    std::vector<domain::presence_change> presence;  // presence: listed people's connections
    std::vector<v1::AudienceCount> other_audience;   // presence: dead instances' counts (zero)
  };

  // One batch decided against the state: the events to append at base_seq, and for each change
  // its refusal or its slice of the events.
  struct decided_batch {
    struct outcome {
      std::optional<domain::rejection> error;
      size_t first_event = 0;  // events.size() before this change
      size_t last_event = 0;   // events.size() after this change; 0 = produced none
    };
    uint64_t base_seq = 0;
    std::vector<v1::Event> events;  // with seq; secret ballots sealed
    std::vector<outcome> outcomes;
    bool refused = false;  // some change was refused
    bool sealed = true;    // false: a secret ballot could not be sealed (do not append)
  };

  replica_core(std::string meeting_id, const replica_config& config, app_metrics& metrics);

  // Everything decided since the last call, in order.
  std::vector<action> take_actions();

  // --- State and the resume window ---
  const v1::MeetingState& state() const { return state_; }
  uint64_t epoch() const { return epoch_; }
  const std::deque<v1::Event>& resume_window() const { return recent_; }
  // A snapshot from the store (load, reload, a catch-up past a trim): its sealed running
  // tallies opened, the resume window emptied. `epoch` unchanged when not given.
  void reset(v1::MeetingState state, std::optional<uint64_t> epoch = std::nullopt);
  // After a restart: the events up to the snapshot (ascending, ending at state().seq()), so
  // resuming clients get a replay. Ignored unless contiguous and ending at state().seq().
  void set_resume_window(std::deque<v1::Event> events);
  // Applies events in seq order: duplicates skipped; a gap stops and asks for a catch-up.
  // Actions: broadcast, close_participant, schedule_deadline, write_snapshot, start_catch_up.
  void apply(const std::vector<v1::Event>& events);
  // Exactly the events after resume.seq, projected for `audience`, when the window holds them
  // all (same epoch) and they fit max_replay_bytes; nullopt: welcome with a snapshot instead.
  std::optional<v1::Replay> replay_for(const v1::Resume& resume, domain::audience audience);

  // --- Group commit ---
  // A client command. A check-in past the guessing brake is answered at once.
  void submit(std::shared_ptr<member> sender, std::string actor_id, v1::Role role,
              uint64_t request_id, v1::Command command, steady_time now);
  // A system command; `ticket` (non-zero) gets an answer_system with its outcome.
  void submit_system(v1::Command command, uint64_t ticket = 0);
  // Commands wait, or presence is due: the commit loop has a batch to take.
  bool has_work() const;
  bool committing() const { return committing_; }
  bool has_pending() const { return !pending_.empty(); }
  // The next batch: the presence changes (when due, or with any command, whose sender may have
  // just joined), then up to max_batch_commands commands in arrival order.
  std::vector<pending_change> take_batch(steady_time now);
  // Decides the batch on the current state; each change sees the earlier ones' events.
  decided_batch decide_batch(const std::vector<pending_change>& batch, int64_t now_ms);
  // The batch's end: committed (the shell applied `decided.events`) when `failure` is null, else
  // not. Answers every change; presence that did not commit waits again (presence_retry).
  void finish_batch(std::vector<pending_change> batch, const decided_batch& decided,
                    const domain::rejection* failure, steady_time now);
  // The commit loop found no more work.
  void commit_stopped() { committing_ = false; }

  // --- Presence (coalesced: at most one PresenceChanged per presence_interval) ---
  void connection_opened(domain::presence_change change, steady_time now);
  void connection_closed(domain::presence_change change, steady_time now);
  // An observer or display joined or left this instance (counted, not listed).
  void audience_joined(v1::Role role, steady_time now);
  void audience_left(v1::Role role, steady_time now);
  // Reconciliation: changes for the roster, dead instances' counts to zero, and whether our own
  // counts must be written again; flushed at once.
  void correct_presence(std::vector<domain::presence_change> changes,
                        std::vector<v1::AudienceCount> zero_counts, bool own_counts,
                        steady_time now);
  // The schedule_presence wake-up fired.
  void on_presence_due();
  // What presence waits is due now, whatever the interval (the server is draining).
  void flush_presence_now();
  bool presence_waiting() const;
  // Nothing on its way to the log: no batch committing, no change queued, no presence waiting.
  bool settled() const { return !committing() && !has_pending() && !presence_waiting(); }
  // This instance's observer and display connections, as the state should count them.
  v1::AudienceCount own_audience() const;

  // --- Deadlines ---
  // The schedule_deadline wake-up for `deadline_ms` fired at `now_ms`: due commands are queued;
  // early (nothing due yet), the same deadline is scheduled again.
  void on_deadline(int64_t deadline_ms, int64_t now_ms);

  // --- Snapshots ---
  // What to save: the state, or a copy with an open secret poll's running tally sealed
  // (written into `sealed`). Null when it cannot be sealed (then snapshot_written() is implied).
  const v1::MeetingState* snapshot_for_store(std::optional<v1::MeetingState>& sealed);
  void snapshot_written() { snapshotting_ = false; }

 private:
  void enqueue(pending_change change);
  void add_presence(domain::presence_change change, steady_time now);
  void arm_presence(steady_time at);
  steady_time presence_due_at(steady_time now) const;
  // The configured interval, stretched for a large audience (replica_config).
  std::chrono::milliseconds presence_interval() const;
  pending_change take_presence(steady_time now);
  void restore_presence(pending_change change, steady_time now);
  void arm_deadline();
  void evolve_opened(const v1::Event& event);
  void open_snapshot(v1::MeetingState& state);
  void trim_window();
  std::variant<std::vector<v1::Event>, domain::rejection> decide_change(
      const v1::MeetingState& scratch, const pending_change& change, int64_t now_ms);
  domain::command_context context_for(std::string actor_id, v1::Role role, int64_t now_ms);

  std::string meeting_id_;
  const replica_config& config_;
  app_metrics& metrics_;
  std::vector<action> actions_;

  v1::MeetingState state_;
  uint64_t epoch_ = 0;
  std::deque<v1::Event> recent_;  // resume window: the last events applied, ascending
  std::deque<pending_change> pending_;
  bool committing_ = false;
  bool snapshotting_ = false;
  size_t events_since_snapshot_ = 0;
  int64_t armed_deadline_ms_ = 0;
  // Presence waiting for the next PresenceChanged (flushed when due, or at once with the next
  // command's commit, so a joiner's command finds them on the roster).
  std::vector<domain::presence_change> presence_;
  std::vector<v1::AudienceCount> other_audience_;  // dead instances' counts to zero
  bool audience_dirty_ = false;  // own_audience() may differ from the state's
  bool presence_due_ = false;    // the wake-up fired: commit what waits
  bool presence_armed_ = false;
  steady_time last_presence_flush_{};
  uint32_t local_observers_ = 0;
  uint32_t local_displays_ = 0;
  uint32_t listed_connections_ = 0;  // this instance's connections of listed people
  ballot_seal seal_;               // secret ballots are sealed in the log, opened before evolve
  check_in_guard check_in_guard_;  // wrong check-in codes per participant (brute force)
};

}  // namespace majlis::app

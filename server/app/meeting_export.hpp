// The audit trail of a meeting: its event log read from the store, folded through the domain's
// evolve, written as NDJSON in the protobuf JSON mapping (README "HTTP API", export).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "app/ballot_seal.hpp"
#include "majlis/v1/events.pb.h"
#include "majlis/v1/state.pb.h"
#include "store/event_log.hpp"

namespace majlis::app {

// Who reads an export. The operator can read the store anyway and gets the log as stored (secret
// ballots sealed, and in the state lines an open secret poll's running tally too: the export
// does not link voter and choice either). A
// chair gets what the chair's console was sent: events and states projected for the moderator
// audience, so no secret ballot's choice, and no running tally of an open secret poll.
enum class export_reader {
  operator_admin,  // the admin key
  moderator,       // a moderator token of the meeting
};

// One export, line by line (pure: no I/O). Lines, each one JSON object with one key:
//   {"export":{meetingId, epoch, headSeq, exportedAtMs, complete, secretChoicesRedacted}}
//   {"snapshot":MeetingState}   only when the log no longer starts at seq 1 (complete:false)
//   {"event":Event}             one per event, in seq order
//   {"state":MeetingState}      the state after the last event
class export_document {
 public:
  // The signing secret opens sealed secret ballots for the fold; the event lines keep them sealed.
  export_document(std::string meeting_id, uint64_t epoch, export_reader reader,
                  std::string_view signing_secret);

  // Starts from a snapshot instead of the empty state; only before the first event.
  void start_from_snapshot(v1::MeetingState snapshot);

  // Applies the next event. False, and nothing changes, when it does not follow the last seq.
  bool add_event(const v1::Event& event);

  bool has_events() const { return event_count_ > 0; }
  uint64_t seq() const { return state_.seq(); }
  uint64_t epoch() const { return epoch_; }
  // The true state after the last event (never projected).
  const v1::MeetingState& state() const { return state_; }
  // Sealed secret ballots that could not be opened (so not counted in the state lines).
  uint64_t unopened_ballots() const { return unopened_ballots_; }

  // The whole export. Throws std::invalid_argument if a message cannot be encoded as JSON.
  std::string finish(int64_t exported_at_ms) const;

 private:
  std::string meeting_id_;
  uint64_t epoch_;
  export_reader reader_;
  v1::MeetingState state_;
  std::optional<v1::MeetingState> snapshot_;
  std::string event_lines_;
  uint64_t event_count_ = 0;
  ballot_seal seal_;
  uint64_t unopened_ballots_ = 0;
};

enum class export_status {
  ok,
  not_found,    // no such meeting
  unavailable,  // the store cannot be reached, or the log changed (epoch, trim) midway: retry
  broken,       // the log is not contiguous, or trimmed with no snapshot (a bug or a damaged store)
};

struct export_result {
  export_status status = export_status::unavailable;
  std::string body;     // the NDJSON when ok
  std::string problem;  // a readable reason otherwise
};

// Largest page asked of event_log::read.
inline constexpr size_t export_page_events = 1000;

// Reads the meeting's log up to the head seen at the first read, in pages, from seq 1 or from
// the latest snapshot when the log was trimmed. The export is built in memory: it holds the
// meeting's log once more, as JSON, for the length of the request.
boost::asio::awaitable<export_result> export_meeting(store::event_log& log, std::string meeting_id,
                                                     export_reader reader, int64_t exported_at_ms,
                                                     std::string signing_secret);

}  // namespace majlis::app

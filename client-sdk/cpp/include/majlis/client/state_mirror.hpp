// A client's copy of one meeting's state, kept by applying what the server sends in seq order.
// Pure: no I/O, no clock. The meeting client feeds it; tests feed it directly.
#pragma once

#include <cstdint>

#include "majlis/v1/state.pb.h"
#include "majlis/v1/wire.pb.h"

namespace majlis::client {

// What applying a Welcome or an EventBatch did to the mirror.
enum class apply_outcome {
  applied,            // at least one event was applied (or a snapshot loaded); the mirror is consistent
  duplicate_ignored,  // nothing new: every event had seq <= the mirror's seq
  gap,                // an event (or the Welcome) does not follow the mirror's seq: nothing after it
                      // was applied; the caller must resume or reload a snapshot
};

const char* to_string(apply_outcome outcome);

// The mirrored state, its log epoch and the seq of the last event applied. Events are applied
// strictly in seq order through majlis::domain::evolve, the same function the server uses, so the
// mirror cannot drift from the server's replica. An event with no kind set is a redacted stub: it
// only advances the seq.
class state_mirror {
 public:
  // A snapshot replaces the state (any epoch). A replay must continue the mirror's seq in the same
  // epoch and reach the Welcome's seq; otherwise the outcome is gap.
  apply_outcome apply(const v1::Welcome& welcome);
  // Applies events with seq == seq()+1 in order, ignores seq <= seq(), stops at the first gap.
  apply_outcome apply(const v1::EventBatch& batch);

  const v1::MeetingState& state() const { return state_; }
  std::uint64_t epoch() const { return epoch_; }
  std::uint64_t seq() const { return seq_; }
  // True once a Welcome has been applied: only then is resume_point() meaningful.
  bool has_state() const { return has_state_; }
  // What a reconnecting client sends in Join.resume.
  v1::Resume resume_point() const;

  // Cumulative over the mirror's life (reset() clears them too).
  std::uint64_t events_applied() const { return events_applied_; }  // stubs included
  std::uint64_t stubs_applied() const { return stubs_applied_; }
  std::uint64_t duplicates_ignored() const { return duplicates_ignored_; }
  std::uint64_t snapshots_loaded() const { return snapshots_loaded_; }

  // Forgets everything: the next Welcome must carry a snapshot.
  void reset();

 private:
  apply_outcome apply_events(const google::protobuf::RepeatedPtrField<v1::Event>& events);

  v1::MeetingState state_;
  std::uint64_t epoch_ = 0;
  std::uint64_t seq_ = 0;
  bool has_state_ = false;
  std::uint64_t events_applied_ = 0;
  std::uint64_t stubs_applied_ = 0;
  std::uint64_t duplicates_ignored_ = 0;
  std::uint64_t snapshots_loaded_ = 0;
};

}  // namespace majlis::client

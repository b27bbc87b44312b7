#include "majlis/client/state_mirror.hpp"

#include "decider.hpp"  // majlis::domain

namespace majlis::client {

const char* to_string(apply_outcome outcome) {
  switch (outcome) {
    case apply_outcome::applied:
      return "applied";
    case apply_outcome::duplicate_ignored:
      return "duplicate_ignored";
    case apply_outcome::gap:
      return "gap";
  }
  return "unknown";
}

apply_outcome state_mirror::apply(const v1::Welcome& welcome) {
  if (welcome.has_snapshot()) {
    state_ = welcome.snapshot();
    epoch_ = welcome.epoch();
    seq_ = welcome.seq();
    state_.set_seq(seq_);
    has_state_ = true;
    ++snapshots_loaded_;
    return apply_outcome::applied;
  }
  // A replay continues what we hold; across epochs the seqs mean different events.
  if (has_state_ && welcome.epoch() != epoch_) return apply_outcome::gap;
  const auto outcome = apply_events(welcome.replay().events());
  if (outcome == apply_outcome::gap || seq_ < welcome.seq()) return apply_outcome::gap;
  epoch_ = welcome.epoch();
  has_state_ = true;
  return outcome;
}

apply_outcome state_mirror::apply(const v1::EventBatch& batch) { return apply_events(batch.events()); }

apply_outcome state_mirror::apply_events(const google::protobuf::RepeatedPtrField<v1::Event>& events) {
  bool any_applied = false;
  for (const auto& event : events) {
    if (event.seq() <= seq_) {
      ++duplicates_ignored_;
      continue;
    }
    if (event.seq() != seq_ + 1) return apply_outcome::gap;
    if (event.kind_case() == v1::Event::KIND_NOT_SET) {
      ++stubs_applied_;
    } else {
      domain::evolve(state_, event);
    }
    // The seq is the log's, whatever evolve made of the event.
    seq_ = event.seq();
    state_.set_seq(seq_);
    ++events_applied_;
    any_applied = true;
  }
  return any_applied ? apply_outcome::applied : apply_outcome::duplicate_ignored;
}

v1::Resume state_mirror::resume_point() const {
  v1::Resume resume;
  resume.set_epoch(epoch_);
  resume.set_seq(seq_);
  return resume;
}

void state_mirror::reset() { *this = state_mirror{}; }

}  // namespace majlis::client

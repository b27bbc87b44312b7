// Random command sequences against one meeting, checking the domain's invariants after every
// step. Shared by domain_random_sequence_test (GoogleTest, fixed seeds) and the libFuzzer
// target tests/fuzz/domain_fuzz.cpp (bytes from the fuzzer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "decider.hpp"
#include "projection.hpp"

namespace majlis::domain::testing {

// Turns bytes into choices; reads zeros once exhausted.
class byte_reader {
 public:
  byte_reader(const uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  uint32_t below(uint32_t n) { return n == 0 ? 0 : byte() % n; }
  bool chance(uint32_t one_in) { return below(one_in) == 0; }

 private:
  const uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

// Invariants of an authoritative state; the first one broken, described.
std::optional<std::string> check_invariants(const v1::MeetingState& state);

// One meeting (with a chair, participants, a display and an observer), four audience
// mirrors fed projected events, and the log of every event applied (with its seq).
class command_sequence {
 public:
  // With may_end_meeting false, an end-meeting command becomes a next-speaker one, so the
  // meeting stays live (tests/vectors/make_mirror_vectors wants deep states throughout).
  explicit command_sequence(bool may_end_meeting = true);

  // Decides one command built from the bytes (or a join, leave, or due deadline), applies
  // the events, and checks every invariant. Returns false once a violation is found.
  bool step(byte_reader& bytes);
  // Runs steps until the bytes are used up or something breaks.
  void run(byte_reader& bytes, std::size_t max_steps = 10'000);

  const std::optional<std::string>& violation() const { return violation_; }
  const v1::MeetingState& state() const { return state_; }
  std::size_t accepted() const { return accepted_; }
  std::size_t refused() const { return refused_; }
  // Every event applied to the authoritative state, from the meeting's creation, with its
  // seq: log()[i].seq() == i + 1 (tests/vectors/make_mirror_vectors replays it).
  const std::vector<v1::Event>& log() const { return log_; }

 private:
  struct actor {
    std::string id;
    v1::Role role;
  };
  struct mirror {
    audience who;
    std::string viewer_id;
    v1::MeetingState state;
  };

  v1::Command make_command(byte_reader& bytes);
  std::string pick_item(byte_reader& bytes) const;
  std::string pick_poll(byte_reader& bytes) const;
  std::string pick_entry(byte_reader& bytes) const;
  std::string pick_contribution(byte_reader& bytes) const;
  std::string pick_participant(byte_reader& bytes) const;
  std::string pick_text(byte_reader& bytes) const;
  std::string random_code(byte_reader& bytes) const;  // six digits

  void decide_and_apply(const v1::Command& command, const command_context& context);
  void apply(std::vector<v1::Event>& events, const command_context* context);
  void check_mirrors();
  void fail(std::string what);

  bool may_end_meeting_;
  v1::MeetingState state_;
  std::vector<v1::Event> log_;
  std::vector<actor> actors_;
  std::vector<mirror> mirrors_;
  int64_t now_ms_ = 1'700'000'000'000;
  uint64_t fresh_ = 0;
  uint64_t connections_ = 0;
  std::size_t accepted_ = 0;
  std::size_t refused_ = 0;
  uint64_t checked_seq_ = 0;
  std::optional<std::string> violation_;
};

}  // namespace majlis::domain::testing

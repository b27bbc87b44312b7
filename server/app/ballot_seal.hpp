// Secret ballots sealed in the event log: the choices of a secret poll's BallotCast are stored
// encrypted (AES-256-GCM) in sealed_choices, so whoever reads the store, a backup or the events
// channel without the signing secret learns who voted but not what. Replicas, which hold the
// secret, open them before they count.
//
// Format of sealed_choices (version 1):
//   byte 0        version (1)
//   bytes 1..12   random nonce
//   then          ciphertext, then the 16-byte GCM tag. The plaintext is a 2-byte big-endian
//                 length, a v1::Ballot holding only the choices (or the tally's counts), and
//                 zeros up to a multiple of 64 bytes: every ballot seals to the same length.
// Key: HKDF-SHA256(signing secret, salt "majlis/ballot-seal/v1", info "secret ballot choices of
// meeting <id>"), one per meeting. Associated data: the version byte, what is sealed (a ballot or
// a running tally) and the meeting, poll and voter ids or snapshot seq (length-prefixed), so a
// sealed blob cannot be moved to another voter, poll, meeting or snapshot.
//
// Stored snapshots seal the running tally of open secret polls the same way (Poll.sealed_tally):
// two snapshots, or one and the closing tally in the log, would otherwise link the ballots
// between them to their choices.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "majlis/v1/events.pb.h"
#include "majlis/v1/state.pb.h"

namespace majlis::app {

inline constexpr unsigned char ballot_seal_version = 1;

class ballot_seal {
 public:
  // Derives the meeting's key. Throws std::runtime_error if OpenSSL cannot.
  ballot_seal(std::string_view signing_secret, std::string meeting_id);

  // The sealed form of `choices` for this poll and voter; nullopt if OpenSSL fails.
  std::optional<std::string> seal(std::string_view poll_id, std::string_view voter_id,
                                  const std::vector<uint32_t>& choices) const;
  // The choices; nullopt when `sealed` is not this meeting's seal for this poll and voter
  // (another key, another voter or poll, altered bytes, an unknown version).
  std::optional<std::vector<uint32_t>> open(std::string_view poll_id, std::string_view voter_id,
                                            std::string_view sealed) const;

  // A snapshot for the store: the running tallies of open secret polls moved into sealed_tally.
  // False if OpenSSL fails. `repeatable`: the nonce is derived from the sealed content (a keyed
  // hash, SIV-style) instead of random, so the same state seals to the same bytes — two exports
  // of an unchanged meeting are identical; only equal tallies at the same seq look equal.
  bool seal_running_tallies(v1::MeetingState& snapshot, bool repeatable = false) const;
  // The tallies back from a stored snapshot; the count of those that could not be opened (they
  // are left empty: those ballots are not counted).
  int open_running_tallies(v1::MeetingState& snapshot) const;

  // Moves a BallotCast's choices into sealed_choices. False (event unchanged) if OpenSSL fails.
  bool seal_event(v1::Event& event) const;

  enum class opened { not_sealed, opened, failed };
  // Puts a sealed BallotCast's choices back and clears sealed_choices. On failure the ballot is
  // left without choices (the voter is recorded, nothing is counted).
  opened open_event(v1::Event& event) const;

  const std::string& meeting_id() const { return meeting_id_; }

 private:
  std::string associated_data(char what, std::string_view poll_id, std::string_view subject) const;
  std::optional<std::string> seal_values(const std::string& aad,
                                         const std::vector<uint32_t>& values,
                                         bool repeatable = false) const;
  std::optional<std::vector<uint32_t>> open_values(const std::string& aad,
                                                   std::string_view sealed) const;

  std::string meeting_id_;
  std::array<unsigned char, 32> key_{};        // AES-256-GCM
  std::array<unsigned char, 32> nonce_key_{};  // HMAC-SHA256 for repeatable nonces
};

// Is this event a ballot in a secret poll of `state` (the state the ballot was decided on)?
bool is_secret_ballot(const v1::MeetingState& state, const v1::Event& event);

}  // namespace majlis::app

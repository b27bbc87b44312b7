#include "app/ballot_seal.hpp"

#include <gtest/gtest.h>

#include <set>

namespace majlis::app {
namespace {

const std::string secret = "a-signing-secret-of-at-least-32-bytes-for-tests";

v1::Event ballot(std::string poll, std::string voter, std::vector<uint32_t> choices) {
  v1::Event event;
  event.set_seq(7);
  auto& cast = *event.mutable_ballot_cast();
  cast.set_poll_id(std::move(poll));
  cast.set_voter_id(std::move(voter));
  for (auto c : choices) cast.add_choices(c);
  return event;
}

TEST(ballot_seal, round_trip_gives_the_choices_back) {
  const ballot_seal seal(secret, "m1");
  const auto sealed = seal.seal("p1", "amina", {2, 0, 5});
  ASSERT_TRUE(sealed);
  EXPECT_EQ(static_cast<unsigned char>((*sealed)[0]), ballot_seal_version);
  const auto opened = seal.open("p1", "amina", *sealed);
  ASSERT_TRUE(opened);
  EXPECT_EQ(*opened, (std::vector<uint32_t>{2, 0, 5}));
  // Another replica with the same secret derives the same key.
  EXPECT_EQ(ballot_seal(secret, "m1").open("p1", "amina", *sealed), opened);
}

TEST(ballot_seal, every_ballot_seals_to_the_same_length) {
  // The length must not tell how many options someone chose in a multiple-choice poll.
  const ballot_seal seal(secret, "m1");
  const auto one = seal.seal("p1", "amina", {1});
  std::vector<uint32_t> twenty;
  for (uint32_t i = 0; i < 20; ++i) twenty.push_back(i);
  const auto many = seal.seal("p1", "amina", twenty);
  ASSERT_TRUE(one && many);
  EXPECT_EQ(one->size(), many->size());
  EXPECT_EQ(seal.open("p1", "amina", *many), twenty);
}

TEST(ballot_seal, same_choice_sealed_twice_looks_different) {
  const ballot_seal seal(secret, "m1");
  EXPECT_NE(seal.seal("p1", "amina", {1}), seal.seal("p1", "amina", {1}));
}

TEST(ballot_seal, another_voter_poll_meeting_or_key_cannot_open) {
  const ballot_seal seal(secret, "m1");
  const auto sealed = *seal.seal("p1", "amina", {1});
  EXPECT_FALSE(seal.open("p1", "yusuf", sealed));                 // moved to another voter
  EXPECT_FALSE(seal.open("p2", "amina", sealed));                 // moved to another poll
  EXPECT_FALSE(seal.open("p1am", "ina", sealed));                 // ids shifted across the boundary
  EXPECT_FALSE(ballot_seal(secret, "m2").open("p1", "amina", sealed));   // another meeting
  EXPECT_FALSE(ballot_seal(secret + "x", "m1").open("p1", "amina", sealed));  // another secret
}

TEST(ballot_seal, any_altered_byte_or_truncation_fails) {
  const ballot_seal seal(secret, "m1");
  const auto sealed = *seal.seal("p1", "amina", {1, 3});
  for (size_t i = 0; i < sealed.size(); ++i) {
    auto tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_FALSE(seal.open("p1", "amina", tampered)) << "byte " << i;
  }
  EXPECT_FALSE(seal.open("p1", "amina", sealed.substr(0, sealed.size() - 1)));
  EXPECT_FALSE(seal.open("p1", "amina", ""));
  EXPECT_FALSE(seal.open("p1", "amina", std::string(1, '\x01')));
}

TEST(ballot_seal, sealed_event_carries_no_choices_and_no_plain_encoding) {
  const ballot_seal seal(secret, "m1");
  auto event = ballot("poll-1", "amina", {4});
  const std::string plain_choices = event.ballot_cast().SerializeAsString();
  ASSERT_TRUE(seal.seal_event(event));
  EXPECT_TRUE(event.ballot_cast().choices().empty());
  EXPECT_FALSE(event.ballot_cast().sealed_choices().empty());
  EXPECT_EQ(event.ballot_cast().voter_id(), "amina");
  // The plain ballot's encoding of the choices (field 3, value 4: 1a 01 04) is nowhere.
  v1::Ballot plain;
  plain.add_choices(4);
  const std::string encoded = event.SerializeAsString();
  EXPECT_EQ(encoded.find(std::string("\x1a\x01\x04", 3)), std::string::npos);
  EXPECT_EQ(encoded.find(plain.SerializeAsString()), std::string::npos);

  EXPECT_EQ(seal.open_event(event), ballot_seal::opened::opened);
  EXPECT_TRUE(event.ballot_cast().sealed_choices().empty());
  ASSERT_EQ(event.ballot_cast().choices_size(), 1);
  EXPECT_EQ(event.ballot_cast().choices(0), 4U);
}

TEST(ballot_seal, unopenable_event_keeps_the_voter_without_choices) {
  const ballot_seal seal(secret, "m1");
  auto event = ballot("poll-1", "amina", {4});
  ASSERT_TRUE(seal.seal_event(event));
  const ballot_seal other(secret + "-rotated", "m1");
  EXPECT_EQ(other.open_event(event), ballot_seal::opened::failed);
  EXPECT_TRUE(event.ballot_cast().choices().empty());
  EXPECT_TRUE(event.ballot_cast().sealed_choices().empty());
  EXPECT_EQ(event.ballot_cast().voter_id(), "amina");

  auto named = ballot("poll-2", "amina", {1});
  EXPECT_EQ(seal.open_event(named), ballot_seal::opened::not_sealed);
  EXPECT_EQ(named.ballot_cast().choices_size(), 1);
}

v1::MeetingState with_polls(uint64_t seq) {
  v1::MeetingState state;
  state.set_seq(seq);
  auto add = [&](std::string id, v1::PollSecrecy secrecy, v1::PollStatus status) {
    auto* poll = state.add_polls();
    poll->set_id(std::move(id));
    poll->set_secrecy(secrecy);
    poll->set_status(status);
    poll->add_tally(3);
    poll->add_tally(1);
  };
  add("open-secret", v1::POLL_SECRECY_SECRET, v1::POLL_STATUS_OPEN);
  add("closed-secret", v1::POLL_SECRECY_SECRET, v1::POLL_STATUS_CLOSED);
  add("open-named", v1::POLL_SECRECY_NAMED, v1::POLL_STATUS_OPEN);
  return state;
}

TEST(ballot_seal, a_snapshot_seals_only_the_running_tally_of_open_secret_polls) {
  const ballot_seal seal(secret, "m1");
  const auto plain = with_polls(42);
  auto stored = plain;
  ASSERT_TRUE(seal.seal_running_tallies(stored));
  EXPECT_TRUE(stored.polls(0).tally().empty());
  EXPECT_FALSE(stored.polls(0).sealed_tally().empty());
  EXPECT_EQ(stored.polls(1).tally_size(), 2);  // closed: the result is public in the log anyway
  EXPECT_EQ(stored.polls(2).tally_size(), 2);  // named: the ballots are in clear anyway
  EXPECT_TRUE(stored.polls(2).sealed_tally().empty());

  // Random nonces for the store; repeatable ones (exports) give the same bytes for the same state.
  auto again = plain;
  ASSERT_TRUE(seal.seal_running_tallies(again));
  EXPECT_NE(again.polls(0).sealed_tally(), stored.polls(0).sealed_tally());
  auto repeatable = plain, repeated = plain;
  ASSERT_TRUE(seal.seal_running_tallies(repeatable, true));
  ASSERT_TRUE(seal.seal_running_tallies(repeated, true));
  EXPECT_EQ(repeatable.polls(0).sealed_tally(), repeated.polls(0).sealed_tally());
  EXPECT_EQ(seal.open_running_tallies(repeated), 0);
  EXPECT_EQ(repeated.SerializeAsString(), plain.SerializeAsString());

  auto opened = stored;
  EXPECT_EQ(seal.open_running_tallies(opened), 0);
  EXPECT_EQ(opened.SerializeAsString(), plain.SerializeAsString());

  // Under another key, or moved into a snapshot at another seq: not opened, not counted.
  auto other_key = stored;
  EXPECT_EQ(ballot_seal(secret + "x", "m1").open_running_tallies(other_key), 1);
  EXPECT_TRUE(other_key.polls(0).tally().empty());
  EXPECT_TRUE(other_key.polls(0).sealed_tally().empty());
  auto moved = stored;
  moved.set_seq(43);
  EXPECT_EQ(seal.open_running_tallies(moved), 1);
}

TEST(ballot_seal, finds_secret_ballots_by_the_poll_in_the_state) {
  v1::MeetingState state;
  auto* secret_poll = state.add_polls();
  secret_poll->set_id("s");
  secret_poll->set_secrecy(v1::POLL_SECRECY_SECRET);
  auto* named_poll = state.add_polls();
  named_poll->set_id("n");
  named_poll->set_secrecy(v1::POLL_SECRECY_NAMED);
  EXPECT_TRUE(is_secret_ballot(state, ballot("s", "a", {1})));
  EXPECT_FALSE(is_secret_ballot(state, ballot("n", "a", {1})));
  EXPECT_FALSE(is_secret_ballot(state, ballot("gone", "a", {1})));
  EXPECT_FALSE(is_secret_ballot(state, v1::Event()));
}

}  // namespace
}  // namespace majlis::app

// The fuzz target's invariant checker on a few thousand pseudo-random command sequences from
// fixed seeds, so CI exercises it without clang or libFuzzer.
#include <iostream>
#include <random>

#include <gtest/gtest.h>

#include "command_sequence.hpp"

namespace majlis::domain::testing {
namespace {

TEST(domain_random_sequence, invariants_hold_over_random_command_sequences) {
  constexpr int sequences = 2000;
  constexpr std::size_t bytes_per_sequence = 600;
  std::mt19937 random(20260101);
  std::size_t accepted = 0;
  std::size_t refused = 0;
  for (int run = 0; run < sequences; ++run) {
    std::vector<uint8_t> bytes(bytes_per_sequence);
    for (auto& b : bytes) b = static_cast<uint8_t>(random());
    byte_reader reader(bytes.data(), bytes.size());
    command_sequence sequence;
    sequence.run(reader);
    ASSERT_FALSE(sequence.violation().has_value())
        << "sequence " << run << ": " << *sequence.violation();
    accepted += sequence.accepted();
    refused += sequence.refused();
  }
  std::cout << "accepted " << accepted << ", refused " << refused << " commands\n";
  // The generator must reach deep states, not just bounce off rejections.
  EXPECT_GT(accepted, static_cast<std::size_t>(sequences) * 10);
  EXPECT_GT(refused, 0U);
}

TEST(domain_random_sequence, sequences_reach_polls_floors_and_contributions) {
  std::mt19937 random(7);
  int with_ballots = 0;
  int with_interventions = 0;
  int with_contributions = 0;
  for (int run = 0; run < 200; ++run) {
    std::vector<uint8_t> bytes(1500);
    for (auto& b : bytes) b = static_cast<uint8_t>(random());
    byte_reader reader(bytes.data(), bytes.size());
    command_sequence sequence;
    sequence.run(reader);
    ASSERT_FALSE(sequence.violation().has_value()) << *sequence.violation();
    for (const auto& poll : sequence.state().polls()) {
      if (!poll.voter_ids().empty()) {
        ++with_ballots;
        break;
      }
    }
    with_interventions += sequence.state().interventions_size() > 0 ? 1 : 0;
    with_contributions += sequence.state().contributions_size() > 0 ? 1 : 0;
  }
  std::cout << with_ballots << " with ballots, " << with_interventions << " with interventions, "
            << with_contributions << " with contributions (of 200)\n";
  EXPECT_GT(with_ballots, 0);
  EXPECT_GT(with_interventions, 0);
  EXPECT_GT(with_contributions, 0);
}

TEST(domain_random_sequence, the_checker_catches_a_broken_state) {
  command_sequence sequence;
  v1::MeetingState broken = sequence.state();
  auto* poll = broken.add_polls();
  poll->set_id("p");
  poll->set_kind(v1::POLL_KIND_SINGLE);
  poll->set_secrecy(v1::POLL_SECRECY_SECRET);
  poll->add_options("a");
  poll->add_options("b");
  poll->add_tally(1);
  poll->add_tally(0);
  poll->add_voter_ids("p1");
  poll->add_ballots()->set_voter_id("p1");
  const auto found = check_invariants(broken);
  ASSERT_TRUE(found.has_value());
  EXPECT_NE(found->find("secret"), std::string::npos);
}

}  // namespace
}  // namespace majlis::domain::testing

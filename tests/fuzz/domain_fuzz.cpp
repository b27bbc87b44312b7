// libFuzzer target: fuzzer bytes become a sequence of commands from random actors against one
// meeting; decide + evolve run, and the domain's invariants are checked after every step
// (one waiting request per kind per participant, seq increasing, tallies consistent with
// voters, no secret ballot stored or projected, audience mirrors equal projected snapshots).
// The same generator and checker run in tests/unit/domain/domain_random_sequence_test.cpp.
#include <cstdio>
#include <cstdlib>

#include "command_sequence.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  majlis::domain::testing::byte_reader bytes(data, size);
  majlis::domain::testing::command_sequence sequence;
  sequence.run(bytes);
  if (sequence.violation()) {
    std::fprintf(stderr, "domain invariant broken: %s\n", sequence.violation()->c_str());
    std::abort();
  }
  return 0;
}

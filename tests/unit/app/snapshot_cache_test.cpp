// The shared Welcome snapshots: one per audience and format at the current (epoch, seq).
#include "app/snapshot_cache.hpp"

#include <gtest/gtest.h>

namespace majlis::app {
namespace {

using domain::audience;
using net::wire_format;

snapshot_cache::bytes encoded(const char* text) { return std::make_shared<const std::string>(text); }

TEST(app_snapshot_cache, keeps_one_encoding_per_audience_and_format) {
  snapshot_cache cache;
  EXPECT_EQ(cache.find(1, 10, audience::participant, wire_format::binary), nullptr);
  const auto binary = encoded("b");
  const auto json = encoded("j");
  cache.store(1, 10, audience::participant, wire_format::binary, binary);
  cache.store(1, 10, audience::participant, wire_format::json, json);
  EXPECT_EQ(cache.find(1, 10, audience::participant, wire_format::binary), binary);
  EXPECT_EQ(cache.find(1, 10, audience::participant, wire_format::json), json);
  EXPECT_EQ(cache.find(1, 10, audience::moderator, wire_format::binary), nullptr);
  EXPECT_EQ(cache.find(1, 10, audience::public_view, wire_format::json), nullptr);
}

TEST(app_snapshot_cache, another_seq_or_epoch_finds_nothing_and_drops_the_old_ones) {
  snapshot_cache cache;
  cache.store(1, 10, audience::moderator, wire_format::binary, encoded("old"));
  EXPECT_EQ(cache.find(1, 11, audience::moderator, wire_format::binary), nullptr);
  EXPECT_EQ(cache.find(2, 10, audience::moderator, wire_format::binary), nullptr);
  cache.store(1, 11, audience::participant, wire_format::binary, encoded("new"));
  EXPECT_EQ(cache.find(1, 10, audience::moderator, wire_format::binary), nullptr);
  EXPECT_EQ(cache.find(1, 11, audience::moderator, wire_format::binary), nullptr);
  EXPECT_EQ(*cache.find(1, 11, audience::participant, wire_format::binary), "new");
}

}  // namespace
}  // namespace majlis::app

#include "net/url.hpp"

#include <gtest/gtest.h>

namespace majlis::net {
namespace {

TEST(net_url, percent_decode) {
  EXPECT_EQ(percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(percent_decode("a+b"), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%D8%B3"), "\xD8\xB3");
  EXPECT_FALSE(percent_decode("%"));
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%zz"));
}

TEST(net_url, split_target) {
  const auto a = split_target("/api/meetings?x=1#frag");
  EXPECT_EQ(a.path, "/api/meetings");
  EXPECT_EQ(a.query, "x=1");
  const auto b = split_target("/healthz");
  EXPECT_EQ(b.path, "/healthz");
  EXPECT_TRUE(b.query.empty());
}

TEST(net_url, parse_query) {
  const auto q = parse_query("a=1&b=x%20y&c&&d=p+q&a=2&bad=%zz");
  EXPECT_EQ(q.at("a"), "1");
  EXPECT_EQ(q.at("b"), "x y");
  EXPECT_EQ(q.at("c"), "");
  EXPECT_EQ(q.at("d"), "p q");
  EXPECT_EQ(q.count("bad"), 0u);
}

}  // namespace
}  // namespace majlis::net

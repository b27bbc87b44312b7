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

TEST(net_url, origin_of) {
  EXPECT_EQ(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(origin_of("HTTPS://Example.ORG:443/path?q#f"), "https://example.org");
  EXPECT_EQ(origin_of("http://example.org:80/"), "http://example.org");
  EXPECT_EQ(origin_of("https://example.org:8443"), "https://example.org:8443");
  EXPECT_EQ(origin_of("http://[::1]:9000/x"), "http://[::1]:9000");
  EXPECT_EQ(origin_of("http://[::1]"), "http://[::1]");
  EXPECT_FALSE(origin_of("ws://example.org"));
  EXPECT_FALSE(origin_of("null"));
  EXPECT_FALSE(origin_of("http://"));
  EXPECT_FALSE(origin_of("http://user@example.org"));
  EXPECT_FALSE(origin_of("http://example.org:x"));
}

TEST(net_url, origin_allowed) {
  const std::vector<std::string> allowed = {"https://meet.example.org", "http://127.0.0.1:8080"};
  EXPECT_TRUE(origin_allowed(std::nullopt, allowed));  // not a browser
  EXPECT_TRUE(origin_allowed(std::nullopt, {}));
  EXPECT_TRUE(origin_allowed("https://meet.example.org", allowed));
  EXPECT_TRUE(origin_allowed("https://MEET.example.org:443", allowed));
  EXPECT_TRUE(origin_allowed("http://127.0.0.1:8080", allowed));
  EXPECT_FALSE(origin_allowed("http://meet.example.org", allowed));  // other scheme
  EXPECT_FALSE(origin_allowed("http://127.0.0.1:8081", allowed));    // other port
  EXPECT_FALSE(origin_allowed("https://evil.example", allowed));
  EXPECT_FALSE(origin_allowed("null", allowed));
  EXPECT_FALSE(origin_allowed("https://evil.example", {}));
  EXPECT_TRUE(origin_allowed("https://evil.example", {"*"}));
  EXPECT_TRUE(origin_allowed("null", {"*"}));
}

}  // namespace
}  // namespace majlis::net

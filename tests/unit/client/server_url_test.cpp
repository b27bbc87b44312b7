#include "majlis/client/server_url.hpp"

#include <gtest/gtest.h>

namespace majlis::client {
namespace {

TEST(ServerUrl, ReadsHttpUrls) {
  const auto url = parse_server_url("http://127.0.0.1:8080");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "8080");
}

TEST(ServerUrl, DefaultsToPort80AndIgnoresThePath) {
  const auto url = parse_server_url("http://majlis.example/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "majlis.example");
  EXPECT_EQ(url->port, "80");
}

TEST(ServerUrl, ReadsBracketedIpv6AndWs) {
  const auto url = parse_server_url("ws://[::1]:9000/ws");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, "9000");
}

TEST(ServerUrl, ReadsABareHostAndPort) {
  const auto url = parse_server_url("localhost:8081");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, "8081");
}

TEST(ServerUrl, RefusesTlsAndNonsense) {
  EXPECT_FALSE(parse_server_url("https://host:443"));
  EXPECT_FALSE(parse_server_url("wss://host"));
  EXPECT_FALSE(parse_server_url("http://:8080"));
  EXPECT_FALSE(parse_server_url("http://host:port"));
  EXPECT_FALSE(parse_server_url("http://host:70000"));
  EXPECT_FALSE(parse_server_url("http://[::1"));
}

TEST(PercentEncode, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(percent_encode("abc-._~XYZ019"), "abc-._~XYZ019");
  EXPECT_EQ(percent_encode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(percent_encode("\xd8\xb3"), "%D8%B3");  // Arabic seen, UTF-8 bytes
}

}  // namespace
}  // namespace majlis::client

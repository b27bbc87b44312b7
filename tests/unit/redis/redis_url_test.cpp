#include "redis/redis_url.hpp"

#include <gtest/gtest.h>

namespace majlis::redis {
namespace {

TEST(RedisUrl, HostAndPort) {
  const auto url = parse_redis_url("redis://cache.internal:6380");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "cache.internal");
  EXPECT_EQ(url->port, 6380);
  EXPECT_EQ(url->database, 0);
  EXPECT_TRUE(url->password.empty());
  EXPECT_TRUE(url->username.empty());
}

TEST(RedisUrl, DefaultsToThePortOf6379) {
  const auto url = parse_redis_url("redis://localhost");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 6379);
}

TEST(RedisUrl, PasswordOnly) {
  const auto url = parse_redis_url("redis://:s3cret@127.0.0.1:6379/2");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_TRUE(url->username.empty());
  EXPECT_EQ(url->password, "s3cret");
  EXPECT_EQ(url->database, 2);
}

TEST(RedisUrl, UserAndPassword) {
  const auto url = parse_redis_url("redis://majlis:pa%40ss%3Aword@redis:6379/0");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->username, "majlis");
  EXPECT_EQ(url->password, "pa@ss:word");
  EXPECT_EQ(url->host, "redis");
}

TEST(RedisUrl, UserInfoWithoutColonIsAPassword) {
  const auto url = parse_redis_url("redis://secret@redis");
  ASSERT_TRUE(url);
  EXPECT_TRUE(url->username.empty());
  EXPECT_EQ(url->password, "secret");
}

TEST(RedisUrl, Ipv6) {
  const auto url = parse_redis_url("redis://[::1]:7000/3");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 7000);
  EXPECT_EQ(url->database, 3);
  const auto no_port = parse_redis_url("redis://[fe80::1]");
  ASSERT_TRUE(no_port);
  EXPECT_EQ(no_port->host, "fe80::1");
  EXPECT_EQ(no_port->port, 6379);
}

TEST(RedisUrl, TrailingSlashMeansDatabaseZero) {
  const auto url = parse_redis_url("redis://h:1/");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->database, 0);
}

TEST(RedisUrl, RejectsWhatItCannotServe) {
  for (const char* text :
       {"", "http://h:6379", "rediss://h:6379", "redis://", "redis://:6379",
        "redis://h:", "redis://h:0", "redis://h:65536", "redis://h:port", "redis://h/db",
        "redis://h/-1", "redis://[::1", "redis://[::1]x", "redis://::1:6379", "redis://:bad%zz@h",
        "redis://:bad%4@h", "redis://h?timeout=1"}) {
    EXPECT_FALSE(parse_redis_url(text)) << text;
  }
}

TEST(RedisUrl, LoggableFormHidesThePassword) {
  const auto url = parse_redis_url("redis://majlis:topsecret@redis:6380/1");
  ASSERT_TRUE(url);
  const auto text = to_loggable_string(*url);
  EXPECT_EQ(text, "redis://majlis:***@redis:6380/1");
  EXPECT_EQ(text.find("topsecret"), std::string::npos);
  EXPECT_EQ(to_loggable_string(*parse_redis_url("redis://[::1]")), "redis://[::1]:6379");
}

}  // namespace
}  // namespace majlis::redis

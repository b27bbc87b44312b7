#include "redis/reply.hpp"

#include <gtest/gtest.h>

#include "redis/error.hpp"
#include "redis/request.hpp"

namespace majlis::redis {
namespace {

reply parse_one(std::string_view bytes) {
  reply_parser parser;
  parser.feed(bytes);
  boost::system::error_code ec;
  auto out = parser.next(ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(out) << "incomplete: " << bytes;
  return out ? *out : reply{};
}

TEST(RedisReply, Scalars) {
  const auto ok = parse_one("+OK\r\n");
  EXPECT_EQ(ok.kind, reply::type::status);
  EXPECT_EQ(ok.text, "OK");
  EXPECT_TRUE(ok.is_text());

  const auto number = parse_one(":42\r\n");
  EXPECT_EQ(number.kind, reply::type::integer);
  EXPECT_EQ(number.integer, 42);
  EXPECT_EQ(number.to_integer(), 42);
  EXPECT_EQ(number.to_unsigned(), 42u);

  const auto nil = parse_one("$-1\r\n");
  EXPECT_TRUE(nil.is_nil());
  EXPECT_FALSE(nil.to_integer());

  const auto error = parse_one("-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_TRUE(error.is_error());
  EXPECT_TRUE(error.text.starts_with("NOSCRIPT"));
}

TEST(RedisReply, BulkStringsAreBinarySafe) {
  const std::string payload("a\0b\r\nc", 6);
  const auto bulk = parse_one("$6\r\n" + payload + "\r\n");
  EXPECT_EQ(bulk.kind, reply::type::string);
  EXPECT_EQ(bulk.text, payload);
}

TEST(RedisReply, DecimalTextConvertsToNumbers) {
  const auto head = parse_one("$4\r\n1234\r\n");
  EXPECT_EQ(head.to_integer(), 1234);
  EXPECT_EQ(head.to_unsigned(), 1234u);
  EXPECT_FALSE(parse_one("$3\r\n12x\r\n").to_integer());
  EXPECT_FALSE(parse_one("$2\r\n-5\r\n").to_unsigned());
  EXPECT_EQ(parse_one("$20\r\n18446744073709551615\r\n").to_unsigned(), 18446744073709551615ull);
}

TEST(RedisReply, NestedArraysLikeXrange) {
  // XRANGE: [[id, [field, value]], …]
  const auto entries = parse_one(
      "*2\r\n"
      "*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\ne\r\n$3\r\none\r\n"
      "*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\ne\r\n$3\r\ntwo\r\n");
  ASSERT_TRUE(entries.is_array());
  ASSERT_EQ(entries.elements.size(), 2u);
  EXPECT_EQ(entries.elements[1].elements[0].text, "2-0");
  EXPECT_EQ(entries.elements[1].elements[1].elements[1].text, "two");
  const auto empty = parse_one("*0\r\n");
  EXPECT_TRUE(empty.is_array());
  EXPECT_TRUE(empty.elements.empty());
  const auto null_array = parse_one("*-1\r\n");
  EXPECT_TRUE(null_array.is_nil());  // EXEC after a failed WATCH
}

TEST(RedisReply, PartialBytesWaitForTheRest) {
  reply_parser parser;
  boost::system::error_code ec;
  parser.feed("*2\r\n$5\r\nhel");
  EXPECT_FALSE(parser.next(ec));
  EXPECT_FALSE(ec);
  parser.feed("lo\r\n:7\r\n+PONG\r\n");
  auto first = parser.next(ec);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->elements[0].text, "hello");
  EXPECT_EQ(first->elements[1].integer, 7);
  auto second = parser.next(ec);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->text, "PONG");
  EXPECT_FALSE(parser.next(ec));
}

TEST(RedisReply, GarbageIsAProtocolError) {
  reply_parser parser;
  parser.feed("?what\r\n");
  boost::system::error_code ec;
  EXPECT_FALSE(parser.next(ec));
  EXPECT_EQ(ec, make_error_code(error::protocol_error));
}

TEST(RedisRequest, MakesCommandsFromTextAndNumbers) {
  const auto cmd = make_command("XRANGE", std::string("{m:a}:log"), "5-0", "+", "COUNT", 100);
  EXPECT_EQ(cmd, (command{"XRANGE", "{m:a}:log", "5-0", "+", "COUNT", "100"}));
  request req;
  req.push("MULTI").push("GET", "k").push(command{"EXEC"});
  ASSERT_EQ(req.size(), 3u);
  EXPECT_EQ(req.commands()[1], (command{"GET", "k"}));
}

TEST(RedisError, CodesHaveTheirOwnCategoryAndMessages) {
  const boost::system::error_code ec = error::not_connected;
  EXPECT_EQ(ec.category().name(), std::string("majlis.redis"));
  EXPECT_EQ(ec.message(), "not connected to Redis");
  EXPECT_NE(boost::system::error_code(error::timeout), ec);
}

}  // namespace
}  // namespace majlis::redis

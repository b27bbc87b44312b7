#include "net/ws_frame.hpp"

#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <gtest/gtest.h>

namespace majlis::net {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;

// What Beast writes for one server message of `payload` (text or binary): the reference the
// pre-framed bytes must equal.
class beast_server {
 public:
  beast_server() : in_(ioc_), out_(ioc_), ws_(in_) {
    in_.connect(out_);
    in_.append(
        "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    ws_.accept();
    ws_.auto_fragment(false);
    out_.clear();  // the upgrade response
  }

  std::string frame_of(const std::string& payload, bool text) {
    ws_.text(text);
    ws_.write(boost::asio::buffer(payload));
    std::string bytes = out_.str();
    out_.clear();
    return bytes;
  }

 private:
  boost::asio::io_context ioc_;
  beast::test::stream in_;
  beast::test::stream out_;
  websocket::stream<beast::test::stream&> ws_;
};

frame make_frame(std::string payload, bool text) {
  frame f;
  f.bytes = std::make_shared<const std::string>(std::move(payload));
  f.text = text;
  return f;
}

TEST(net_ws_frame, header_sizes_by_payload_length_class) {
  EXPECT_EQ(encode_frame_header(true, 0).size, 2);
  EXPECT_EQ(encode_frame_header(true, 125).size, 2);
  EXPECT_EQ(encode_frame_header(true, 126).size, 4);
  EXPECT_EQ(encode_frame_header(false, 65535).size, 4);
  EXPECT_EQ(encode_frame_header(false, 65536).size, 10);
  const auto big = encode_frame_header(false, 0x0102030405060708ull);
  EXPECT_EQ(big.bytes[0], 0x82);
  EXPECT_EQ(big.bytes[1], 127);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(big.bytes[2 + i], i + 1);
}

TEST(net_ws_frame, framed_once_equals_beasts_frame_byte_for_byte) {
  beast_server server;
  // Every payload-length class and its edges, in both formats.
  for (const std::size_t size : {0u, 1u, 125u, 126u, 127u, 1000u, 65535u, 65536u, 70000u}) {
    for (const bool text : {true, false}) {
      std::string payload(size, '\0');
      for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
      const auto framed = frame_once(make_frame(payload, text));
      ASSERT_TRUE(framed.framed);
      EXPECT_EQ(*framed.framed, server.frame_of(payload, text))
          << "payload " << size << " text " << text;
      EXPECT_EQ(*framed.bytes, payload) << "the payload stays as it was";
    }
  }
}

TEST(net_ws_frame, a_welcome_is_framed_over_head_bytes_and_tail) {
  beast_server server;
  frame f = make_frame(std::string(300, 's'), true);
  f.head = "{\"welcome\":{\"snapshot\":";
  f.tail = "}}";
  f.welcome = true;
  const auto framed = frame_once(f);
  EXPECT_EQ(*framed.framed, server.frame_of(f.head + *f.bytes + f.tail, true));
  EXPECT_TRUE(framed.welcome);
  EXPECT_EQ(framed.size(), f.size()) << "size() stays the payload's size";
}

}  // namespace
}  // namespace majlis::net

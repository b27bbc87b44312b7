#include "net/send_queue.hpp"

#include <string>

#include <boost/asio/buffer.hpp>
#include <gtest/gtest.h>

namespace majlis::net {
namespace {

frame make_frame(std::string payload, bool text = false) {
  frame f;
  f.bytes = std::make_shared<const std::string>(std::move(payload));
  f.text = text;
  return f;
}

std::string gathered(send_queue::buffers buffers) {
  std::string out(boost::asio::buffer_size(buffers), '\0');
  boost::asio::buffer_copy(boost::asio::buffer(out), buffers);
  return out;
}

TEST(net_send_queue, one_write_gathers_every_queued_frame_in_order) {
  send_queue q;
  q.push(make_frame("one", true));
  q.push(frame_once(make_frame("two")));
  frame welcome = make_frame("snapshot", true);
  welcome.head = "[";
  welcome.tail = "]";
  welcome.welcome = true;
  q.push(welcome);
  ASSERT_TRUE(q.has_pending());
  const auto& buffers = q.begin_write();
  EXPECT_TRUE(q.writing());
  EXPECT_FALSE(q.has_pending());
  // Header (text, 3) + "one", the pre-framed binary frame as it is, header + head + bytes + tail.
  EXPECT_EQ(gathered(buffers), std::string("\x81\x03one\x82\x03two\x81\x0a[snapshot]", 22));
  EXPECT_EQ(buffers.size(), 2u + 1u + 4u) << "no copies: one buffer per piece";
}

TEST(net_send_queue, frames_queued_during_a_write_go_in_the_next_one) {
  send_queue q;
  q.push(make_frame("a"));
  (void)q.begin_write();
  q.push(make_frame("b"));
  q.push(make_frame("c"));
  EXPECT_EQ(q.frames(), 3u) << "the frame in flight still counts";
  const auto first = q.end_write();
  EXPECT_EQ(first.frames, 1u);
  EXPECT_EQ(first.bytes, 1u);
  EXPECT_FALSE(q.writing());
  ASSERT_TRUE(q.has_pending());
  EXPECT_EQ(gathered(q.begin_write()), "\x82\x01" "b" "\x82\x01" "c");
  const auto second = q.end_write();
  EXPECT_EQ(second.frames, 2u);
  EXPECT_EQ(q.frames(), 0u);
}

TEST(net_send_queue, welcome_bytes_are_not_counted_against_the_limit) {
  send_queue q;
  frame welcome = make_frame(std::string(1000, 'w'));
  welcome.welcome = true;
  q.push(welcome);
  q.push(make_frame("live"));
  EXPECT_EQ(q.counted_bytes(), 4u);
  EXPECT_EQ(q.frames(), 2u);
  (void)q.begin_write();
  q.push(make_frame("more"));
  EXPECT_EQ(q.counted_bytes(), 8u);
  q.clear_pending();
  EXPECT_EQ(q.counted_bytes(), 4u) << "the write in flight keeps its frames";
  EXPECT_EQ(q.end_write().bytes, 1004u);
  EXPECT_EQ(q.counted_bytes(), 0u);
}

TEST(net_send_queue, advance_leaves_what_the_socket_did_not_take) {
  send_queue q;
  q.push(make_frame("abc"));
  q.push(frame_once(make_frame("defg")));
  const auto whole = gathered(q.begin_write());
  ASSERT_EQ(whole, std::string("\x82\x03" "abc" "\x82\x04" "defg"));
  // Inside the first buffer (the header), at a buffer's end, inside the pre-framed one.
  EXPECT_EQ(gathered(q.advance(1)), whole.substr(1));
  EXPECT_EQ(gathered(q.advance(1)), whole.substr(2));
  EXPECT_EQ(gathered(q.advance(4)), whole.substr(6));
  EXPECT_TRUE(q.advance(whole.size() - 6).empty()) << "all of it written";
  const auto done = q.end_write();
  EXPECT_EQ(done.frames, 2u);
  EXPECT_EQ(done.bytes, 7u);
  q.push(make_frame("h"));
  EXPECT_EQ(gathered(q.begin_write()), "\x82\x01" "h") << "the next write starts whole";
  EXPECT_EQ(gathered(q.advance(0)), "\x82\x01" "h");
}

}  // namespace
}  // namespace majlis::net

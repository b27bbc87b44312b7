// send_batcher on real sockets (AF_UNIX stream pairs), with io_uring and with one send() each.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "net/batch_send.hpp"

namespace majlis::net {
namespace {

struct socket_pair {
  int sender = -1;
  int receiver = -1;
  socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
      throw std::runtime_error("socketpair failed");
    sender = fds[0];
    receiver = fds[1];
  }
  ~socket_pair() {
    if (sender >= 0) ::close(sender);
    if (receiver >= 0) ::close(receiver);
  }
  socket_pair(const socket_pair&) = delete;
  socket_pair& operator=(const socket_pair&) = delete;

  std::string read_all() const {
    std::string out;
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(receiver, buffer, sizeof buffer);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
  void fill() const {
    static const std::string chunk(4096, 'f');
    for (int i = 0; i < 100'000; ++i) {
      if (::send(sender, chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) break;
    }
  }
};

class net_batch_send : public ::testing::TestWithParam<bool> {};

TEST_P(net_batch_send, sends_every_request_in_order_across_rounds_of_the_ring) {
  send_batcher batcher(GetParam());
  // 300 sockets, two frames each: 600 sends, more than two rounds of 256.
  std::vector<std::unique_ptr<socket_pair>> pairs;
  for (int i = 0; i < 300; ++i) pairs.push_back(std::make_unique<socket_pair>());
  std::vector<std::string> payloads;
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 300; ++i)
      payloads.push_back("frame " + std::to_string(round) + " to " + std::to_string(i) + ";");
  }
  std::vector<send_request> requests;
  for (std::size_t k = 0; k < payloads.size(); ++k)
    requests.push_back({pairs[k % 300]->sender, payloads[k].data(), payloads[k].size(), -999});
  batcher.send(requests);
  for (std::size_t k = 0; k < requests.size(); ++k)
    ASSERT_EQ(requests[k].result, static_cast<ssize_t>(payloads[k].size())) << "request " << k;
  for (int i = 0; i < 300; ++i)
    EXPECT_EQ(pairs[i]->read_all(), payloads[i] + payloads[300 + i]) << "socket " << i;
}

TEST_P(net_batch_send, each_request_gets_its_own_outcome) {
  send_batcher batcher(GetParam());
  socket_pair open, full, closed;
  full.fill();
  ::close(closed.receiver);
  closed.receiver = -1;
  const int not_a_socket = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(not_a_socket, 0);
  const std::string big(64 * 1024 * 1024, 'b');  // more than any socket buffer takes at once
  socket_pair partial;
  const std::string text = "hello";
  std::vector<send_request> requests = {
      {full.sender, text.data(), text.size(), 0},     {closed.sender, text.data(), text.size(), 0},
      {not_a_socket, text.data(), text.size(), 0},    {partial.sender, big.data(), big.size(), 0},
      {open.sender, text.data(), text.size(), 0},
  };
  batcher.send(requests);
  ::close(not_a_socket);
  EXPECT_EQ(requests[0].result, -EAGAIN) << "a full socket takes nothing and nothing waits";
  EXPECT_EQ(requests[1].result, -EPIPE) << "the peer is gone";
  EXPECT_EQ(requests[2].result, -ENOTSOCK);
  EXPECT_GT(requests[3].result, 0);
  EXPECT_LT(requests[3].result, static_cast<ssize_t>(big.size())) << "a part is taken, the rest is the caller's";
  EXPECT_EQ(requests[4].result, 5) << "the failures before it do not stop the batch";
  EXPECT_EQ(open.read_all(), "hello");
}

INSTANTIATE_TEST_SUITE_P(modes, net_batch_send, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "io_uring" : "send_per_socket"; });

TEST(net_batch_send_mode, switched_off_sends_one_by_one_and_says_why) {
  send_batcher batcher(false);
  EXPECT_EQ(batcher.how(), send_batcher::mode::send_per_socket);
  EXPECT_NE(batcher.fallback_reason().find("switched off"), std::string::npos);
}

TEST(net_batch_send_mode, asked_for_io_uring_it_has_a_ring_or_a_reason) {
  send_batcher batcher(true);
  if (batcher.how() == send_batcher::mode::io_uring) {
    EXPECT_TRUE(batcher.fallback_reason().empty());
  } else {
    EXPECT_FALSE(batcher.fallback_reason().empty()) << "a fallback must say why";
    std::cout << "io_uring not used here: " << batcher.fallback_reason() << "\n";
  }
}

}  // namespace
}  // namespace majlis::net

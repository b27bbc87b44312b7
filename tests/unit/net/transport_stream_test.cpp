// transport_stream's direct write path over a real loopback TCP connection: the socket number a
// session may send() on at once, and when it must stop (Beast's close frame, teardown, close).
// One io_context driven by the test thread; every wait is bounded by run_for().
#include "net/transport_stream.hpp"

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

namespace majlis::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// A connected pair: the server side wrapped in a plain transport_stream, the client a socket.
struct connected_pair {
  asio::io_context io;
  tcp::socket client{io};
  std::optional<transport_stream> server;

  connected_pair() {
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    client.connect(acceptor.local_endpoint());
    server.emplace(acceptor.accept(), nullptr);
  }
  int server_fd() { return server->socket().native_handle(); }
};

TEST(TransportStream, SharesThePlainSocketAndMirrorsTheGate) {
  connected_pair pair;
  direct_write_path path;
  pair.server->share_write_path(&path);
  EXPECT_EQ(path.fd, pair.server_fd());
  EXPECT_FALSE(path.gate_busy);

  static const std::string frame = "\x81\x02hi";
  bool written = false;
  pair.server->async_write_frames(asio::buffer(frame), [&](boost::system::error_code ec, std::size_t n) {
    EXPECT_FALSE(ec);
    EXPECT_EQ(n, frame.size());
    EXPECT_FALSE(path.gate_busy) << "the gate is free again before the handler runs";
    written = true;
  });
  EXPECT_TRUE(path.gate_busy) << "a write in flight holds the gate";
  pair.io.run_for(2s);
  EXPECT_TRUE(written);
  EXPECT_EQ(path.fd, pair.server_fd()) << "a data frame leaves the direct path open";

  std::array<char, 16> got{};
  EXPECT_EQ(pair.client.read_some(asio::buffer(got)), frame.size());
}

TEST(TransportStream, BeastsCloseFrameEndsDirectWrites) {
  connected_pair pair;
  direct_write_path path;
  pair.server->share_write_path(&path);
  // A pong (what Beast writes most) keeps it; the close frame (FIN + opcode 8) ends it at once.
  static const std::string pong = "\x8a\x00";
  static const std::string close = "\x88\x02\x03\xe8";
  int done = 0;
  pair.server->async_write_some(asio::buffer(pong), [&](boost::system::error_code, std::size_t) { ++done; });
  pair.io.run_for(1s);
  pair.io.restart();
  EXPECT_EQ(path.fd, pair.server_fd());
  pair.server->async_write_some(asio::buffer(close), [&](boost::system::error_code, std::size_t) { ++done; });
  EXPECT_EQ(path.fd, -1);
  pair.io.run_for(1s);
  EXPECT_EQ(done, 2);
}

TEST(TransportStream, TeardownAndCloseEndDirectWrites) {
  {
    connected_pair pair;
    direct_write_path path;
    pair.server->share_write_path(&path);
    boost::system::error_code ec;
    // The peer closes too, so the server role's teardown (which reads until EOF) ends.
    pair.client.shutdown(tcp::socket::shutdown_send);
    teardown(boost::beast::role_type::server, *pair.server, ec);
    EXPECT_EQ(path.fd, -1);
  }
  {
    connected_pair pair;
    direct_write_path path;
    pair.server->share_write_path(&path);
    beast_close_socket(*pair.server);
    EXPECT_EQ(path.fd, -1);
    EXPECT_FALSE(pair.server->socket().is_open());
  }
}

TEST(TransportStream, UnsharedPathIsLeftAlone) {
  connected_pair pair;
  direct_write_path path;
  pair.server->share_write_path(&path);
  const int shared_fd = path.fd;
  pair.server->share_write_path(nullptr);  // what the session's destructor does
  beast_close_socket(*pair.server);
  EXPECT_EQ(path.fd, shared_fd) << "a stream no longer shared must not write into the session";
}

}  // namespace
}  // namespace majlis::net

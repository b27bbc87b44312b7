// A scripted stand-in for majlisd's /ws on a loopback port: it speaks the wire protocol with a
// trivial meeting (every command appends one event) and can misbehave on request — skip a seq,
// answer a resume with a snapshot, ignore commands, close with a given code. It exists for what a
// real majlisd will not do on purpose (gaps); everything else is tested against majlisd in
// tests/integration.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "majlis/v1/wire.pb.h"

namespace majlis::client::testing {

class scripted_server {
 public:
  explicit scripted_server(boost::asio::io_context& io);
  ~scripted_server();

  std::string port() const;
  // Stops accepting new connections (open ones carry on).
  void stop_accepting();
  // Closes every open connection with this WebSocket close code (after an Error frame).
  void close_all(std::uint16_t close_code);

  // The meeting: events with seq 1..head_seq(); starts with 3 redacted stubs.
  std::uint64_t head_seq() const;
  std::uint64_t epoch() const;
  void set_epoch(std::uint64_t epoch);
  // Appends one event and broadcasts it to every joined connection.
  void append_and_broadcast(v1::Event event);

  // Misbehaviour, switched on by the tests.
  struct script {
    bool skip_one_seq_in_next_broadcast = false;  // the next broadcast leaves out its first event
    bool snapshot_on_resume = false;              // answer every resume with a snapshot
    bool ignore_commands = false;                 // never answer commands
    std::uint16_t refuse_joins_with = 0;          // close code for every Join (0 = accept)
  };
  script& behaviour();

  // What the server saw.
  const std::vector<v1::Join>& joins() const;
  std::size_t open_connections() const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace majlis::client::testing

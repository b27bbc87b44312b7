// The life of one WebSocket session as one state, and the moves between states. Pure; the
// session (websocket_session.cpp) makes every move through session_state_allows.
#pragma once

#include <cstdint>

namespace majlis::net {

enum class session_state : std::uint8_t {
  upgrading,      // answering the upgrade request; not registered, nothing read yet
  awaiting_join,  // open; the join timer runs until the app accepts a Join (mark_joined)
  joined,         // the idle timer runs: every frame resets it
  draining,       // closing: the Error is queued after the frames before it; still writing
  closing,        // everything written; the close handshake is under way (close timer)
  closed,         // the read loop ended; the app has been told (on_closed)
};

// Moves only forward; draining may be skipped (a session torn down without a close of its own)
// and so may closing (the socket failed before the close handshake began).
constexpr bool session_state_allows(session_state from, session_state to) {
  using s = session_state;
  switch (from) {
    case s::upgrading: return to == s::awaiting_join || to == s::closed;
    case s::awaiting_join: return to == s::joined || to == s::draining || to == s::closed;
    case s::joined: return to == s::draining || to == s::closed;
    case s::draining: return to == s::closing || to == s::closed;
    case s::closing: return to == s::closed;
    case s::closed: return false;
  }
  return false;
}

// Past the point of no return: no new frames are queued, read or handed to the app.
constexpr bool winding_down(session_state state) { return state >= session_state::draining; }

// Which deadline the session's watchdog keeps.
enum class session_deadline : std::uint8_t { none, join, idle, close };

constexpr session_deadline deadline_of(session_state state) {
  switch (state) {
    case session_state::awaiting_join: return session_deadline::join;
    case session_state::joined: return session_deadline::idle;
    case session_state::draining:
    case session_state::closing: return session_deadline::close;
    default: return session_deadline::none;
  }
}

}  // namespace majlis::net

// The HTTP side of one accepted socket: reads requests, routes them (the app's handler for /api,
// /healthz, /readyz, /metrics; static files for the rest) and hands an upgrade on /ws to a
// websocket_session. Private to net; Beast stays in the .cpp.
#pragma once

#include <memory>

#include <boost/asio/ip/tcp.hpp>

namespace majlis::net {

class server_state;

// Serves `socket` (on its own executor) until it is closed or upgraded. `over_limit`: the server
// holds max_connections already; requests get 503 and an upgrade gets Error + close 4013.
void start_http_session(boost::asio::ip::tcp::socket&& socket,
                        std::shared_ptr<server_state> state, bool over_limit);

}  // namespace majlis::net

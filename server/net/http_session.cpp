// http_session: one accepted socket until it is closed or upgraded — request reading, routing
// (app handler, static files), upgrade to /ws.
#include "net/http_session.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "majlis/asio/spawn_policy.hpp"
#include "net/server_state.hpp"
#include "net/static_files.hpp"
#include "net/transport_stream.hpp"
#include "net/url.hpp"
#include "net/websocket_session.hpp"

namespace majlis::net {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using clock = std::chrono::steady_clock;

namespace {

// Header lines at most this long in total (431 beyond).
constexpr std::uint32_t max_http_header_bytes = 16 * 1024;

bool is_app_route(std::string_view path) {
  return path == "/api" || path.starts_with("/api/") || path == "/healthz" ||
         path == "/readyz" || path == "/metrics";
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Errors the transport answers itself, in the API's JSON form:
// {"error":{"code":"RESOURCE_EXHAUSTED","message":"request body too large"}}.
std::string_view error_code_for(http::status status) {
  switch (status) {
    case http::status::payload_too_large:
    case http::status::too_many_requests:
    case http::status::request_header_fields_too_large: return "RESOURCE_EXHAUSTED";
    case http::status::not_found: return "NOT_FOUND";
    case http::status::forbidden: return "PERMISSION_DENIED";
    case http::status::service_unavailable: return "UNAVAILABLE";
    case http::status::internal_server_error: return "INTERNAL";
    default: return "INVALID_ARGUMENT";
  }
}

http::response<http::string_body> error_response(http::status status, std::string_view text,
                                                unsigned version, bool keep_alive) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, "majlis");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(keep_alive);
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  res.body() = "{\"error\":{\"code\":\"" + std::string(error_code_for(status)) +
               "\",\"message\":\"" + escaped + "\"}}\n";
  res.prepare_payload();
  return res;
}

// Sent with every HTTP response, pages and API alike: no inline script or style, no framing by
// another site (the participant page holds a token), no Referer carrying a token away.
constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

template <class Fields>
void set_security_headers(Fields& fields, bool tls) {
  fields.set("Content-Security-Policy", content_security_policy);
  fields.set("X-Frame-Options", "DENY");
  fields.set("Referrer-Policy", "no-referrer");
  fields.set("X-Content-Type-Options", "nosniff");
  // Only a TLS listener may promise TLS: HSTS over plain HTTP would be ignored (or, behind a
  // proxy that adds TLS, is that proxy's to send).
  if (tls) fields.set(http::field::strict_transport_security, "max-age=31536000");
}

// The Origin header of a request; nullopt when there is none.
std::optional<std::string> origin_header(const http::request<http::string_body>& req) {
  const auto it = req.find(http::field::origin);
  if (it == req.end()) return std::nullopt;
  return std::string(it->value());
}

// The plain request the app's handler sees.
http_request to_app_request(const http::request<http::string_body>& req,
                            const std::string& remote_address) {
  http_request out;
  out.method = std::string(req.method_string());
  const auto [path, query] = split_target(req.target());
  out.path = std::string(path);
  out.query = parse_query(query);
  for (const auto& field : req) {
    auto name = lower(field.name_string());
    auto [it, inserted] = out.headers.emplace(std::move(name), std::string(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += field.value();
    }
  }
  out.body = req.body();
  out.remote_address = remote_address;
  return out;
}

http::response<http::string_body> from_app_response(http_response r, unsigned version,
                                                    bool keep_alive, bool head) {
  http::response<http::string_body> res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "majlis");
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) res.insert(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  if (head) res.body().clear();  // Content-Length stays that of the GET
  return res;
}

}  // namespace

// http_session: one accepted socket until it is closed or upgraded.

class http_session final : public session_base, public std::enable_shared_from_this<http_session> {
 public:
  http_session(tcp::socket&& socket, std::shared_ptr<server_state> state, bool over_limit)
      : executor_(socket.get_executor()),
        stream_(std::move(socket), state->tls.get()),
        state_(std::move(state)),
        slot_(state_),
        over_limit_(over_limit) {
    beast::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_address_ = remote.address().to_string();
  }

  static void start(std::shared_ptr<http_session> self) {
    auto executor = self->stream_.get_executor();
    auto* session = self.get();
    asio::co_spawn(executor, session->do_run(std::move(self)),
                   log_failure("http session"));
  }

  void shutdown(close_code) override {
    asio::post(executor_, [self = shared_from_this()] {
      self->stopping_ = true;
      // Is it waiting for a request? Then there is nothing to finish.
      if (self->reading_) self->stream_.cancel();
    });
  }

 private:
  asio::awaitable<void> do_run(std::shared_ptr<http_session> self) {
    state_->metrics.http_sessions_open.fetch_add(1, std::memory_order_relaxed);
    registry_key_ = state_->add_session(self);
    co_await do_serve();
    state_->remove_session(registry_key_);
    state_->metrics.http_sessions_open.fetch_sub(1, std::memory_order_relaxed);
  }

  asio::awaitable<void> do_serve() {
    if (stream_.is_tls()) {
      const bool secured = co_await do_handshake();
      if (!secured) co_return;
    }
    while (!stopping_) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(state_->config.max_http_body_bytes);
      parser.header_limit(max_http_header_bytes);

      // Read the next request.
      stream_.expires_after(state_->config.http_request_timeout);
      reading_ = true;
      auto [ec, bytes] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
      reading_ = false;
      if (ec == http::error::body_limit) {
        co_await do_write(error_response(http::status::payload_too_large,
                                        "request body too large", 11, false));
        break;
      }
      if (ec == http::error::header_limit) {
        co_await do_write(error_response(http::status::request_header_fields_too_large,
                                        "request header too large", 11, false));
        break;
      }
      if (ec) break;  // end_of_stream, timeout, bad request, cancelled by shutdown
      state_->metrics.http_requests_total.fetch_add(1, std::memory_order_relaxed);

      auto req = parser.release();
      if (beast::websocket::is_upgrade(req)) {
        if (split_target(req.target()).path == "/ws") {
          // Cross-site WebSocket hijacking: a page elsewhere must not drive a meeting with the
          // visitor's token; the Origin header is the browser's word on who asks.
          const auto origin = origin_header(req);
          if (origin_allowed(origin, *state_->allowed_origins())) {
            do_upgrade(std::move(req));
            co_return;
          }
          spdlog::debug("event=ws_upgrade_refused remote={} origin=\"{}\"", remote_address_,
                        *origin);
          co_await do_write(error_response(http::status::forbidden,
                                          "origin not allowed", req.version(), false));
          break;
        }
        co_await do_write(error_response(http::status::not_found, "no WebSocket endpoint here",
                                        req.version(), false));
        break;
      }
      const bool keep_alive = req.keep_alive() && !over_limit_;
      const bool ok = over_limit_ ? co_await do_write(error_response(
                                        http::status::service_unavailable,
                                        "server full; try again later", req.version(), false))
                                  : co_await do_respond(std::move(req), keep_alive);
      if (!ok || !keep_alive) break;
    }
    // Say goodbye politely: no more bytes from us.
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // The TLS handshake, bounded in time. A client that speaks plain HTTP (or nothing) to the TLS
  // port fails here: logged at debug level, the socket closed, nothing else touched.
  asio::awaitable<bool> do_handshake() {
    stream_.expires_after(state_->config.tls_handshake_timeout);
    reading_ = true;
    auto [ec] = co_await stream_.tls().async_handshake(asio::ssl::stream_base::server, use_tuple);
    reading_ = false;
    if (!ec) co_return !stopping_;
    spdlog::debug("event=tls_handshake_failed remote={} error=\"{}\"", remote_address_,
                  ec.message());
    beast::error_code ignored;
    stream_.socket().close(ignored);
    co_return false;
  }

  // The client's address for the limits: the last one in the trusted proxy header, if set
  // (a proxy may carry several clients' requests on one connection), else the TCP peer.
  std::string client_address_of(const http::request<http::string_body>& req) const {
    const auto& header = state_->config.trusted_proxy_header;
    std::string_view last;
    if (!header.empty()) {
      for (auto [it, end] = req.equal_range(header); it != end; ++it) last = it->value();
    }
    return client_address(remote_address_, last);
  }

  // Hands the socket to a WebSocket session (which refuses it if the server is full).
  void do_upgrade(http::request<http::string_body> req) {
    stream_.expires_never();
    auto address = client_address_of(req);
    auto session = std::make_shared<websocket_session>(std::move(stream_), state_,
                                                       std::move(slot_), over_limit_,
                                                       std::move(address));
    websocket_session::start(std::move(session), std::move(req));
  }

  // Answers one request; false when the connection broke.
  asio::awaitable<bool> do_respond(http::request<http::string_body> req, bool keep_alive) {
    const auto version = req.version();
    const bool head = req.method() == http::verb::head;
    const auto [path, query] = split_target(req.target());

    if (is_app_route(path)) {
      if (!state_->http) {
        co_return co_await do_write(
            error_response(http::status::not_found, "not found", version, keep_alive));
      }
      // Every /api route needs credentials: an address throttled after failed
      // authentications is refused before they are checked.
      const auto address = client_address_of(req);
      const bool needs_credentials = path == "/api" || path.starts_with("/api/");
      if (needs_credentials) {
        const auto wait = state_->addresses.auth_retry_after(address, clock::now());
        if (wait > clock::duration::zero()) {
          state_->metrics.auth_throttled.fetch_add(1, std::memory_order_relaxed);
          const auto seconds =
              std::max<std::int64_t>(std::chrono::ceil<std::chrono::seconds>(wait).count(), 1);
          auto res = error_response(http::status::too_many_requests,
                                    "too many failed authentications from this address; retry "
                                    "after " + std::to_string(seconds) + " s",
                                    version, keep_alive);
          res.set(http::field::retry_after, std::to_string(seconds));
          co_return co_await do_write(std::move(res));
        }
      }
      http_response answer;
      bool failed = false;
      try {
        auto handled = state_->http->handle(to_app_request(req, address));
        if (state_->io_threads.empty()) {
          answer = co_await std::move(handled);
        } else {
          // The app's handlers run on the first io_context (the meetings'), not on this
          // connection's I/O thread: their hops onto a meeting's strand resume there.
          auto app = state_->io_threads.front()->get_executor();
          answer = co_await asio::co_spawn(app, std::move(handled), asio::use_awaitable);
        }
      } catch (const std::exception& e) {
        spdlog::error("event=http_handler_threw path=\"{}\" error=\"{}\"", std::string(path),
                      e.what());
        failed = true;
      }
      if (failed) {
        co_return co_await do_write(error_response(http::status::internal_server_error,
                                                  "internal error", version, keep_alive));
      }
      if (answer.status == 401) {
        state_->metrics.failed_auth.fetch_add(1, std::memory_order_relaxed);
        state_->addresses.record_failed_auth(address, clock::now());
      }
      co_return co_await do_write(from_app_response(std::move(answer), version, keep_alive, head));
    }

    if (req.method() != http::verb::get && !head) {
      auto res = error_response(http::status::method_not_allowed, "method not allowed", version,
                               keep_alive);
      res.set(http::field::allow, "GET, HEAD");
      co_return co_await do_write(std::move(res));
    }
    if (path == "/ws") {
      co_return co_await do_write(error_response(http::status::upgrade_required,
                                                "WebSocket upgrade expected", version,
                                                keep_alive));
    }
    co_return co_await do_static(req, path, version, keep_alive, head);
  }

  // A file under --static-root: its precompressed variant when the client accepts one, cache
  // headers by kind (fingerprinted assets immutable, the rest revalidated), 304 for a current
  // copy (If-None-Match).
  asio::awaitable<bool> do_static(const http::request<http::string_body>& req,
                                  std::string_view path, unsigned version, bool keep_alive,
                                  bool head) {
    const auto& root = state_->config.static_root;
    const auto file = root.empty() ? std::nullopt : resolve_static_file(root, path);
    if (!file) {
      co_return co_await do_write(
          error_response(http::status::not_found, "not found", version, keep_alive));
    }
    std::string accept_encoding;
    const auto accept_encoding_fields = req.equal_range(http::field::accept_encoding);
    for (auto it = accept_encoding_fields.first; it != accept_encoding_fields.second; ++it) {
      if (!accept_encoding.empty()) accept_encoding += ',';
      accept_encoding += it->value();
    }
    const auto variant = select_static_variant(root, *file, parse_accept_encoding(accept_encoding));
    http::file_body::value_type body;
    beast::error_code ec;
    body.open(variant.file.c_str(), beast::file_mode::scan, ec);
    std::error_code time_ec;
    const auto modified = std::filesystem::last_write_time(variant.file, time_ec);
    if (ec || time_ec) {
      co_return co_await do_write(
          error_response(http::status::not_found, "not found", version, keep_alive));
    }
    const auto size = body.size();
    const std::string etag = static_etag(size, modified, variant.content_encoding);
    const auto set_cache_headers = [&](auto& res) {
      res.set(http::field::server, "majlis");
      res.set(http::field::cache_control, cache_control_for(root, *file));
      res.set(http::field::etag, etag);
      if (variant.varies) res.set(http::field::vary, "Accept-Encoding");
      res.keep_alive(keep_alive);
    };
    const auto set_headers = [&](auto& res) {
      set_cache_headers(res);
      res.set(http::field::content_type, content_type_for(*file));
      if (!variant.content_encoding.empty()) {
        res.set(http::field::content_encoding, variant.content_encoding);
      }
      res.content_length(size);
    };
    const auto if_none_match = req.find(http::field::if_none_match);
    if (if_none_match != req.end() && if_none_match_matches(if_none_match->value(), etag)) {
      http::response<http::empty_body> res{http::status::not_modified, version};
      set_cache_headers(res);
      co_return co_await do_write(std::move(res));
    }
    if (head) {
      http::response<http::empty_body> res{http::status::ok, version};
      set_headers(res);
      co_return co_await do_write(std::move(res));
    }
    http::response<http::file_body> res{std::piecewise_construct,
                                        std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, version)};
    set_headers(res);
    co_return co_await do_write(std::move(res));
  }

  template <class Body>
  asio::awaitable<bool> do_write(http::response<Body> res) {
    set_security_headers(res, stream_.is_tls());
    stream_.expires_after(state_->config.http_request_timeout);
    auto [ec, bytes] = co_await http::async_write(stream_, res, use_tuple);
    co_return !ec;
  }

  asio::any_io_executor executor_;  // the socket's strand; outlives a move of stream_
  transport_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<server_state> state_;
  socket_slot slot_;
  const bool over_limit_;
  std::string remote_address_;
  std::uint64_t registry_key_ = 0;
  bool reading_ = false;
  bool stopping_ = false;
};

void start_http_session(tcp::socket&& socket, std::shared_ptr<server_state> state,
                        bool over_limit) {
  http_session::start(std::make_shared<http_session>(std::move(socket), std::move(state),
                                                     over_limit));
}

}  // namespace majlis::net

// server_state: what the listener and every session share (server_state.hpp).
#include "net/server_state.hpp"

#include <stdexcept>
#include <utility>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

namespace majlis::net {
namespace asio = boost::asio;

// ---------------------------------------------------------------------------------------------
// server_state

namespace {

// The TLS context of --tls-cert/--tls-key: TLS 1.2 or later, the certificate chain and key read
// once at start. Throws std::runtime_error naming the file that failed.
std::shared_ptr<asio::ssl::context> make_tls_context(const net_config& config) {
  if (config.tls_cert_file.empty() && config.tls_key_file.empty()) return nullptr;
  if (config.tls_cert_file.empty() || config.tls_key_file.empty())
    throw std::runtime_error("--tls-cert and --tls-key go together: give both or neither");
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  context->use_certificate_chain_file(config.tls_cert_file, ec);
  if (ec)
    throw std::runtime_error("cannot load the TLS certificate '" + config.tls_cert_file +
                             "' (--tls-cert): " + ec.message());
  context->use_private_key_file(config.tls_key_file, asio::ssl::context::pem, ec);
  if (ec)
    throw std::runtime_error("cannot load the TLS key '" + config.tls_key_file +
                             "' (--tls-key; it must be the PEM key of the certificate): " +
                             ec.message());
  return context;
}

}  // namespace

server_state::server_state(net_config config_in, std::shared_ptr<http_handler> http_in,
                           std::shared_ptr<connection_acceptor> acceptor_in)
    : config(std::move(config_in)),
      http(std::move(http_in)),
      acceptor(std::move(acceptor_in)),
      tls(make_tls_context(config)),
      addresses(config.per_address),
      allowed_origins_(std::make_shared<const std::vector<std::string>>(config.allowed_origins)) {}

void server_state::set_allowed_origins(std::vector<std::string> origins) {
  auto replacement = std::make_shared<const std::vector<std::string>>(std::move(origins));
  std::lock_guard lock(origins_mutex_);
  allowed_origins_ = std::move(replacement);
}

std::shared_ptr<const std::vector<std::string>> server_state::allowed_origins() const {
  std::lock_guard lock(origins_mutex_);
  return allowed_origins_;
}

std::string server_state::next_connection_id() {
  return config.instance_id + "-" +
         std::to_string(next_connection_.fetch_add(1, std::memory_order_relaxed) + 1);
}

std::uint64_t server_state::add_session(std::weak_ptr<session_base> session) {
  std::lock_guard lock(sessions_mutex_);
  const auto key = ++next_session_key_;
  sessions_.emplace(key, std::move(session));
  return key;
}

void server_state::remove_session(std::uint64_t key) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(key);
}

std::vector<std::shared_ptr<session_base>> server_state::live_sessions() const {
  std::vector<std::shared_ptr<session_base>> out;
  std::lock_guard lock(sessions_mutex_);
  out.reserve(sessions_.size());
  for (const auto& [key, weak] : sessions_) {
    if (auto session = weak.lock()) out.push_back(std::move(session));
  }
  return out;
}

}  // namespace majlis::net

#include "app/client_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <chrono>
#include <spdlog/spdlog.h>

#include "majlis/asio/spawn_policy.hpp"
#include "app/join_token.hpp"
#include "app/wall_clock.hpp"

namespace majlis::app {

namespace asio = boost::asio;

client_connection::client_connection(std::shared_ptr<net::connection> connection,
                                     meeting_registry& registry, const server_config& config,
                                     app_metrics& metrics)
    : connection_(std::move(connection)), registry_(registry), config_(config), metrics_(metrics) {}

void client_connection::on_message(v1::ClientMessage message) {
  switch (message.kind_case()) {
    case v1::ClientMessage::kJoin: {
      bool first_join = false;
      {
        std::lock_guard lock(mutex_);
        if (closed_) return;
        first_join = !join_started_;
        join_started_ = true;
      }
      // Spawned outside the lock: the coroutine may start inline and take the lock itself.
      if (first_join) {
        // The Join is here: the join timeout counts the client's time, not the time this
        // server needs to verify and welcome it (a join storm); the idle timeout takes over.
        if (auto connection = connection_.lock()) connection->mark_joined();
        asio::co_spawn(registry_.executor(), do_join(std::move(*message.mutable_join())),
                       log_failure("join"));
      } else {
        refuse(net::close_code::protocol_error, v1::ERROR_CODE_PROTOCOL, "Join was sent twice");
      }
      return;
    }
    case v1::ClientMessage::kCommand: {
      std::shared_ptr<meeting_replica> replica;
      std::shared_ptr<member> sender;
      {
        std::lock_guard lock(mutex_);
        replica = replica_;
        sender = member_;
      }
      if (!replica) {
        refuse(net::close_code::protocol_error, v1::ERROR_CODE_PROTOCOL,
               "send Join and wait for Welcome before sending commands");
        return;
      }
      auto* request = message.mutable_command();
      replica->submit(std::move(sender), request->request_id(),
                      std::move(*request->mutable_command()));
      return;
    }
    case v1::ClientMessage::kPing: {
      v1::ServerMessage reply;
      reply.mutable_pong()->set_nonce(message.ping().nonce());
      reply.mutable_pong()->set_server_time_ms(unix_millis());
      if (auto connection = connection_.lock()) connection->send(reply);
      return;
    }
    default:
      refuse(net::close_code::protocol_error, v1::ERROR_CODE_PROTOCOL, "empty client message");
  }
}

asio::awaitable<void> client_connection::do_join(v1::Join join) {
  auto verified = verify_token(join.token(), config_.signing_secret, unix_seconds());
  if (auto* error = std::get_if<token_error>(&verified)) {
    metrics_.joins_rejected++;
    refuse(net::close_code::unauthenticated, v1::ERROR_CODE_UNAUTHENTICATED,
           std::string(describe(*error)));
    co_return;
  }
  auto& claims = std::get<token_claims>(verified);
  if (claims.meeting_id != join.meeting_id()) {
    metrics_.joins_rejected++;
    refuse(net::close_code::unauthenticated, v1::ERROR_CODE_UNAUTHENTICATED,
           "the token is for another meeting");
    co_return;
  }
  auto replica = co_await registry_.open(join.meeting_id());
  if (!replica) {
    metrics_.joins_rejected++;
    refuse(net::close_code::not_found, v1::ERROR_CODE_NOT_FOUND, "no such meeting");
    co_return;
  }

  auto connection = connection_.lock();
  if (!connection) co_return;
  auto joiner = std::make_shared<member>();
  joiner->connection = connection;
  joiner->audience = domain::audience_of(claims.role);
  auto& viewer = joiner->viewer;
  viewer.set_participant_id(claims.participant_id);
  viewer.set_display_name(claims.display_name);
  viewer.set_role(claims.role);
  viewer.set_stakeholder_group(claims.stakeholder_group);
  viewer.set_attendance(claims.attendance);
  viewer.set_connection_id(connection->id());
  {
    std::lock_guard lock(mutex_);
    // Closed while the meeting was loading: never attach.
    if (closed_) co_return;
    replica_ = replica;
    member_ = joiner;
  }
  std::optional<v1::Resume> resume;
  if (join.has_resume()) resume = join.resume();
  replica->join(std::move(joiner), std::move(resume));
}

void client_connection::on_closed() {
  std::shared_ptr<meeting_replica> replica;
  std::string connection_id;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    replica = std::move(replica_);
    if (member_) connection_id = member_->viewer.connection_id();
    member_.reset();
  }
  if (replica) replica->leave(std::move(connection_id));
}

void client_connection::refuse(net::close_code code, v1::ErrorCode error, std::string message) {
  auto connection = connection_.lock();
  if (!connection) return;
  spdlog::info("event=connection_refused connection={} code={} reason=\"{}\"", connection->id(),
               static_cast<int>(code), message);
  connection->close_with_error(code, error, std::move(message));
}

std::shared_ptr<net::connection_handler> client_acceptor::on_open(
    std::shared_ptr<net::connection> conn) {
  return std::make_shared<client_connection>(std::move(conn), registry_, config_, metrics_);
}

}  // namespace majlis::app

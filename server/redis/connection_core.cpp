#include "redis/connection_core.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "majlis/asio/spawn_policy.hpp"
#include "redis/error.hpp"

namespace majlis::redis {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

connection_core::connection_core(asio::any_io_executor executor, config cfg, std::string role)
    : config_(std::move(cfg)),
      role_(std::move(role)),
      strand_(asio::make_strand(executor)),
      resolver_(strand_),
      wake_timer_(strand_),
      health_timer_(strand_),
      backoff_timer_(strand_),
      timeout_timer_(strand_),
      resolve_timer_(strand_),
      pending_(std::max<size_t>(config_.max_pending, 1)),
      random_(std::random_device{}()) {}

connection_core::~connection_core() {
  // Only reached once no handler holds the core: either stop() ran, or the executor is being
  // destroyed with our handlers in it. hiredis must not call back into a half-destroyed core.
  close_now();
}

void connection_core::close_now() {
  stopped_ = true;
  set_ready(false);
  pending_.take_all();  // drop the handlers first: nothing is posted from a destructor
  if (socket_) socket_->close();
  socket_.reset();
}

void connection_core::start() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->started_ || self->stopped_) return;
    self->started_ = true;
    asio::co_spawn(self->strand_, self->run(self), log_failure("redis connection"));
    asio::co_spawn(self->strand_, self->expire_timeouts(self), log_failure("redis timeouts"));
  });
}

void connection_core::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    if (self->stopped_) return;
    self->stopped_ = true;
    self->set_ready(false);
    self->resolver_.cancel();
    self->wake_timer_.cancel();
    self->health_timer_.cancel();
    self->backoff_timer_.cancel();
    self->timeout_timer_.cancel();
    self->resolve_timer_.cancel();
    self->close_socket();
  });
}

asio::awaitable<std::vector<result>> connection_core::exec(request req) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(std::vector<result>)>(
      [self = shared_from_this()](auto handler, request req) {
        asio::any_io_executor caller = asio::get_associated_executor(handler, self->strand_);
        // Always post: the caller may be inside a handler that hiredis is running.
        asio::post(self->strand_, [self, caller, handler = completion(std::move(handler)),
                                   req = std::move(req)]() mutable {
          self->start_request(std::move(req), std::move(handler), caller, false,
                              clock::now() + self->config_.command_timeout);
        });
      },
      asio::use_awaitable, std::move(req));
}

asio::awaitable<std::vector<result>> connection_core::exec_internal(request req,
                                                                    clock::time_point deadline) {
  return asio::async_initiate<const asio::use_awaitable_t<>, void(std::vector<result>)>(
      [this, deadline](auto handler, request req) {
        asio::any_io_executor caller = asio::get_associated_executor(handler, strand_);
        start_request(std::move(req), completion(std::move(handler)), caller, true, deadline);
      },
      asio::use_awaitable, std::move(req));
}

void connection_core::start_request(request req, completion handler, asio::any_io_executor caller,
                                    bool internal, clock::time_point deadline) {
  auto call = std::make_shared<pending_call>(std::move(handler), std::move(caller));
  call->remaining = req.size();
  call->results.resize(req.size());
  for (auto& r : call->results) r.error = error::timeout;
  if (req.empty()) return finish(call);

  // Fail fast: nothing waits for a connection to come back.
  if (stopped_) return fail(call, error::stopped);
  if (!context() || (!internal && !ready())) return fail(call, error::not_connected);
  // The bound is for callers: a health check must not fail because callers filled the queue.
  if (!internal && !pending_.has_room(req.size())) return fail(call, error::too_many_pending);

  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (size_t i = 0; i < req.size(); ++i) {
    const auto& cmd = req.commands()[i];
    argv.clear();
    lengths.clear();
    for (const auto& arg : cmd) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    void* key = pending_.push(pending_entry{call, i}, deadline);
    // Every command of the request goes into hiredis's output buffer in this one strand step,
    // so nothing else lands between them.
    const int status =
        redisAsyncCommandArgv(context(), &connection_core::on_reply, key,
                              static_cast<int>(argv.size()), argv.data(), lengths.data());
    if (status != REDIS_OK) {
      pending_.complete(key);
      result refused;
      refused.error = error::not_connected;
      deliver(pending_entry{call, i}, std::move(refused));
    }
  }
  // Is the timeout timer set for later than this deadline (or idle)? Bring it forward.
  if (deadline < timeout_timer_.expiry()) timeout_timer_.cancel();
}

void connection_core::on_reply(redisAsyncContext* context, void* raw, void* key) {
  auto* self = static_cast<connection_core*>(context->data);
  auto entry = self->pending_.complete(key);
  if (!entry) return;  // it timed out already; the caller has its answer
  result outcome;
  if (!raw) {
    outcome.error = self->stopped_ ? error::stopped : error::connection_lost;
  } else {
    outcome.value = to_reply(*static_cast<const redisReply*>(raw));
    if (outcome.value.is_error()) outcome.error = error::server_error;
  }
  self->deliver(*entry, std::move(outcome));
}

void connection_core::deliver(const pending_entry& entry, result outcome) {
  auto& call = *entry.call;
  if (call.done) return;
  call.results[entry.index] = std::move(outcome);
  if (--call.remaining == 0) finish(entry.call);
}

void connection_core::fail(const std::shared_ptr<pending_call>& call, error_code ec) {
  for (auto& r : call->results) r.error = ec;
  finish(call);
}

void connection_core::finish(const std::shared_ptr<pending_call>& call) {
  if (call->done) return;
  call->done = true;
  // Completes on the caller's executor, never inside hiredis.
  asio::post(call->caller,
             [handler = std::move(call->handler), results = std::move(call->results)]() mutable {
               std::move(handler)(std::move(results));
             });
}

asio::awaitable<void> connection_core::expire_timeouts(std::shared_ptr<connection_core> self) {
  while (!self->stopped_) {
    const auto next = pending_.next_deadline();
    timeout_timer_.expires_at(next ? *next : clock::time_point::max());
    co_await timeout_timer_.async_wait(use_tuple);
    if (stopped_) break;
    for (auto& entry : pending_.expire(clock::now())) {
      // The whole request gives up: its unanswered commands keep error::timeout.
      finish(entry.call);
    }
  }
}

asio::awaitable<void> connection_core::wait_for_wake(clock::time_point deadline) {
  wake_timer_.expires_at(deadline);
  co_await wake_timer_.async_wait(use_tuple);
}

asio::awaitable<void> connection_core::run(std::shared_ptr<connection_core> self) {
  (void)self;  // held for the loop's lifetime
  const std::string where = to_loggable_string(config_.url);
  unsigned attempt = 0;
  while (!stopped_) {
    std::string why;
    error_code ec = co_await connect_once(why);
    if (!ec && !stopped_) {
      ec = co_await on_established();
      if (ec) why = ec.message();
    }
    if (!ec && !stopped_) {
      attempt = 0;
      lost_reason_.clear();
      set_ready(true);
      spdlog::info("event=redis_connected role={} url={}", role_, where);
      on_ready();
      co_await watch_health();
      set_ready(false);
      if (!stopped_)
        spdlog::warn("event=redis_disconnected role={} url={} reason=\"{}\"", role_, where,
                     lost_reason_.empty() ? "connection closed" : lost_reason_);
    } else if (!stopped_) {
      // One warning per outage; the retries that follow are debug noise.
      const auto level = attempt == 0 ? spdlog::level::warn : spdlog::level::debug;
      spdlog::log(level,
                  "event=redis_connect_failed role={} url={} attempt={} error=\"{}\" reason=\"{}\"",
                  role_, where, attempt + 1, ec.message(), why);
    }
    close_socket();
    on_lost();
    if (stopped_) break;
    backoff_timer_.expires_after(reconnect_delay(config_, attempt++, random_share()));
    co_await backoff_timer_.async_wait(use_tuple);
  }
  close_socket();
}

asio::awaitable<error_code> connection_core::connect_once(std::string& why) {
  const auto deadline = clock::now() + config_.connect_timeout;
  const auto& url = config_.url;

  // hiredis resolves names with a blocking getaddrinfo: hand it a numeric address instead.
  std::string address;
  error_code ec;
  const auto numeric = asio::ip::make_address(url.host, ec);
  if (!ec) {
    address = numeric.to_string();
  } else {
    resolve_timer_.expires_at(deadline);
    resolve_timer_.async_wait([self = shared_from_this()](error_code e) {
      if (!e) self->resolver_.cancel();
    });
    auto [resolve_ec, endpoints] =
        co_await resolver_.async_resolve(url.host, std::to_string(url.port), use_tuple);
    resolve_timer_.cancel();
    if (resolve_ec || endpoints.empty()) {
      why = resolve_ec ? resolve_ec.message() : "no address";
      co_return error::resolve_failed;
    }
    address = endpoints.begin()->endpoint().address().to_string();
  }
  if (stopped_) co_return error::stopped;

  socket_ = std::make_shared<hiredis_socket>(strand_);
  connect_outcome_ = connect_outcome::waiting;
  std::string failure;
  const bool opened = socket_->open(
      address, url.port, this,
      [this](bool connected, const std::string& reason) {
        connect_outcome_ = connected ? connect_outcome::connected : connect_outcome::failed;
        connect_failure_ = reason;
        wake();
      },
      [this](const std::string& reason) { on_socket_closed(reason); }, failure);
  if (!opened) {
    why = failure;
    co_return error::connect_failed;
  }
  // Wait for hiredis to report the TCP connect (or the deadline).
  while (connect_outcome_ == connect_outcome::waiting && !stopped_ && clock::now() < deadline)
    co_await wait_for_wake(deadline);
  if (connect_outcome_ != connect_outcome::connected) {
    why = connect_outcome_ == connect_outcome::failed ? connect_failure_ : "timed out";
    co_return error::connect_failed;
  }

  request hello;
  if (!url.password.empty()) {
    if (url.username.empty())
      hello.push("AUTH", url.password);
    else
      hello.push("AUTH", url.username, url.password);
  }
  if (url.database != 0) hello.push("SELECT", url.database);
  if (!config_.client_name.empty()) hello.push("CLIENT", "SETNAME", config_.client_name);
  if (!hello.empty()) {
    const auto results = co_await exec_internal(std::move(hello), deadline);
    for (const auto& r : results) {
      if (!r.error) continue;
      why = r.value.is_error() ? r.value.text : r.error.message();
      co_return error::handshake_failed;
    }
  }
  co_return error_code{};
}

asio::awaitable<error_code> connection_core::on_established() {
  co_return error_code{};
}

asio::awaitable<error_code> connection_core::check_health() {
  const auto results =
      co_await exec_internal(request().push("PING"), clock::now() + config_.command_timeout);
  co_return results.front().error;
}

asio::awaitable<void> connection_core::watch_health() {
  const auto interval = config_.health_check_interval;
  for (;;) {
    if (interval.count() > 0)
      health_timer_.expires_after(interval);
    else
      health_timer_.expires_at(clock::time_point::max());
    co_await health_timer_.async_wait(use_tuple);
    if (stopped_ || !context()) co_return;
    if (interval.count() <= 0) continue;
    const error_code ec = co_await check_health();
    if (stopped_ || !context()) co_return;
    if (ec) {
      lost_reason_ = "health check failed: " + ec.message();
      co_return;
    }
  }
}

void connection_core::on_socket_closed(const std::string& reason) {
  // Runs inside hiredis as it frees the context: note it and wake the run loop, nothing more.
  lost_reason_ = reason;
  set_ready(false);
  health_timer_.cancel();
  wake();
}

void connection_core::close_socket() {
  set_ready(false);
  if (socket_) {
    socket_->close();  // pending callbacks run with null replies: connection_lost / stopped
    socket_.reset();
  }
  // Whatever hiredis did not answer is lost with the context.
  for (auto& entry : pending_.take_all()) {
    result lost;
    lost.error = stopped_ ? error::stopped : error::connection_lost;
    deliver(entry, std::move(lost));
  }
}

void connection_core::set_ready(bool ready) {
  ready_.store(ready, std::memory_order_release);
}

double connection_core::random_share() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(random_);
}

}  // namespace majlis::redis

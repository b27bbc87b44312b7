#include "redis/redis_subscriber.hpp"

#include <cstdlib>
#include <random>
#include <set>
#include <vector>

#include <boost/asio/post.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "redis/connection_core.hpp"
#include "redis/error.hpp"

namespace majlis::redis {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr size_t channels_per_subscribe = 1000;

std::string random_hex(size_t length) {
  static constexpr char digits[] = "0123456789abcdef";
  std::random_device device;
  std::string out(length, '0');
  for (auto& c : out) c = digits[device() % 16];
  return out;
}

bool equals(const redisReply* reply, std::string_view text) {
  return reply->type == REDIS_REPLY_STRING && std::string_view(reply->str, reply->len) == text;
}

}  // namespace

class redis_subscriber::impl final : public connection_core {
 public:
  impl(asio::any_io_executor executor, config cfg)
      : connection_core(std::move(executor), std::move(cfg), "subscriber"),
        // A pattern without wildcards that nobody publishes to: the PINGs of the health check
        // carry it, and hiredis routes their "pong" replies to its callback.
        health_pattern_("majlis:health:" + random_hex(16)) {}

  ~impl() override { close_now(); }

  message_handler on_message;
  subscribed_handler on_subscribed;
  reconnect_handler on_reconnect;

  void subscribe(std::string channel) {
    asio::post(strand(), [self = self_ptr(), channel = std::move(channel)]() mutable {
      if (!self->channels_.insert(channel).second) return;
      // Connected and past the handshake? Then subscribe now; otherwise the next connect does.
      if (self->accepting_ && self->context()) self->send_subscribe({channel});
    });
  }

  void unsubscribe(std::string channel) {
    asio::post(strand(), [self = self_ptr(), channel = std::move(channel)] {
      if (self->channels_.erase(channel) == 0) return;
      self->unconfirmed_.erase(channel);
      if (self->accepting_ && self->context()) {
        const char* argv[] = {"UNSUBSCRIBE", channel.data()};
        const size_t lengths[] = {11, channel.size()};
        // (P)UNSUBSCRIBE has no callback of its own: hiredis hands the confirmation to the
        // channel's callback and then forgets the channel.
        redisAsyncCommandArgv(self->context(), nullptr, nullptr, 2, argv, lengths);
      }
    });
  }

 protected:
  asio::awaitable<error_code> on_established() override {
    accepting_ = true;
    health_confirmed_ = false;
    unconfirmed_.clear();
    {
      const char* argv[] = {"PSUBSCRIBE", health_pattern_.data()};
      const size_t lengths[] = {10, health_pattern_.size()};
      redisAsyncCommandArgv(context(), &impl::on_channel_reply, this, 2, argv, lengths);
    }
    std::vector<std::string> batch;
    for (const auto& channel : channels_) {
      batch.push_back(channel);
      if (batch.size() == channels_per_subscribe) {
        send_subscribe(batch);
        batch.clear();
      }
    }
    if (!batch.empty()) send_subscribe(batch);

    // Ready only once Redis confirmed every subscription: before that, a publish can be missed.
    const auto deadline = clock::now() + configuration().connect_timeout;
    while ((!health_confirmed_ || !unconfirmed_.empty()) && context() && !stopped() &&
           clock::now() < deadline)
      co_await wait_for_wake(deadline);
    if (!context() || stopped()) co_return error::connection_lost;
    if (!health_confirmed_ || !unconfirmed_.empty()) co_return error::timeout;
    co_return error_code{};
  }

  void on_ready() override {
    if (connected_before_ && on_reconnect) on_reconnect();
    connected_before_ = true;
  }

  asio::awaitable<error_code> check_health() override {
    health_answered_ = false;
    // In subscribed mode Redis answers PING with ["pong", argument]; with the health pattern as
    // the argument, hiredis hands it to that pattern's callback.
    const char* argv[] = {"PING", health_pattern_.data()};
    const size_t lengths[] = {4, health_pattern_.size()};
    if (redisAsyncCommandArgv(context(), nullptr, nullptr, 2, argv, lengths) != REDIS_OK)
      co_return error::connection_lost;
    const auto deadline = clock::now() + configuration().command_timeout;
    while (!health_answered_ && context() && !stopped() && clock::now() < deadline)
      co_await wait_for_wake(deadline);
    if (health_answered_) co_return error_code{};
    co_return context() ? error_code(error::timeout) : error_code(error::connection_lost);
  }

  void on_lost() override {
    accepting_ = false;
    health_confirmed_ = false;
    unconfirmed_.clear();
  }

 private:
  std::shared_ptr<impl> self_ptr() { return std::static_pointer_cast<impl>(shared_from_this()); }

  void send_subscribe(const std::vector<std::string>& channels) {
    std::vector<const char*> argv{"SUBSCRIBE"};
    std::vector<size_t> lengths{9};
    for (const auto& channel : channels) {
      argv.push_back(channel.data());
      lengths.push_back(channel.size());
      unconfirmed_.insert(channel);
    }
    redisAsyncCommandArgv(context(), &impl::on_channel_reply, this, static_cast<int>(argv.size()),
                          argv.data(), lengths.data());
  }

  // Every pub/sub reply: messages, (un)subscribe confirmations, and the health check's pongs.
  static void on_channel_reply(redisAsyncContext* context, void* raw, void* privdata) {
    // A null reply: the context is being freed. Touch nothing; the core is closing.
    if (!raw) return;
    auto* self = static_cast<impl*>(privdata);
    const auto* reply = static_cast<const redisReply*>(raw);
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 2) return;
    const redisReply* kind = reply->element[0];
    const redisReply* name = reply->element[1];
    if (name->type != REDIS_REPLY_STRING) return;
    const std::string_view channel(name->str, name->len);

    if (equals(kind, "message") && reply->elements >= 3) {
      const redisReply* payload = reply->element[2];
      // A message can still arrive for a channel we just unsubscribed from.
      if (self->on_message && payload->type == REDIS_REPLY_STRING &&
          self->channels_.contains(channel))
        self->on_message(channel, std::string_view(payload->str, payload->len));
    } else if (equals(kind, "subscribe")) {
      const std::string key(channel);
      self->unconfirmed_.erase(key);
      if (self->on_subscribed && self->channels_.contains(key)) self->on_subscribed(channel);
      self->wake();
    } else if (equals(kind, "psubscribe")) {
      self->health_confirmed_ = true;
      self->wake();
    } else if (equals(kind, "pong")) {
      self->health_answered_ = true;
      forget_queued_ping(context);
      self->wake();
    }
  }

  // hiredis 0.14 queues a subscribed-mode PING on sub.invalid but routes the "pong" through the
  // pattern table, so that queue never shrinks: take one entry off per pong (its callback is
  // null, nothing is lost). Later hiredis versions track PING replies themselves.
  static void forget_queued_ping(redisAsyncContext* context) {
#if HIREDIS_MAJOR == 0
    if (redisCallback* head = context->sub.invalid.head) {
      context->sub.invalid.head = head->next;
      if (!head->next) context->sub.invalid.tail = nullptr;
      std::free(head);
    }
#else
    (void)context;
#endif
  }

  const std::string health_pattern_;
  std::set<std::string, std::less<>> channels_;  // what the owner asked for, kept across reconnects
  std::set<std::string, std::less<>> unconfirmed_;  // sent, not yet confirmed by Redis
  bool accepting_ = false;  // past the handshake: new channels are subscribed at once
  bool health_confirmed_ = false;
  bool health_answered_ = false;
  bool connected_before_ = false;
};

redis_subscriber::redis_subscriber(asio::any_io_executor executor, config cfg)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(cfg))) {}

redis_subscriber::~redis_subscriber() {
  impl_->stop();
}

void redis_subscriber::set_message_handler(message_handler handler) {
  impl_->on_message = std::move(handler);
}

void redis_subscriber::set_subscribed_handler(subscribed_handler handler) {
  impl_->on_subscribed = std::move(handler);
}

void redis_subscriber::set_reconnect_handler(reconnect_handler handler) {
  impl_->on_reconnect = std::move(handler);
}

void redis_subscriber::start() {
  impl_->start();
}

void redis_subscriber::stop() {
  impl_->stop();
}

void redis_subscriber::subscribe(std::string channel) {
  impl_->subscribe(std::move(channel));
}

void redis_subscriber::unsubscribe(std::string channel) {
  impl_->unsubscribe(std::move(channel));
}

bool redis_subscriber::ready() const {
  return impl_->ready();
}

}  // namespace majlis::redis

#include "redis/error.hpp"

#include <string>

namespace majlis::redis {

namespace {

class redis_category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "majlis.redis"; }

  std::string message(int value) const override {
    switch (static_cast<error>(value)) {
      case error::not_connected:
        return "not connected to Redis";
      case error::too_many_pending:
        return "too many Redis commands waiting for replies";
      case error::timeout:
        return "Redis did not reply in time";
      case error::connection_lost:
        return "the Redis connection dropped before the reply";
      case error::server_error:
        return "Redis replied with an error";
      case error::protocol_error:
        return "malformed reply from Redis";
      case error::invalid_url:
        return "invalid Redis URL";
      case error::resolve_failed:
        return "cannot resolve the Redis host";
      case error::connect_failed:
        return "cannot connect to Redis";
      case error::handshake_failed:
        return "Redis refused AUTH, SELECT or CLIENT SETNAME";
      case error::stopped:
        return "the Redis connection was stopped";
    }
    return "unknown Redis error";
  }
};

}  // namespace

const boost::system::error_category& error_category() {
  static const redis_category category;
  return category;
}

boost::system::error_code make_error_code(error e) {
  return {static_cast<int>(e), error_category()};
}

}  // namespace majlis::redis

#include "redis/reply.hpp"

#include <charconv>

#include <hiredis/hiredis.h>

#include "redis/error.hpp"

namespace majlis::redis {

std::optional<long long> reply::to_integer() const {
  if (kind == type::integer) return integer;
  if (!is_text()) return std::nullopt;
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::optional<uint64_t> reply::to_unsigned() const {
  if (kind == type::integer) {
    if (integer < 0) return std::nullopt;
    return static_cast<uint64_t>(integer);
  }
  if (!is_text()) return std::nullopt;
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

reply to_reply(const redisReply& from) {
  reply out;
  switch (from.type) {
    case REDIS_REPLY_STRING:
      out.kind = reply::type::string;
      out.text.assign(from.str, from.len);
      break;
    case REDIS_REPLY_STATUS:
      out.kind = reply::type::status;
      out.text.assign(from.str, from.len);
      break;
    case REDIS_REPLY_ERROR:
      out.kind = reply::type::error;
      out.text.assign(from.str, from.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.kind = reply::type::integer;
      out.integer = from.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = reply::type::array;
      out.elements.reserve(from.elements);
      for (size_t i = 0; i < from.elements; ++i) out.elements.push_back(to_reply(*from.element[i]));
      break;
    default:  // REDIS_REPLY_NIL
      out.kind = reply::type::nil;
      break;
  }
  return out;
}

void reply_parser::reader_deleter::operator()(void* reader) const {
  redisReaderFree(static_cast<redisReader*>(reader));
}

reply_parser::reply_parser() : reader_(redisReaderCreate()) {
  if (!reader_) throw std::bad_alloc();
}

reply_parser::~reply_parser() = default;

void reply_parser::feed(std::string_view bytes) {
  redisReaderFeed(static_cast<redisReader*>(reader_.get()), bytes.data(), bytes.size());
}

std::optional<reply> reply_parser::next(boost::system::error_code& ec) {
  ec = {};
  void* raw = nullptr;
  if (redisReaderGetReply(static_cast<redisReader*>(reader_.get()), &raw) != REDIS_OK) {
    ec = error::protocol_error;
    return std::nullopt;
  }
  if (!raw) return std::nullopt;
  std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(raw),
                                                     freeReplyObject);
  return to_reply(*owned);
}

}  // namespace majlis::redis

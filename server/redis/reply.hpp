// Redis's answers as plain values (RESP2, which is what hiredis 0.14 speaks), and a parser that
// turns bytes into them without any I/O, so reply handling is tested by feeding bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/error_code.hpp>

struct redisReply;

namespace majlis::redis {

// One reply, owned: strings are binary-safe.
struct reply {
  enum class type { nil, string, status, error, integer, array };

  type kind = type::nil;
  std::string text;             // string, status and error
  long long integer = 0;        // integer
  std::vector<reply> elements;  // array

  bool is_nil() const { return kind == type::nil; }
  bool is_error() const { return kind == type::error; }
  bool is_array() const { return kind == type::array; }
  // A bulk string or a status ("OK").
  bool is_text() const { return kind == type::string || kind == type::status; }
  // An integer reply, or a text that holds a decimal integer (GET of a counter).
  std::optional<long long> to_integer() const;
  std::optional<uint64_t> to_unsigned() const;
};

// Copies a hiredis reply tree (hiredis frees its own after the callback returns).
reply to_reply(const redisReply& from);

// Turns RESP bytes into replies. Owns a hiredis reader; no I/O.
class reply_parser {
 public:
  reply_parser();
  ~reply_parser();
  reply_parser(const reply_parser&) = delete;
  reply_parser& operator=(const reply_parser&) = delete;

  void feed(std::string_view bytes);
  // The next complete reply; nullopt while more bytes are needed or after a protocol error
  // (then `ec` is error::protocol_error and the parser is unusable).
  std::optional<reply> next(boost::system::error_code& ec);

 private:
  struct reader_deleter {
    void operator()(void* reader) const;
  };
  std::unique_ptr<void, reader_deleter> reader_;
};

}  // namespace majlis::redis

// One hiredis async context and its socket, driven by Asio. hiredis reads, writes and closes the
// descriptor; Asio only waits for it to become readable or writable (async_wait on the owner's
// strand) and releases it before hiredis closes it. Every call, and every hiredis callback,
// happens on that strand.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/strand.hpp>

struct redisAsyncContext;

namespace majlis::redis {

class hiredis_socket : public std::enable_shared_from_this<hiredis_socket> {
 public:
  using strand_type = boost::asio::strand<boost::asio::any_io_executor>;
  // `connected` false: the connect failed, `reason` says why.
  using connect_handler = std::function<void(bool connected, const std::string& reason)>;
  // An established connection ended (Redis closed it, a read or write failed).
  using disconnect_handler = std::function<void(const std::string& reason)>;

  explicit hiredis_socket(strand_type strand);
  ~hiredis_socket();
  hiredis_socket(const hiredis_socket&) = delete;
  hiredis_socket& operator=(const hiredis_socket&) = delete;

  // Starts a non-blocking connect to a numeric address. `owner` becomes the context's `data`
  // (reply callbacks find their connection through it). The handlers run inside hiredis: they
  // must not call back into this socket. False if the attempt failed at once (see `failure`).
  bool open(const std::string& address, uint16_t port, void* owner, connect_handler on_connect,
            disconnect_handler on_disconnect, std::string& failure);

  // The context while it lives; null once hiredis freed it or close() was called.
  redisAsyncContext* context() const { return context_; }
  bool is_open() const { return context_ != nullptr; }

  // Frees the context: hiredis calls every pending reply callback with a null reply. Never call
  // it from inside a hiredis callback.
  void close();

 private:
  enum class direction { read, write };

  static void add_read(void* self);
  static void del_read(void* self);
  static void add_write(void* self);
  static void del_write(void* self);
  static void cleanup(void* self);
  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);

  void start_wait(direction which);

  strand_type strand_;
  boost::asio::posix::stream_descriptor descriptor_;
  redisAsyncContext* context_ = nullptr;
  connect_handler on_connect_;
  disconnect_handler on_disconnect_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool reading_ = false;  // an async_wait(wait_read) is outstanding
  bool writing_ = false;
  bool closing_ = false;  // close() is freeing the context: the disconnect is ours, not news
};

}  // namespace majlis::redis

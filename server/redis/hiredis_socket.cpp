#include "redis/hiredis_socket.hpp"

#include <boost/asio/bind_executor.hpp>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace majlis::redis {

namespace asio = boost::asio;

hiredis_socket::hiredis_socket(strand_type strand) : strand_(strand), descriptor_(strand) {}

hiredis_socket::~hiredis_socket() {
  close();
}

bool hiredis_socket::open(const std::string& address, uint16_t port, void* owner,
                          connect_handler on_connect, disconnect_handler on_disconnect,
                          std::string& failure) {
  redisAsyncContext* context = redisAsyncConnect(address.c_str(), port);
  if (!context) {
    failure = "out of memory";
    return false;
  }
  if (context->err) {
    failure = context->errstr;
    redisAsyncFree(context);
    return false;
  }
  boost::system::error_code ec;
  descriptor_.assign(context->c.fd, ec);
  if (ec) {
    failure = ec.message();
    redisAsyncFree(context);
    return false;
  }
  // Notices a peer that vanished without a FIN even when no command is waiting.
  redisEnableKeepAlive(&context->c);
  context_ = context;
  on_connect_ = std::move(on_connect);
  on_disconnect_ = std::move(on_disconnect);
  context->data = owner;
  context->ev.data = this;
  context->ev.addRead = &hiredis_socket::add_read;
  context->ev.delRead = &hiredis_socket::del_read;
  context->ev.addWrite = &hiredis_socket::add_write;
  context->ev.delWrite = &hiredis_socket::del_write;
  context->ev.cleanup = &hiredis_socket::cleanup;
  redisAsyncSetDisconnectCallback(context, &hiredis_socket::on_disconnect);
  // Setting the connect callback asks for a write event: the connect completes when the socket
  // becomes writable. The hooks above must be in place first.
  redisAsyncSetConnectCallback(context, &hiredis_socket::on_connect);
  return true;
}

void hiredis_socket::close() {
  if (!context_) return;
  closing_ = true;
  redisAsyncFree(context_);  // ends in cleanup(), which releases the descriptor
  context_ = nullptr;
}

void hiredis_socket::add_read(void* self) {
  auto* socket = static_cast<hiredis_socket*>(self);
  socket->want_read_ = true;
  socket->start_wait(direction::read);
}

void hiredis_socket::del_read(void* self) {
  static_cast<hiredis_socket*>(self)->want_read_ = false;
}

void hiredis_socket::add_write(void* self) {
  auto* socket = static_cast<hiredis_socket*>(self);
  socket->want_write_ = true;
  socket->start_wait(direction::write);
}

void hiredis_socket::del_write(void* self) {
  static_cast<hiredis_socket*>(self)->want_write_ = false;
}

void hiredis_socket::cleanup(void* self) {
  auto* socket = static_cast<hiredis_socket*>(self);
  socket->want_read_ = socket->want_write_ = false;
  socket->context_ = nullptr;
  // hiredis closes the descriptor right after this hook: Asio lets go of it first, which also
  // cancels the outstanding waits.
  if (socket->descriptor_.is_open()) socket->descriptor_.release();
}

void hiredis_socket::on_connect(const redisAsyncContext* context, int status) {
  auto* socket = static_cast<hiredis_socket*>(context->ev.data);
  if (socket->on_connect_) {
    const std::string reason = status == REDIS_OK ? std::string() : std::string(context->errstr);
    socket->on_connect_(status == REDIS_OK, reason);
  }
}

void hiredis_socket::on_disconnect(const redisAsyncContext* context, int status) {
  auto* socket = static_cast<hiredis_socket*>(context->ev.data);
  if (socket->closing_ || !socket->on_disconnect_) return;
  std::string reason = status == REDIS_OK ? std::string("closed") : std::string(context->errstr);
  if (reason.empty()) reason = "connection closed";
  socket->on_disconnect_(reason);
}

void hiredis_socket::start_wait(direction which) {
  bool& waiting = which == direction::read ? reading_ : writing_;
  // Is a wait in this direction already outstanding? It will serve the new interest too.
  if (waiting || !descriptor_.is_open()) return;
  waiting = true;
  const auto type = which == direction::read ? asio::posix::descriptor_base::wait_read
                                             : asio::posix::descriptor_base::wait_write;
  descriptor_.async_wait(type, [self = shared_from_this(), which](boost::system::error_code ec) {
    bool& waiting = which == direction::read ? self->reading_ : self->writing_;
    const bool& wanted = which == direction::read ? self->want_read_ : self->want_write_;
    waiting = false;
    if (ec || !self->context_ || !wanted) return;
    // hiredis may free the context in here (Redis closed the connection): check again after.
    if (which == direction::read)
      redisAsyncHandleRead(self->context_);
    else
      redisAsyncHandleWrite(self->context_);
    if (self->context_ && wanted) self->start_wait(which);
  });
}

}  // namespace majlis::redis

// batch_send: the sends of one fan-out, many sockets' non-blocking send()s in one system call.
//
// A fan-out writes the same pre-framed bytes to thousands of sockets, one send() each; on a
// kernel that pays for every system call (page-table isolation) the calls themselves are a good
// part of the cost. io_uring takes a whole batch of sends in one io_uring_enter: each send runs
// inline, as send(MSG_DONTWAIT) would (a full socket answers -EAGAIN at once, nothing waits in
// the kernel), and its result is read back from the completion queue. Private to net.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace majlis::net {

// One send of a batch: `size` bytes at `data` to socket `fd`, without waiting and without
// SIGPIPE (MSG_DONTWAIT | MSG_NOSIGNAL). After the batch, `result` holds the bytes the socket
// took, or -errno (-EAGAIN: the socket took nothing yet).
struct send_request {
  int fd = -1;
  const void* data = nullptr;
  std::size_t size = 0;
  ssize_t result = 0;
};

// One per I/O thread (it is not thread-safe). Sends through an io_uring ring of its own, 256
// sends per system call, or, where io_uring is not to be had (switched off, disabled by the
// kernel's io_uring_disabled, refused by a seccomp filter such as Docker's default, or a kernel
// that would park a send instead of answering -EAGAIN), with one send() each.
class send_batcher {
 public:
  enum class mode { io_uring, send_per_socket };

  explicit send_batcher(bool use_io_uring);
  ~send_batcher();
  send_batcher(const send_batcher&) = delete;
  send_batcher& operator=(const send_batcher&) = delete;

  // Sends each request in order and fills in its result.
  void send(std::span<send_request> requests);
  mode how() const { return ring_ ? mode::io_uring : mode::send_per_socket; }
  // Why io_uring is not used ("switched off", "io_uring_queue_init: ..."); empty when it is.
  const std::string& fallback_reason() const { return fallback_reason_; }

  // The batcher of the calling thread, made on first use; io_uring unless set_io_uring(false)
  // was called before (majlisd's --io-uring).
  static send_batcher& for_this_thread();
  static void set_io_uring(bool use);

  // Since the process started, over every thread: sends handed to the kernel through io_uring,
  // and the io_uring_enter calls that took them (majlis_net_io_uring_* in /metrics).
  static std::uint64_t io_uring_sends_total();
  static std::uint64_t io_uring_calls_total();

 private:
  struct ring;
  std::unique_ptr<ring> ring_;
  std::string fallback_reason_;
};

}  // namespace majlis::net

#include "net/batch_send.hpp"

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>

#include <spdlog/spdlog.h>

namespace majlis::net {

namespace {

constexpr int send_flags = MSG_DONTWAIT | MSG_NOSIGNAL;
// Sends per io_uring_enter. A fan-out to 10,000 sockets takes 40 calls instead of 10,000.
constexpr unsigned ring_entries = 256;

std::atomic<bool> io_uring_wanted{true};
std::atomic<std::uint64_t> io_uring_sends{0};
std::atomic<std::uint64_t> io_uring_calls{0};

std::string error_text(const char* what, int error) {
  return std::string(what) + ": " + std::strerror(error);
}

}  // namespace

struct send_batcher::ring {
  io_uring uring{};
  bool live = false;
  ~ring() {
    if (live) io_uring_queue_exit(&uring);
  }
};

namespace {

// Every submitted send is finished when io_uring_enter returns only if the kernel answers a full
// socket with -EAGAIN instead of parking the send until the socket drains (MSG_DONTWAIT makes a
// send "no wait" since Linux 5.x). Checked once on a socket pair whose buffer is full: a parked
// send would leave the I/O thread waiting for its completion.
bool answers_full_socket_at_once(io_uring& uring, std::string& why) {
  static char chunk[4096];
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) {
    why = error_text("socketpair", errno);
    return false;
  }
  for (int i = 0; i < 100'000; ++i) {
    if (::send(pair[0], chunk, sizeof chunk, send_flags) < 0) break;
  }
  io_uring_sqe* sqe = io_uring_get_sqe(&uring);
  io_uring_prep_send(sqe, pair[0], chunk, sizeof chunk, send_flags);
  io_uring_sqe_set_data64(sqe, 0);
  const int submitted = io_uring_submit(&uring);
  io_uring_cqe* cqe = nullptr;
  const bool answered = submitted == 1 && io_uring_peek_cqe(&uring, &cqe) == 0;
  const int result = answered ? cqe->res : 0;
  if (answered) io_uring_cqe_seen(&uring, cqe);
  // A parked send (the check failed) is cancelled when the caller drops the ring; `chunk` is
  // static, so it outlives it either way.
  ::close(pair[0]);
  ::close(pair[1]);
  if (submitted != 1) {
    why = submitted < 0 ? error_text("io_uring_submit", -submitted) : "io_uring_submit took no send";
    return false;
  }
  if (!answered) {
    why = "a send to a full socket waits in the kernel instead of answering EAGAIN";
    return false;
  }
  if (result != -EAGAIN) {
    why = "a send to a full socket answered " + std::to_string(result) + ", not -EAGAIN";
    return false;
  }
  return true;
}

}  // namespace

send_batcher::send_batcher(bool use_io_uring) {
  if (!use_io_uring) {
    fallback_reason_ = "switched off (--io-uring false)";
    return;
  }
  auto made = std::make_unique<ring>();
  // SUBMIT_ALL: a send that fails is answered in its completion and the rest are still
  // submitted, so every send of a batch has a completion (Linux 5.18).
  int rc = io_uring_queue_init(ring_entries, &made->uring,
                               IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER);
  if (rc == -EINVAL) rc = io_uring_queue_init(ring_entries, &made->uring, IORING_SETUP_SUBMIT_ALL);
  if (rc < 0) {
    fallback_reason_ = error_text("io_uring_queue_init", -rc);
    return;
  }
  made->live = true;
  if (!answers_full_socket_at_once(made->uring, fallback_reason_)) return;
  ring_ = std::move(made);
}

send_batcher::~send_batcher() = default;

void send_batcher::send(std::span<send_request> requests) {
  std::size_t next = 0;
  while (ring_ && next < requests.size()) {
    io_uring& uring = ring_->uring;
    const std::size_t first = next;
    unsigned queued = 0;
    for (; next < requests.size() && queued < ring_entries; ++next, ++queued) {
      const auto& r = requests[next];
      io_uring_sqe* sqe = io_uring_get_sqe(&uring);  // the ring is empty at each round
      io_uring_prep_send(sqe, r.fd, r.data, r.size, send_flags);
      io_uring_sqe_set_data64(sqe, next);
    }
    // The kernel takes the sends in order; it may take fewer than asked (it could not allocate a
    // request), and then does not wait. Ask again for the rest; what it still refuses stays in
    // the ring, which is dropped below once the taken sends are reaped.
    unsigned taken = 0;
    int error = 0;
    for (bool wait = true; taken < queued;) {
      const int rc = wait ? io_uring_submit_and_wait(&uring, queued) : io_uring_submit(&uring);
      wait = false;
      if (rc == -EINTR) continue;
      if (rc <= 0) {
        error = rc < 0 ? -rc : EAGAIN;
        break;
      }
      taken += static_cast<unsigned>(rc);
    }
    if (taken > 0) {
      io_uring_sends.fetch_add(taken, std::memory_order_relaxed);
      io_uring_calls.fetch_add(1, std::memory_order_relaxed);
    }
    // Only the taken sends have completions; each is there already (they ran inline).
    for (unsigned seen = 0; seen < taken;) {
      io_uring_cqe* cqe = nullptr;
      const int rc = io_uring_wait_cqe(&uring, &cqe);
      if (rc == -EINTR) continue;
      if (rc < 0) {
        // Cannot happen with completions already posted; end the process rather than lose
        // track of bytes that may or may not be on a socket.
        spdlog::critical("event=send_batching_lost error=\"{}\"", std::strerror(-rc));
        std::terminate();
      }
      requests[io_uring_cqe_get_data64(cqe)].result = cqe->res;
      io_uring_cqe_seen(&uring, cqe);
      ++seen;
    }
    if (taken < queued) {
      // The rest of this round is still queued in the ring: drop the ring with it, and send the
      // rest, and every later batch of this thread, one send() each.
      spdlog::error("event=send_batching_failed error=\"{}\" taken={} of={} fallback=send_per_socket",
                    std::strerror(error), taken, queued);
      fallback_reason_ = error_text("io_uring_submit", error);
      ring_.reset();
      next = first + taken;
      break;
    }
  }
  for (; next < requests.size(); ++next) {
    auto& r = requests[next];
    const ssize_t sent = ::send(r.fd, r.data, r.size, send_flags);
    r.result = sent >= 0 ? sent : -errno;
  }
}

send_batcher& send_batcher::for_this_thread() {
  thread_local std::unique_ptr<send_batcher> batcher;
  thread_local bool made_with = false;
  const bool wanted = io_uring_wanted.load(std::memory_order_relaxed);
  if (!batcher || made_with != wanted) {
    batcher = std::make_unique<send_batcher>(wanted);
    made_with = wanted;
    // The server's start said which mode; a thread that cannot have it says so.
    if (wanted && batcher->how() != mode::io_uring)
      spdlog::warn("event=send_batching mode=send_per_socket reason=\"{}\"", batcher->fallback_reason());
  }
  return *batcher;
}

void send_batcher::set_io_uring(bool use) { io_uring_wanted.store(use, std::memory_order_relaxed); }

std::uint64_t send_batcher::io_uring_sends_total() {
  return io_uring_sends.load(std::memory_order_relaxed);
}

std::uint64_t send_batcher::io_uring_calls_total() {
  return io_uring_calls.load(std::memory_order_relaxed);
}

}  // namespace majlis::net

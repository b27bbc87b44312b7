#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "net/connection.hpp"

namespace majlis::net {
namespace {

namespace asio = boost::asio;

// Records how each frame arrived: send() (dispatched per connection) or send_on_thread(), and on
// which thread.
class recording_connection final : public connection {
 public:
  explicit recording_connection(asio::io_context* thread) : thread_(thread) {}
  const std::string& id() const override { return id_; }
  wire_format format() const override { return wire_format::binary; }
  void send(frame f) override { record("send", f); }
  void send(const v1::ServerMessage&) override { record("message", {}); }
  void close_with_error(close_code, v1::ErrorCode, std::string) override {}
  void mark_joined() override {}
  asio::io_context* io_thread() const override { return thread_; }
  void send_on_thread(const frame& f) override { record("on_thread", f); }

  struct arrival {
    std::string how;
    std::thread::id thread;
    const std::string* bytes;
  };
  std::vector<arrival> arrivals() const {
    std::lock_guard lock(mutex_);
    return arrivals_;
  }

 private:
  void record(const char* how, const frame& f) {
    std::lock_guard lock(mutex_);
    arrivals_.push_back({how, std::this_thread::get_id(), f.bytes.get()});
  }
  asio::io_context* thread_;
  std::string id_ = "c";
  mutable std::mutex mutex_;
  std::vector<arrival> arrivals_;
};

frame make_frame(std::string payload) {
  frame f;
  f.bytes = std::make_shared<const std::string>(std::move(payload));
  return f;
}

TEST(net_delivery, each_io_thread_gets_its_receivers_in_one_task) {
  asio::io_context here(1), there(1);
  auto guard = asio::make_work_guard(there);
  std::promise<std::thread::id> there_id;
  std::thread there_thread([&] {
    there_id.set_value(std::this_thread::get_id());
    there.run();
  });
  const auto there_thread_id = there_id.get_future().get();

  std::vector<std::shared_ptr<recording_connection>> on_here, on_there, stranded;
  for (int i = 0; i < 3; ++i) {
    on_here.push_back(std::make_shared<recording_connection>(&here));
    on_there.push_back(std::make_shared<recording_connection>(&there));
    stranded.push_back(std::make_shared<recording_connection>(nullptr));
  }
  const frame binary = make_frame("binary");
  const frame json = make_frame("json");
  bool here_done_before_send_returned = false;
  asio::post(here, [&] {
    delivery d;
    for (int i = 0; i < 3; ++i) {
      d.add(on_here[i], i == 0 ? json : binary);
      d.add(on_there[i], binary);
      d.add(stranded[i], binary);
    }
    d.send();
    here_done_before_send_returned = true;
    for (const auto& c : on_here) here_done_before_send_returned &= c->arrivals().size() == 1;
  });
  here.run();
  // `there` runs its tasks in order: once a task posted now has run, the group's task has too.
  std::promise<void> drained;
  asio::post(there, [&] { drained.set_value(); });
  ASSERT_EQ(drained.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  guard.reset();
  there_thread.join();

  EXPECT_TRUE(here_done_before_send_returned) << "the calling thread's group is queued inline";
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(on_here[i]->arrivals().size(), 1u);
    EXPECT_EQ(on_here[i]->arrivals()[0].how, "on_thread");
    EXPECT_EQ(on_here[i]->arrivals()[0].thread, std::this_thread::get_id());
    EXPECT_EQ(*on_here[i]->arrivals()[0].bytes, i == 0 ? "json" : "binary");
    ASSERT_EQ(on_there[i]->arrivals().size(), 1u);
    EXPECT_EQ(on_there[i]->arrivals()[0].how, "on_thread");
    EXPECT_EQ(on_there[i]->arrivals()[0].thread, there_thread_id);
    EXPECT_EQ(on_there[i]->arrivals()[0].bytes, binary.bytes.get()) << "shared, not copied";
    ASSERT_EQ(stranded[i]->arrivals().size(), 1u);
    EXPECT_EQ(stranded[i]->arrivals()[0].how, "send") << "no io_thread: a send() each";
  }
}


// A connection on a socket pair that takes a fan-out's frame at once, as websocket_session does:
// it logs the batch protocol's calls so that their order can be checked.
class direct_connection final : public connection {
 public:
  explicit direct_connection(asio::io_context* thread) : thread_(thread) {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
      throw std::runtime_error("socketpair failed");
    sender_ = fds[0];
    receiver_ = fds[1];
  }
  ~direct_connection() override {
    ::close(sender_);
    ::close(receiver_);
  }
  const std::string& id() const override { return id_; }
  wire_format format() const override { return wire_format::binary; }
  void send(frame) override { log_.push_back("send"); }
  void send(const v1::ServerMessage&) override {}
  void close_with_error(close_code, v1::ErrorCode, std::string) override {}
  void mark_joined() override {}
  asio::io_context* io_thread() const override { return thread_; }
  void send_on_thread(const frame&) override { log_.push_back("on_thread"); }
  int begin_direct_send(const frame&) override {
    if (in_batch_) {
      log_.push_back("begin:in_this_batch");
      return in_this_batch;
    }
    in_batch_ = true;
    log_.push_back("begin");
    return sender_;
  }
  void end_direct_send(const frame& f, std::int64_t result) override {
    in_batch_ = false;
    log_.push_back("end:" + std::to_string(result) + "/" + std::to_string(f.framed->size()));
  }

  const std::vector<std::string>& log() const { return log_; }
  std::string received() const {
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(receiver_, buffer, sizeof buffer)) > 0;) out.append(buffer, std::size_t(n));
    return out;
  }

 private:
  asio::io_context* thread_;
  std::string id_ = "d";
  int sender_ = -1;
  int receiver_ = -1;
  bool in_batch_ = false;
  std::vector<std::string> log_;
};

frame framed_frame(std::string payload) {
  frame f = make_frame(payload);
  f.framed = std::make_shared<const std::string>("[" + payload + "]");
  return f;
}

TEST(net_delivery, receivers_that_take_frames_at_once_are_sent_in_one_batch) {
  asio::io_context here(1);
  auto a = std::make_shared<direct_connection>(&here);
  auto b = std::make_shared<direct_connection>(&here);
  auto queued = std::make_shared<recording_connection>(&here);
  const frame first = framed_frame("first"), second = framed_frame("second");
  asio::post(here, [&] {
    delivery d;
    d.add(a, first);
    d.add(queued, first);
    d.add(b, first);
    // The same connection twice in one fan-out: its first frame is sent (and its outcome handed
    // back) before the second is asked for, so the two reach the socket in order.
    d.add(a, second);
    d.send();
  });
  here.run();
  EXPECT_EQ(a->log(), (std::vector<std::string>{"begin", "begin:in_this_batch", "end:7/7", "begin", "end:8/8"}));
  EXPECT_EQ(b->log(), (std::vector<std::string>{"begin", "end:7/7"}));
  EXPECT_EQ(a->received(), "[first][second]");
  EXPECT_EQ(b->received(), "[first]");
  ASSERT_EQ(queued->arrivals().size(), 1u);
  EXPECT_EQ(queued->arrivals()[0].how, "on_thread") << "a connection that cannot take it at once queues it";
}

}  // namespace
}  // namespace majlis::net

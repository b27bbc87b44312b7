#include "majlis/asio/spawn_policy.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

namespace majlis {
namespace {

namespace asio = boost::asio;

// Routes the default logger into a string for the test's lifetime.
class captured_log {
 public:
  captured_log() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(text_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~captured_log() { spdlog::set_default_logger(previous_); }
  std::string text() const { return text_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream text_;
};

asio::awaitable<void> throws_runtime_error() {
  throw std::runtime_error("store unreachable");
  co_return;
}

asio::awaitable<int> throws_with_a_result() {
  throw std::logic_error("no such seq");
  co_return 1;
}

asio::awaitable<void> throws_a_non_exception() {
  throw 42;
  co_return;
}

asio::awaitable<void> succeeds() { co_return; }

TEST(SpawnPolicy, AnExceptionInASpawnedCoroutineIsLoggedWithTheTaskName) {
  captured_log log;
  asio::io_context io;
  asio::co_spawn(io, throws_runtime_error(), log_failure("replica commit"));
  io.run();
  EXPECT_EQ(log.text(), "error event=task_failed task=\"replica commit\" error=\"store unreachable\"\n");
}

TEST(SpawnPolicy, ACoroutineWithAResultIsCoveredToo) {
  captured_log log;
  asio::io_context io;
  asio::co_spawn(io, throws_with_a_result(), log_failure("head check"));
  io.run();
  EXPECT_EQ(log.text(), "error event=task_failed task=\"head check\" error=\"no such seq\"\n");
}

TEST(SpawnPolicy, SomethingNotAnExceptionIsStillLogged) {
  captured_log log;
  asio::io_context io;
  asio::co_spawn(io, throws_a_non_exception(), log_failure("watchdog"));
  io.run();
  EXPECT_EQ(log.text(), "error event=task_failed task=\"watchdog\" error=\"unknown exception\"\n");
}

TEST(SpawnPolicy, TheProgramCarriesOnAndSuccessLogsNothing) {
  captured_log log;
  asio::io_context io;
  asio::co_spawn(io, throws_runtime_error(), log_failure("first"));
  asio::co_spawn(io, succeeds(), log_failure("second"));
  EXPECT_NO_THROW(io.run());
  EXPECT_EQ(log.text().find("second"), std::string::npos) << log.text();
  EXPECT_NE(log.text().find("task=\"first\""), std::string::npos) << log.text();
}

}  // namespace
}  // namespace majlis

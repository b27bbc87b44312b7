#include "fanout_bench.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include <sys/resource.h>
#include <sys/utsname.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bench_cluster.hpp"
#include "bench_meeting.hpp"
#include "fanout_link.hpp"
#include "joins_bench.hpp"
#include "majlisd_process.hpp"
#include "peer_process.hpp"
#include "redis_server_process.hpp"

namespace majlis::bench {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

// ---- the servers ----

struct server_under_test {
  std::string name;
  std::string description;
  fanout_dialect dialect = fanout_dialect::plain;
  std::vector<tcp::endpoint> endpoints;  // receivers round-robin; the sender on the first
  std::vector<pid_t> pids;               // whose CPU and RSS count (Redis's CPU comes from INFO)
  bool distinct_tokens = false;          // majlisd: one observer token per receiver

  // Declared first, destroyed last: the instances are Redis's clients.
  std::unique_ptr<testing::redis_server_process> redis;
  std::vector<std::unique_ptr<testing::majlisd_process>> majlisd;
  std::vector<std::unique_ptr<peer_process>> peers;

  ~server_under_test() { stop(); }
  void stop() {
    peers.clear();
    majlisd.clear();
    redis.reset();
  }

  double redis_cpu_seconds() const {
    if (!redis || !redis->running()) return 0;
    const auto info = redis->command("INFO cpu", 1s);
    auto field = [&info](const std::string& name) {
      const auto at = info.find(name + ":");
      return at == std::string::npos ? 0.0 : std::stod(info.substr(at + name.size() + 1));
    };
    return field("used_cpu_sys") + field("used_cpu_user");
  }
};

tcp::endpoint loopback(std::uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

void add_majlisd(server_under_test& server, const fanout_options& options, const fanout_size& size,
                 std::vector<std::string> store_args, std::size_t instance) {
  std::vector<std::string> args = {
      "--instance-id", "fanout-" + std::to_string(instance + 1), "--threads", std::to_string(options.majlisd_threads),
      // Every receiver comes from 127.0.0.1: the per-address limits are lifted.
      "--max-connections-per-address", "0", "--joins-per-second-per-address", "0", "--join-burst-per-address",
      "10000000", "--max-connections", std::to_string(std::max<std::size_t>(20000, size.clients + 1024)),
      "--max-connections-per-meeting", std::to_string(std::max<std::size_t>(10000, size.clients + 16)),
      // Receivers only read (a display pings; these do not): no idle timeout during the run.
      "--idle-timeout-ms", "3600000"};
  args.insert(args.end(), store_args.begin(), store_args.end());
  server.majlisd.push_back(std::make_unique<testing::majlisd_process>(std::move(args)));
  server.pids.push_back(server.majlisd.back()->pid());
  server.endpoints.push_back(loopback(server.majlisd.back()->port()));
}

void add_peer(server_under_test& server, std::vector<std::string> argv, const std::string& cwd = {}) {
  server.peers.push_back(std::make_unique<peer_process>(std::move(argv), cwd));
  server.pids.push_back(server.peers.back()->pid());
  server.endpoints.push_back(loopback(server.peers.back()->port()));
}

std::unique_ptr<server_under_test> start_server(const std::string& name, const fanout_options& options,
                                                const fanout_size& size) {
  auto server = std::make_unique<server_under_test>();
  server->name = name;
  const std::string threads = std::to_string(options.majlisd_threads);
  const std::string node_script_dir = options.peers_dir;
  if (name == "majlisd" || name == "majlisd-distinct") {
    server->dialect = fanout_dialect::majlis;
    server->distinct_tokens = name == "majlisd-distinct";
    add_majlisd(*server, options, size, {"--store", "memory"}, 0);
    server->description = "majlisd --threads " + threads + ", memory store, " +
                          (server->distinct_tokens ? "N distinct observers (one token each)" : "one shared display token");
  } else if (name == "majlisd-redis") {
    server->dialect = fanout_dialect::majlis;
    server->redis = std::make_unique<testing::redis_server_process>();
    for (std::size_t i = 0; i < 2; ++i) add_majlisd(*server, options, size, {"--redis", server->redis->url()}, i);
    server->description = "2 × majlisd --threads " + threads + " + redis-server, one shared display token";
  } else if (name == "beast") {
    add_peer(*server, {MAJLIS_BEAST_BROADCAST_PATH});
    server->description = "minimal Beast broadcast, one thread (tests/bench/beast_broadcast.cpp)";
  } else if (name == "raw") {
    add_peer(*server, {MAJLIS_RAW_BROADCAST_PATH});
    server->description = "floor: one blocking send() of pre-framed bytes per receiver (tests/bench/raw_broadcast.cpp)";
  } else if (name == "raw-uring") {
    add_peer(*server, {MAJLIS_RAW_BROADCAST_PATH, "--io-uring"});
    server->description = "floor with io_uring: the same sends, 256 per io_uring_enter (tests/bench/raw_broadcast.cpp)";
  } else if (name == "ws") {
    add_peer(*server, {"node", "ws_broadcast.mjs"}, node_script_dir);
    server->description = "Node ws 8 broadcast (tests/bench/peers/ws_broadcast.mjs)";
  } else if (name == "socketio") {
    server->dialect = fanout_dialect::socketio;
    add_peer(*server, {"node", "socketio_broadcast.mjs"}, node_script_dir);
    server->description = "Socket.IO 4.8, websocket transport (tests/bench/peers/socketio_broadcast.mjs)";
  } else if (name == "socketio-redis") {
    server->dialect = fanout_dialect::socketio;
    server->redis = std::make_unique<testing::redis_server_process>();
    for (std::size_t i = 0; i < 2; ++i)
      add_peer(*server, {"node", "socketio_broadcast.mjs", "--redis", server->redis->url()}, node_script_dir);
    server->description = "2 × Socket.IO 4.8 + @socket.io/redis-adapter + redis-server";
  } else {
    throw bench_failure("unknown server '" + name + "'");
  }
  return server;
}

// ---- what the processes use ----

double resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
  }
  return 0;
}

double resident_kib(const server_under_test& server) {
  double total = 0;
  for (const pid_t pid : server.pids) total += resident_kib(pid);
  return total;
}

double cpu_seconds(const server_under_test& server) {
  double total = 0;
  for (const pid_t pid : server.pids) total += std::max(0.0, stat_cpu_seconds(pid));
  return total;
}

double own_cpu_seconds() {
  rusage self{};
  if (::getrusage(RUSAGE_SELF, &self) != 0) return -1;
  return double(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
         double(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
}

// ---- one server, one size ----

struct fanout_figures {
  std::string server;
  std::string description;
  fanout_size size;
  std::size_t welcomed = 0;
  std::size_t join_failures = 0;
  std::string first_failure;
  double join_storm_ms = -1;  // start → the N-th welcome
  double upgraded_ms = -1;    // start → every WebSocket upgraded
  double joins_sent_ms = -1;  // start → the last join request written (majlisd: Join, Socket.IO: namespace connect); -1 without one
  double storm_server_cpu_s = 0;  // servers' processes during the storm (start → the N-th welcome)
  double storm_bench_cpu_s = 0;  // this load generator during the storm
  double settle_ms = 0;       // the N-th welcome → the servers idle (presence work done)
  double rss_before_kib = 0;
  double rss_after_kib = 0;
  double rss_per_connection_kib = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t expected = 0;
  std::size_t events_incomplete = 0;  // events some receiver never got
  std::size_t receivers_lost = 0;     // closed after joining
  std::string first_loss;
  distribution completion;            // send → the last receiver has it (events every receiver got)
  double cpu_s = 0;                   // servers' processes, from before the storm to the last delivery
  double redis_cpu_s = 0;
  double cpu_us_per_delivery = 0;     // (cpu_s + redis_cpu_s) / (E × N)
  double bench_cpu_s = 0;
  std::size_t event_frame_bytes = 0;
  std::size_t sender_results_ok = 0;
  std::size_t sender_failures = 0;
  std::string sender_failure;

  bool complete() const { return welcomed == size.clients && deliveries == expected && sender_failures == 0; }
};

class fanout_run {
 public:
  fanout_run(const server_under_test& server, const fanout_options& options, const fanout_size& size)
      : server_(server), options_(options), size_(size) {
    figures_.server = server.name;
    figures_.description = server.description;
    figures_.size = size;
    figures_.expected = std::uint64_t(size.events) * size.clients;
  }

  ~fanout_run() { close_all(); }

  // Closes every connection; the caller then runs the io_context until their coroutines end, so
  // no socket is destroyed inside the io_context's own shutdown.
  void close_all() {
    finished_ = true;
    if (sender_) sender_->close();
    for (auto& receiver : receivers_) {
      if (receiver) receiver->close();
    }
  }

  asio::awaitable<void> run() {
    executor_ = co_await asio::this_coro::executor;
    progress_.emplace(executor_);
    co_await prepare_meeting();
    co_await open_sender();
    const double cpu_before = cpu_seconds(server_);
    const double redis_before = server_.redis_cpu_seconds();
    const double bench_before = own_cpu_seconds();
    figures_.rss_before_kib = resident_kib(server_);
    co_await join_storm();
    figures_.storm_server_cpu_s = cpu_seconds(server_) - cpu_before;
    figures_.storm_bench_cpu_s = own_cpu_seconds() - bench_before;
    co_await settle();
    figures_.rss_after_kib = resident_kib(server_);
    if (figures_.welcomed > 0)
      figures_.rss_per_connection_kib = (figures_.rss_after_kib - figures_.rss_before_kib) / double(figures_.welcomed);
    co_await send_events();
    figures_.cpu_s = cpu_seconds(server_) - cpu_before;
    figures_.redis_cpu_s = server_.redis ? server_.redis_cpu_seconds() - redis_before : 0;
    figures_.bench_cpu_s = own_cpu_seconds() - bench_before;
    figures_.cpu_us_per_delivery = (figures_.cpu_s + figures_.redis_cpu_s) * 1e6 / double(figures_.expected);
    summarize();
  }

  const fanout_figures& figures() const { return figures_; }

 private:
  asio::awaitable<void> prepare_meeting() {
    if (server_.dialect != fanout_dialect::majlis) co_return;
    client::http_api_config config;
    config.host = "127.0.0.1";
    config.port = std::to_string(server_.endpoints.front().port());
    config.admin_key = testing::majlisd_process::admin_key;
    config.timeout = 30s;
    client::http_api http(executor_, config);
    client::meeting_spec spec;
    spec.title = "majlis-bench fanout";
    const auto created = co_await http.create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_code() + " " +
                               created.reply.error_message());
    meeting_id_ = created.value->meeting_id;
    chair_token_ = created.value->tokens.moderator;
    if (!server_.distinct_tokens) {
      tokens_.push_back(created.value->tokens.display);
      co_return;
    }
    tokens_.resize(size_.clients);
    const auto started = steady::now();
    std::function<asio::awaitable<void>(std::size_t)> issue = [this, &http](std::size_t i) -> asio::awaitable<void> {
      client::token_request request{"observer", "observer " + std::to_string(i + 1), "", "", ""};
      const auto issued = co_await http.issue_token(meeting_id_, request);
      require(bool(issued), "no observer token: " + issued.reply.error_code() + " " + issued.reply.error_message());
      tokens_[i] = issued.value->token;
    };
    co_await for_each_bounded(size_.clients, 16, issue, 600s);
    std::printf("    %zu observer tokens issued in %.1f s\n", size_.clients,
                std::chrono::duration<double>(steady::now() - started).count());
    std::fflush(stdout);
  }

  asio::awaitable<void> open_sender() {
    sender_ = std::make_shared<fanout_link>(executor_, server_.dialect);
    co_await sender_->open(server_.endpoints.front(), true);
    co_await sender_->join(meeting_id_, chair_token_);
    sender_->start_reading(
        [this](std::string_view frame) {
          // majlisd answers every rename with a Result; the rest (events, presence) is not the sender's business.
          if (server_.dialect != fanout_dialect::majlis || !frame.starts_with("{\"result\"")) return;
          if (frame.find("\"ok\":true") != std::string_view::npos) {
            ++figures_.sender_results_ok;
          } else {
            ++figures_.sender_failures;
            if (figures_.sender_failure.empty()) figures_.sender_failure = std::string(frame.substr(0, 300));
          }
        },
        [this](const std::string& why) {
          if (!finished_ && figures_.sender_failure.empty()) figures_.sender_failure = "sender lost: " + why;
        });
  }

  const std::string& token_for(std::size_t receiver) const {
    static const std::string none;
    if (tokens_.empty()) return none;
    return tokens_[receiver % tokens_.size()];
  }

  void join_failed(const std::string& why) {
    ++figures_.join_failures;
    if (figures_.first_failure.empty()) figures_.first_failure = why;
  }

  // The storm: every receiver opens its WebSocket (at most connect_parallel upgrades at a time:
  // the listen backlogs are finite), then every join goes at once — majlisd's Join, Socket.IO's
  // namespace connect; a plain server's receiver is joined once upgraded. Like a hall where
  // everyone opened the link before the meeting starts.
  asio::awaitable<void> join_storm() {
    const std::size_t n = size_.clients;
    receivers_.resize(n);
    got_.assign(n, 0);
    seen_.assign(n * size_.events, 0);
    count_.assign(size_.events, 0);
    last_ns_.assign(size_.events, 0);
    send_ns_.assign(size_.events, 0);
    auto joins = std::make_shared<countdown>(executor_, n);
    const auto limit = std::chrono::milliseconds(std::max<std::size_t>(60'000, n * 20));
    const auto start = steady::now();
    storm_start_ns_ = steady_ns();
    std::vector<std::uint8_t> opened(n, 0);
    std::function<asio::awaitable<void>(std::size_t)> open_one = [this, &opened](std::size_t i) -> asio::awaitable<void> {
      auto link = std::make_shared<fanout_link>(executor_, server_.dialect);
      receivers_[i] = link;
      try {
        co_await link->open(server_.endpoints[i % server_.endpoints.size()], false);
        opened[i] = 1;
      } catch (const std::exception& e) {
        join_failed(e.what());
      }
    };
    try {
      co_await for_each_bounded(n, options_.connect_parallel, open_one, limit);
    } catch (const bench_failure& e) {
      join_failed(e.what());
    }
    figures_.upgraded_ms = std::chrono::duration<double, std::milli>(steady::now() - start).count();
    for (std::size_t i = 0; i < n; ++i) {
      if (opened[i]) {
        asio::co_spawn(executor_, join_one(i, joins), asio::detached);
      } else {
        if (receivers_[i]) receivers_[i]->close();
        joins->done();
      }
    }
    const bool all = co_await joins->wait(start + limit);
    if (!all) {
      // The rest never got in: close them (their joins fail and count).
      for (auto& link : receivers_) {
        if (link && !link->joined()) link->close();
      }
      co_await joins->wait(steady::now() + 5s);
    }
    figures_.join_storm_ms = double(last_welcome_ns_ - storm_start_ns_) / 1e6;
    // A plain server's receivers write nothing: no join request, 0.
    std::int64_t last_join_sent_ns = 0;
    for (const auto& link : receivers_)
      if (link) last_join_sent_ns = std::max(last_join_sent_ns, link->first_sent_ns());
    std::string joins_sent;
    if (last_join_sent_ns > 0) {
      figures_.joins_sent_ms = double(last_join_sent_ns - storm_start_ns_) / 1e6;
      joins_sent = ", every join request sent after " + std::to_string(std::lround(figures_.joins_sent_ms)) + " ms";
    }
    std::printf("    %zu/%zu joined in %.0f ms (all upgraded after %.0f ms%s)%s%s\n", figures_.welcomed, n,
                figures_.join_storm_ms, figures_.upgraded_ms, joins_sent.c_str(),
                figures_.first_failure.empty() ? "" : "; first failure: ", figures_.first_failure.c_str());
    std::fflush(stdout);
  }

  asio::awaitable<void> join_one(std::size_t i, std::shared_ptr<countdown> joins) {
    auto link = receivers_[i];
    try {
      co_await link->join(meeting_id_, token_for(i));
    } catch (const std::exception& e) {
      join_failed(e.what());
      joins->done();
      co_return;
    }
    last_welcome_ns_ = std::max(last_welcome_ns_, steady_ns());
    ++figures_.welcomed;
    ++pending_;
    link->start_reading([this, i](std::string_view frame) { on_frame(i, frame); },
                        [this, i](const std::string& why) { on_lost(i, why); });
    joins->done();
  }

  // A frame may carry several events: majlisd commits the renames that queued up together and
  // sends them in one batch.
  void on_frame(std::size_t receiver, std::string_view frame) {
    std::string_view rest = frame;
    for (std::size_t markers = 0; markers < size_.events; ++markers) {
      const auto at = rest.find("#fanout:");
      if (at == std::string_view::npos) break;
      rest.remove_prefix(at);
      const long index = fanout_marker(rest);
      rest.remove_prefix(1);
      if (index < 0 || std::size_t(index) >= size_.events) continue;
      auto& seen = seen_[receiver * size_.events + std::size_t(index)];
      if (seen) continue;
      seen = 1;
      const auto now = steady_ns();
      ++count_[std::size_t(index)];
      last_ns_[std::size_t(index)] = std::max(last_ns_[std::size_t(index)], now);
      ++figures_.deliveries;
      if (figures_.event_frame_bytes == 0) figures_.event_frame_bytes = frame.size();
      if (++got_[receiver] == size_.events) receiver_done();
    }
  }

  void on_lost(std::size_t receiver, const std::string& why) {
    if (finished_) return;
    ++figures_.receivers_lost;
    if (figures_.first_loss.empty()) figures_.first_loss = why;
    if (got_[receiver] < size_.events) receiver_done();
  }

  void receiver_done() {
    if (pending_ > 0 && --pending_ == 0) progress_->cancel();
  }

  // After the storm the servers may still be at work (majlisd: presence events to everyone): wait
  // until two 250 ms samples in a row used under 5% of a core, at most 60 s.
  asio::awaitable<void> settle() {
    const auto start = steady::now();
    double previous = cpu_seconds(server_) + server_.redis_cpu_seconds();
    for (int quiet = 0; quiet < 2 && steady::now() - start < 60s;) {
      co_await sleep_for(250ms);
      const double now = cpu_seconds(server_) + server_.redis_cpu_seconds();
      quiet = now - previous < 0.0125 ? quiet + 1 : 0;
      previous = now;
    }
    figures_.settle_ms = std::chrono::duration<double, std::milli>(steady::now() - start).count();
  }

  asio::awaitable<void> send_events() {
    asio::steady_timer pace(executor_);
    const auto period = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(1.0 / size_.rate));
    const auto first = steady::now() + 100ms;
    for (std::size_t i = 0; i < size_.events; ++i) {
      check_interrupted();
      pace.expires_at(first + period * std::int64_t(i));
      co_await pace.async_wait(asio::as_tuple(asio::use_awaitable));
      send_ns_[i] = steady_ns();
      sender_->send_text(sender_->event_frame(i, fanout_event_text(i, options_.payload_bytes)));
    }
    // Until every joined receiver has every event (or is lost), at most 30 s after the last send.
    const auto deadline = steady::now() + 30s;
    while (pending_ > 0 && steady::now() < deadline) {
      check_interrupted();
      progress_->expires_at(std::min(deadline, steady::now() + 100ms));
      co_await progress_->async_wait(asio::as_tuple(asio::use_awaitable));
    }
    // The last Results (majlisd answers after the fan-out), at most 5 s more.
    const auto results_deadline = steady::now() + 5s;
    while (server_.dialect == fanout_dialect::majlis &&
           figures_.sender_results_ok + figures_.sender_failures < size_.events && steady::now() < results_deadline) {
      co_await sleep_for(20ms);
    }
    if (server_.dialect == fanout_dialect::majlis && figures_.sender_results_ok < size_.events &&
        figures_.sender_failure.empty()) {
      figures_.sender_failure = "only " + std::to_string(figures_.sender_results_ok) + " of " +
                                std::to_string(size_.events) + " renames answered ok";
      ++figures_.sender_failures;
    }
    finished_ = true;
  }

  void summarize() {
    std::vector<std::int64_t> samples;
    for (std::size_t i = 0; i < size_.events; ++i) {
      if (count_[i] < figures_.welcomed || figures_.welcomed == 0) {
        ++figures_.events_incomplete;
        continue;
      }
      samples.push_back(last_ns_[i] - send_ns_[i]);
    }
    figures_.completion = summarize_ns(samples);
  }

  const server_under_test& server_;
  const fanout_options& options_;
  fanout_size size_;
  asio::any_io_executor executor_;
  std::optional<asio::steady_timer> progress_;
  std::string meeting_id_;
  std::string chair_token_;
  std::vector<std::string> tokens_;
  std::shared_ptr<fanout_link> sender_;
  std::vector<std::shared_ptr<fanout_link>> receivers_;
  std::vector<std::size_t> got_;
  std::vector<std::uint8_t> seen_;
  std::vector<std::size_t> count_;
  std::vector<std::int64_t> last_ns_;
  std::vector<std::int64_t> send_ns_;
  std::int64_t storm_start_ns_ = 0;
  std::int64_t last_welcome_ns_ = 0;
  std::size_t pending_ = 0;  // joined receivers, still open, without every event yet
  bool finished_ = false;
  fanout_figures figures_;
};

fanout_figures measure(const std::string& name, const fanout_options& options, const fanout_size& size) {
  auto server = start_server(name, options, size);
  std::printf("  %s: %s\n", name.c_str(), server->description.c_str());
  std::fflush(stdout);
  fanout_figures figures;
  {
    asio::io_context io(1);
    fanout_run run(*server, options, size);
    std::exception_ptr failure;
    try {
      run_scenario(io, [&run] { return run.run(); }, std::chrono::minutes(30));
    } catch (...) {
      failure = std::current_exception();
    }
    figures = run.figures();
    // The servers go first, so the TIME_WAIT sockets are theirs, not the load generator's ports.
    server->stop();
    run.close_all();
    io.restart();
    io.run_for(10s);
    if (failure) std::rethrow_exception(failure);
  }
  std::printf("    CPU during the storm: server %.2f s, this load generator %.2f s\n", figures.storm_server_cpu_s,
              figures.storm_bench_cpu_s);
  std::printf("    RSS %.0f → %.0f MiB (%.1f KiB per connection, settled in %.0f ms); delivered %llu of %llu; "
              "send → last receiver %s; CPU %.2f s%s → %.1f µs per delivery; bench CPU %.1f s\n",
              figures.rss_before_kib / 1024, figures.rss_after_kib / 1024, figures.rss_per_connection_kib,
              figures.settle_ms, static_cast<unsigned long long>(figures.deliveries),
              static_cast<unsigned long long>(figures.expected), describe_ms(figures.completion).c_str(),
              figures.cpu_s, figures.redis_cpu_s > 0 ? (" + redis " + std::to_string(figures.redis_cpu_s)).c_str() : "",
              figures.cpu_us_per_delivery, figures.bench_cpu_s);
  if (figures.receivers_lost > 0 || figures.sender_failures > 0) {
    std::printf("    lost %zu receivers (first: %s); sender: %s\n", figures.receivers_lost, figures.first_loss.c_str(),
                figures.sender_failure.c_str());
  }
  std::fflush(stdout);
  return figures;
}

// ---- where, what, when ----

std::string command_output(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
    ::pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  ::gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

json_object machine_json() {
  const auto machine = read_machine_info();
  utsname name{};
  ::uname(&name);
  json_object json = to_json(machine);
  json.add("kernel", std::string(name.sysname) + " " + name.release);
  return json;
}

json_object figures_json(const fanout_figures& f, const json_object& machine, const std::string& commit,
                         const std::string& date) {
  json_object json;
  json.add("server", f.server)
      .add("description", f.description)
      .add("clients", std::uint64_t{f.size.clients})
      .add("events", std::uint64_t{f.size.events})
      .add("rate_per_s", f.size.rate)
      .add("welcomed", std::uint64_t{f.welcomed})
      .add("join_failures", std::uint64_t{f.join_failures})
      .add("first_join_failure", f.first_failure)
      .add("join_storm_ms", f.join_storm_ms)
      .add("upgraded_ms", f.upgraded_ms)
      .add("joins_sent_ms", f.joins_sent_ms)
      .add("storm_server_cpu_s", f.storm_server_cpu_s)
      .add("storm_bench_cpu_s", f.storm_bench_cpu_s)
      .add("settle_ms", f.settle_ms)
      .add("rss_before_kib", f.rss_before_kib)
      .add("rss_after_kib", f.rss_after_kib)
      .add("rss_per_connection_kib", f.rss_per_connection_kib)
      .add("deliveries", f.deliveries)
      .add("expected_deliveries", f.expected)
      .add("events_incomplete", std::uint64_t{f.events_incomplete})
      .add("receivers_lost", std::uint64_t{f.receivers_lost})
      .add("first_loss", f.first_loss)
      .add("fanout_complete", f.completion)
      .add("server_cpu_s", f.cpu_s)
      .add("redis_cpu_s", f.redis_cpu_s)
      .add("cpu_us_per_delivery", f.cpu_us_per_delivery)
      .add("bench_cpu_s", f.bench_cpu_s)
      .add("event_frame_bytes", std::uint64_t{f.event_frame_bytes})
      .add("sender_failures", std::uint64_t{f.sender_failures})
      .add("sender_failure", f.sender_failure)
      .add("machine", machine)
      .add("commit", commit)
      .add("date", date);
  return json;
}

// ---- the table ----

std::string ratio(double value, double reference) {
  if (reference <= 0 || value <= 0) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value / reference);
  return text;
}

void print_table(const fanout_size& size, const std::vector<fanout_figures>& all) {
  static const std::vector<std::string> peers = {"beast", "ws", "socketio", "socketio-redis"};
  auto find = [&all](const std::string& name) -> const fanout_figures* {
    for (const auto& f : all)
      if (f.server == name && f.welcomed > 0) return &f;
    return nullptr;
  };
  double best_cpu = 0, best_p99 = 0;
  for (const auto& name : peers) {
    if (const auto* f = find(name)) {
      if (best_cpu <= 0 || f->cpu_us_per_delivery < best_cpu) best_cpu = f->cpu_us_per_delivery;
      if (f->completion.count > 0 && (best_p99 <= 0 || f->completion.p99_us < best_p99)) best_p99 = f->completion.p99_us;
    }
  }
  const auto* ws = find("ws");
  const auto* beast = find("beast");
  std::printf("\nfan-out: %zu receivers, %zu events at %g/s — ratios to the best peer (beast, ws, socketio, "
              "socketio-redis), to Node ws and to Beast\n",
              size.clients, size.events, size.rate);
  std::printf("%-18s %9s %9s %10s %6s %6s %6s %9s %9s %6s %6s %6s %12s\n", "server", "joins ms", "KiB/conn",
              "CPU µs/del", "×best", "×ws", "×beast", "p50 ms", "p99 ms", "×best", "×ws", "×beast", "delivered");
  for (const auto& f : all) {
    const double p99 = f.completion.count > 0 ? f.completion.p99_us : 0;
    std::printf("%-18s %9.0f %9.1f %10.1f %6s %6s %6s %9.1f %9.1f %6s %6s %6s %5.1f%%%s\n", f.server.c_str(),
                f.join_storm_ms, f.rss_per_connection_kib, f.cpu_us_per_delivery,
                ratio(f.cpu_us_per_delivery, best_cpu).c_str(),
                ratio(f.cpu_us_per_delivery, ws ? ws->cpu_us_per_delivery : 0).c_str(),
                ratio(f.cpu_us_per_delivery, beast ? beast->cpu_us_per_delivery : 0).c_str(),
                f.completion.p50_us / 1000, p99 / 1000, ratio(p99, best_p99).c_str(),
                ratio(p99, ws && ws->completion.count ? ws->completion.p99_us : 0).c_str(),
                ratio(p99, beast && beast->completion.count ? beast->completion.p99_us : 0).c_str(),
                f.expected ? 100.0 * double(f.deliveries) / double(f.expected) : 0.0,
                f.complete() ? "" : " (incomplete)");
  }
  const auto* majlis_redis = find("majlisd-redis");
  const auto* socketio_redis = find("socketio-redis");
  if (majlis_redis && socketio_redis) {
    std::printf("2 × majlisd + Redis against 2 × Socket.IO + redis-adapter: CPU per delivery ×%s, p99 ×%s\n",
                ratio(majlis_redis->cpu_us_per_delivery, socketio_redis->cpu_us_per_delivery).c_str(),
                ratio(majlis_redis->completion.p99_us, socketio_redis->completion.p99_us).c_str());
  }
  std::fflush(stdout);
}

// The Node peers' packages, from the committed lock file, when they are not installed yet.
void install_node_peers(const std::string& peers_dir) {
  namespace fs = std::filesystem;
  require(fs::exists(fs::path(peers_dir) / "package-lock.json"),
          "no package-lock.json in " + peers_dir + " (give --peers-dir)");
  if (fs::exists(fs::path(peers_dir) / "node_modules" / "ws") &&
      fs::exists(fs::path(peers_dir) / "node_modules" / "@socket.io" / "redis-adapter"))
    return;
  std::printf("  installing the Node peers (npm ci in %s)\n", peers_dir.c_str());
  std::fflush(stdout);
  const std::string command = "cd '" + peers_dir + "' && npm ci --no-audit --no-fund --loglevel=error";
  require(std::system(command.c_str()) == 0, "npm ci failed in " + peers_dir);
}

}  // namespace

json_object run_fanout(const fanout_options& options) {
  require(!options.sizes.empty(), "no size to run");
  require(!options.servers.empty(), "no server to run");
  const auto& known = fanout_server_names();
  bool needs_node = false;
  for (const auto& name : options.servers) {
    require(std::find(known.begin(), known.end(), name) != known.end(), "unknown server '" + name + "'");
    needs_node = needs_node || name == "ws" || name.rfind("socketio", 0) == 0;
  }
  std::size_t largest = 0;
  for (const auto& size : options.sizes) {
    require(size.clients >= 1 && size.clients <= 60000, "--clients must be in [1, 60000]");
    require(size.events >= 1 && size.events <= 100000, "--events must be in [1, 100000]");
    require(size.rate > 0 && size.rate <= 100000, "--rate must be in (0, 100000]");
    largest = std::max(largest, size.clients);
  }
  raise_open_file_limit(largest);
  if (needs_node) install_node_peers(options.peers_dir);

  const auto machine = machine_json();
  const std::string commit = command_output("git -C '" + std::string(MAJLIS_SOURCE_DIR) + "' rev-parse --short HEAD 2>/dev/null");
  const std::string date = utc_now();
  std::printf("fanout: every server in turn on loopback; N receivers (C++ Asio/Beast load generator, text frames), "
              "E events at R/s from one sender; commit %s, %s\n",
              commit.c_str(), date.c_str());
  std::fflush(stdout);

  std::vector<json_object> results;
  bool all_complete = true;
  std::string incomplete;
  for (const auto& size : options.sizes) {
    std::printf("\n%zu receivers, %zu events at %g/s\n", size.clients, size.events, size.rate);
    std::vector<fanout_figures> all;
    for (const auto& name : options.servers) {
      check_interrupted();
      all.push_back(measure(name, options, size));
      results.push_back(figures_json(all.back(), machine, commit, date));
      if (!all.back().complete()) {
        all_complete = false;
        if (incomplete.empty()) {
          incomplete = name + " at N=" + std::to_string(size.clients) + ": " + std::to_string(all.back().welcomed) +
                       " joined, " + std::to_string(all.back().deliveries) + " of " +
                       std::to_string(all.back().expected) + " deliveries" +
                       (all.back().first_failure.empty() ? "" : "; join: " + all.back().first_failure) +
                       (all.back().first_loss.empty() ? "" : "; lost: " + all.back().first_loss) +
                       (all.back().sender_failure.empty() ? "" : "; sender: " + all.back().sender_failure);
        }
      }
    }
    print_table(size, all);
  }

  if (!options.json_file.empty()) {
    std::ofstream file(options.json_file);
    file << "[";
    for (std::size_t i = 0; i < results.size(); ++i) file << (i ? ",\n " : "") << results[i].str();
    file << "]\n";
    require(bool(file), "cannot write " + options.json_file);
    std::printf("\nwrote %s\n", options.json_file.c_str());
  }
  if (options.require_all) require(all_complete, "not every receiver got every event: " + incomplete);

  json_object json;
  json.add("commit", commit).add("date", date).add("results", results);
  return json;
}

}  // namespace majlis::bench

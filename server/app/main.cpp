// majlisd: wires configuration, the event store, the meeting runtime and the transport.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <google/protobuf/stubs/logging.h>
#include <csignal>
#include <cstdio>
#include <memory>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <thread>

#include "app/api_routes.hpp"
#include "majlis/asio/spawn_policy.hpp"
#include "app/client_connection.hpp"
#include "app/config.hpp"
#include "app/data_folder.hpp"
#include "app/join_token.hpp"
#include "app/meeting_registry.hpp"
#include "app/liveness_monitor.hpp"
#include "net/server.hpp"
#include "net/url.hpp"
#include "redis/redis_url.hpp"
#include "store/embedded_event_log.hpp"
#include "store/redis_event_log.hpp"
#include "store/sqlite_event_log.hpp"

namespace asio = boost::asio;
using namespace majlis;

namespace {

// Protobuf reports undecodable client input (invalid UTF-8 in a string field, say) through its
// own logger; the codec already answers the client, so those lines go to spdlog at debug level
// instead of flooding stderr on a client's say-so.
void route_protobuf_logs(google::protobuf::LogLevel level, const char* file, int line,
                         const std::string& message) {
  if (level >= google::protobuf::LOGLEVEL_FATAL)
    spdlog::critical("event=protobuf_fatal file={}:{} message=\"{}\"", file, line, message);
  else
    spdlog::debug("event=protobuf_log file={}:{} message=\"{}\"", file, line, message);
}

// A demo meeting saved by an older majlisd holds links with the credential in the query;
// printed, it moves to the fragment like a new link's (README "Links").
std::string credential_in_fragment(std::string link) {
  for (std::string_view name : {"&token=", "&invite="})
    if (const auto at = link.find(name); at != std::string::npos) link[at] = '#';
  return link;
}

void print_demo_links(const net::http_response& response) {
  boost::system::error_code ec;
  auto created = boost::json::parse(response.body, ec);
  if (ec || response.status != 201) {
    spdlog::error("event=demo_meeting_failed status={} body=\"{}\"", response.status, response.body);
    return;
  }
  const auto& links = created.at("links").as_object();
  std::printf("\nDemo meeting \"%s\" (%s):\n", created.at("title").as_string().c_str(),
              created.at("meetingId").as_string().c_str());
  for (const char* role : {"moderator", "participant", "display", "observer"})
    std::printf("  %-12s %s\n", role,
                credential_in_fragment(std::string(links.at(role).as_string())).c_str());
  std::fflush(stdout);
}

// The demo meeting of --demo-meeting: created on the first start; with a data folder, later
// starts find it there and print the same links again.
asio::awaitable<net::http_response> open_demo_meeting(std::string title, app::api_routes& routes,
                                                      store::event_log& log,
                                                      app::data_folder* folder) {
  constexpr std::string_view saved_name = "demo-meeting.json";
  if (folder) {
    const auto saved = folder->read_file(saved_name);
    std::string meeting_id;
    if (saved) {
      boost::system::error_code ec;
      const auto created = boost::json::parse(*saved, ec);
      const auto* fields = !ec ? created.if_object() : nullptr;
      if (fields && fields->contains("meetingId") && fields->at("meetingId").is_string() &&
          fields->contains("title") && fields->at("title") == title.c_str())
        meeting_id = fields->at("meetingId").as_string();
    }
    // (A co_await inside the condition above trips GCC 12's coroutine lowering.)
    const bool still_there = !meeting_id.empty() && co_await log.exists(meeting_id);
    if (still_there) {
      net::http_response response;
      response.status = 201;
      response.body = *saved;
      co_return response;
    }
  }
  boost::json::object body{{"title", title}};
  auto response = co_await routes.create_meeting(boost::json::serialize(body));
  if (folder && response.status == 201) folder->write_file(saved_name, response.body, true);
  co_return response;
}

}  // namespace

int main(int argc, char** argv) {
  auto config = app::parse_config(argc, argv);
  // Logs go to stderr; stdout carries only the addresses and links a person opens.
  spdlog::set_default_logger(spdlog::stderr_color_mt("majlisd"));
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  google::protobuf::SetLogHandler(&route_protobuf_logs);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");

  // The sqlite store's data folder: locked for this process, the home of the generated
  // secrets, so links and tokens stay valid across restarts.
  std::unique_ptr<app::data_folder> folder;
  std::string admin_key_origin = config.admin_key.empty() ? "generated" : "";
  try {
    if (config.store == app::store_kind::sqlite) {
      folder = std::make_unique<app::data_folder>(config.data_dir, !config.data_dir_given);
      if (config.admin_key.empty()) {
        admin_key_origin = folder->read_file("admin-key") ? "from " + (folder->path() / "admin-key").string()
                                                          : "generated, stored in " + (folder->path() / "admin-key").string();
        config.admin_key = folder->secret("admin-key", [] { return app::random_base64url(32); });
      }
      if (config.signing_secret.empty())
        config.signing_secret = folder->secret("signing-secret", [] { return app::random_base64url(32); });
    }
  } catch (const std::exception& e) {
    spdlog::critical("event=start_failed error=\"{}\"", e.what());
    std::fprintf(stderr, "majlisd: %s\n", e.what());
    return 1;
  }
  if (config.admin_key.empty()) config.admin_key = app::random_base64url(32);
  if (config.signing_secret.empty()) config.signing_secret = app::random_base64url(32);
  // A short or published secret lets anyone mint tokens or act as the chair: refuse to start.
  for (const auto& [what, value] : {std::pair{"the admin key (--admin-key, MAJLIS_ADMIN_KEY, data folder)",
                                              &config.admin_key},
                                    std::pair{"the signing secret (--signing-secret, MAJLIS_SIGNING_SECRET, data folder)",
                                              &config.signing_secret}}) {
    if (const auto problem = app::secret_problem(what, *value)) {
      spdlog::critical("event=start_failed error=\"{}\"", *problem);
      std::fprintf(stderr, "majlisd: %s\n", problem->c_str());
      return 1;
    }
  }
  if (config.instance_id.empty()) config.instance_id = app::random_id(8);
  config.net.instance_id = config.instance_id;
  config.replica.instance_id = config.instance_id;
  config.replica.signing_secret = config.signing_secret;
  config.replica.max_replay_bytes = config.net.send_queue_max_bytes;

  // The io_context is destroyed last: handlers still queued at exit hold replicas and store
  // internals, and those must go while their services exist. Replicas are detached from the
  // log explicitly after run(), so none touches the log from the io_context's destructor.
  asio::io_context io(1);
  // One io_context per I/O thread: `io` (the meetings, HTTP API and a share of the connections)
  // on the main thread, and one more per extra --threads, holding connections only. A fan-out
  // then reaches each thread once, and a connection's work never crosses threads.
  std::vector<std::unique_ptr<asio::io_context>> io_threads;
  for (int i = 1; i < config.threads; ++i) io_threads.push_back(std::make_unique<asio::io_context>(1));
  std::unique_ptr<store::event_log> log;
  store::redis_event_log* redis_log = nullptr;
  if (config.store == app::store_kind::sqlite) {
    config.sqlite_log.file = folder->database_file();
    try {
      log = std::make_unique<store::sqlite_event_log>(config.sqlite_log);
    } catch (const std::exception& e) {
      spdlog::critical("event=start_failed error=\"{}\"", e.what());
      std::fprintf(stderr, "majlisd: %s\n", e.what());
      return 1;
    }
  } else if (config.store == app::store_kind::memory) {
    log = std::make_unique<store::embedded_event_log>(config.embedded_log);
  } else {
    auto url = redis::parse_redis_url(config.redis_url);
    if (!url) {
      spdlog::critical("event=start_failed error=\"--redis: '{}' is not a redis:// URL\"", config.redis_url);
      return 1;
    }
    store::redis_log_config redis_config;
    redis_config.redis.url = *url;
    redis_config.redis.client_name = "majlisd-" + config.instance_id;
    redis_config.retention_events = config.replica.resume_window_events;
    config.liveness_grace_after_outage = config.heartbeat_ttl + redis_config.redis.reconnect_max;
    auto created = std::make_unique<store::redis_event_log>(io.get_executor(), redis_config);
    redis_log = created.get();
    redis_log->start();
    log = std::move(created);
  }
  app::app_metrics metrics;
  app::meeting_registry registry(io.get_executor(), *log, config, metrics);
  auto liveness = std::make_shared<app::liveness_monitor>(io.get_executor(), *log, registry, config);

  // The first heartbeat goes out before anyone can connect, so no survivor takes our first
  // connections for a dead instance's; with Redis down it is retried by the monitor.
  if (redis_log) {
    auto first_beat = asio::co_spawn(
        io,
        [&]() -> asio::awaitable<bool> {
          asio::steady_timer pause(io);
          for (int attempt = 0; attempt < 30; ++attempt) {
            if (co_await liveness->beat()) co_return true;
            pause.expires_after(std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::use_awaitable);
          }
          co_return false;
        },
        asio::use_future);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(4);
    while (first_beat.wait_for(std::chrono::seconds(0)) != std::future_status::ready &&
           std::chrono::steady_clock::now() < deadline)
      io.run_one_for(std::chrono::milliseconds(50));
    io.restart();
    if (first_beat.wait_for(std::chrono::seconds(0)) != std::future_status::ready || !first_beat.get())
      spdlog::warn("event=redis_unreachable_at_start url={}",
                   redis::to_loggable_string(*redis::parse_redis_url(config.redis_url)));
  }
  std::unique_ptr<net::server> server;
  auto routes = std::make_shared<app::api_routes>(registry, config, metrics, [&server] {
    return server ? net::render_prometheus(server->metrics()) : std::string();
  });
  auto acceptor = std::make_shared<app::client_acceptor>(registry, config, metrics);
  try {
    server = std::make_unique<net::server>(io, config.net, routes, acceptor);
    std::vector<asio::io_context*> spread{&io};
    for (auto& thread_io : io_threads) spread.push_back(thread_io.get());
    server->spread_connections(std::move(spread));
    boost::system::error_code ec;
    auto address = asio::ip::make_address(config.listen_host == "localhost" ? "127.0.0.1" : config.listen_host, ec);
    if (ec) throw std::runtime_error("--listen: '" + config.listen_host + "' is not an IP address");
    server->start(asio::ip::tcp::endpoint(address, config.listen_port));
  } catch (const std::exception& e) {
    spdlog::critical("event=start_failed error=\"{}\"", e.what());
    std::fprintf(stderr, "majlisd: %s\n", e.what());
    return 1;
  }
  liveness->start();
  const auto port = server->local_endpoint().port();
  if (config.public_url.empty()) {
    const auto host = config.listen_host == "0.0.0.0" ? std::string("localhost") : config.listen_host;
    const auto scheme = config.net.tls_cert_file.empty() ? "http://" : "https://";
    config.public_url = scheme + host + ":" + std::to_string(port);
    // The default URL is a local one: a browser may reach it by either loopback name.
    if (!config.allowed_origins_given) {
      for (const auto* name : {"localhost", "127.0.0.1"})
        config.net.allowed_origins.push_back(scheme + std::string(name) + ":" + std::to_string(port));
    }
  }
  if (!config.allowed_origins_given) {
    if (const auto origin = net::origin_of(config.public_url)) config.net.allowed_origins.push_back(*origin);
  }
  server->set_allowed_origins(config.net.allowed_origins);
  const std::string store_name = config.store == app::store_kind::redis    ? "redis"
                                 : config.store == app::store_kind::memory ? "memory"
                                                                           : "sqlite";
  spdlog::info("event=started instance={} listen={}:{} store={} static_root=\"{}\"",
               config.instance_id, config.listen_host, port, store_name, config.static_root);
  std::printf("majlisd is listening on %s (instance %s, %s store%s)\n", config.public_url.c_str(),
              config.instance_id.c_str(), store_name.c_str(),
              folder ? (" in " + folder->path().string()).c_str() : "");
  // Only a key majlisd generated or read from its data folder is printed (the operator has
  // no other way to learn it); one given by flag or environment never reaches the output,
  // which container platforms keep as logs.
  if (!admin_key_origin.empty()) {
    std::printf("Admin key (%s): %s\n", admin_key_origin.c_str(), config.admin_key.c_str());
    if (!config.static_root.empty())
      std::printf("Chair console: %s/console.html#key=%s\n", config.public_url.c_str(),
                  config.admin_key.c_str());
  }
  std::fflush(stdout);

  if (!config.demo_meeting_title.empty()) {
    asio::co_spawn(io, open_demo_meeting(config.demo_meeting_title, *routes, *log, folder.get()),
                   [](std::exception_ptr error, net::http_response response) {
                     if (error) return report_failure("demo meeting", error);
                     print_demo_links(response);
                   });
  }

  // SIGTERM drains: stop accepting, close every session with "going away", then exit once the
  // sessions are gone and every meeting has written what they changed (their leaves, at once,
  // not after --presence-interval-ms). A session whose client does not answer the close is
  // dropped at its close timeout; the leaves then still get up to drain_settle_time.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int signal) {
    if (ec) return;
    spdlog::info("event=draining signal={} connections={}", signal, server->connection_count());
    server->stop_accepting();
    server->close_all(net::close_code::going_away);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          using namespace std::chrono_literals;
          constexpr auto drain_settle_time = 1s;
          // The sessions' own close deadlines start a moment after this one.
          constexpr auto close_grace = 200ms;
          asio::steady_timer timer(io);
          const auto closed_by =
              std::chrono::steady_clock::now() + config.net.close_timeout + close_grace;
          while (server->connection_count() > 0 && std::chrono::steady_clock::now() < closed_by) {
            timer.expires_after(20ms);
            co_await timer.async_wait(asio::use_awaitable);
          }
          // Without this the last presence batch is lost, and the other instances show this
          // one's people online until its heartbeat expires.
          const auto settled_by = std::chrono::steady_clock::now() + drain_settle_time;
          while (std::chrono::steady_clock::now() < settled_by) {
            // A session dropped late still has its leave to hand to its meeting.
            bool settled = server->connection_count() == 0;
            for (auto& replica : co_await registry.replicas()) {
              const bool this_one = co_await replica->settle();
              settled = settled && this_one;
            }
            if (settled) break;
            timer.expires_after(20ms);
            co_await timer.async_wait(asio::use_awaitable);
          }
          spdlog::info("event=drained connections={}", server->connection_count());
          liveness->stop();
          if (redis_log) redis_log->stop();
          io.stop();
        },
        log_failure("drain"));
  });

  std::vector<std::thread> threads;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  for (auto& thread_io : io_threads) {
    keep_running.push_back(asio::make_work_guard(*thread_io));
    threads.emplace_back([context = thread_io.get()] { context->run(); });
  }
  io.run();
  for (auto& thread_io : io_threads) thread_io->stop();
  for (auto& thread : threads) thread.join();
  // Handlers still queued on `io` can hold connections whose sockets belong to the other
  // threads' io_contexts (and theirs can hold meetings on `io`): those contexts are left to the
  // process exit, so no socket or strand outlives the context it belongs to.
  for (auto& thread_io : io_threads) (void)thread_io.release();
  registry.detach_all();
  spdlog::info("event=stopped instance={}", config.instance_id);
  return 0;
}

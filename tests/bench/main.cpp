// majlis-bench: load generator and benchmarks for majlisd (DESIGN §9, §10). Prints figures for a
// person and ends with one JSON line for scripts. Only wires the subcommands.
#include <csignal>
#include <cstdio>
#include <algorithm>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "bench_meeting.hpp"
#include "bench_store.hpp"
#include "fanout_bench.hpp"
#include "joins_bench.hpp"
#include "majlisd_process.hpp"
#include "latency_bench.hpp"
#include "restart_bench.hpp"
#include "votes_bench.hpp"

namespace {

extern "C" void on_interrupt(int) { majlis::bench::interrupted().store(true); }

void print_json_line(const char* bench, const majlis::bench::cluster_options& cluster,
                     majlis::bench::json_object figures) {
  majlis::bench::json_object line;
  line.add("bench", bench)
      .add("server_threads", cluster.server_threads)
      .add("machine", majlis::bench::to_json(majlis::bench::read_machine_info()))
      .add("figures", figures);
  std::printf("%s\n", line.str().c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace majlis::bench;
  // The figures are for majlisd as it runs by default (presence gathered every 200 ms).
  majlis::testing::majlisd_process::quick_presence = false;
  CLI::App app{
      "majlis-bench — benchmarks for majlisd on loopback. Starts redis-server and majlisd "
      "instances itself (or uses the ones given with --server / --redis), prints figures, and "
      "ends with one JSON line.",
      "majlis-bench"};
  app.require_subcommand(1);
  app.fallthrough();

  cluster_options cluster;
  app.add_option("--redis", cluster.redis_url,
                 "Redis for the instances started here (redis://host:port); default: start redis-server");
  app.add_option("--server", cluster.servers,
                 "Use these running majlisd instances (http://host:port, repeat the option) instead of starting any; "
                 "start them with --max-connections-per-address 0 --joins-per-second-per-address 0");
  app.add_option("--admin-key", cluster.admin_key, "Admin key of the --server instances")
      ->envname("MAJLIS_ADMIN_KEY");
  app.add_option("--server-threads", cluster.server_threads, "majlisd --threads for instances started here")
      ->capture_default_str()->check(CLI::Range(1, 64));

  const std::string stores_help =
      "Stores to run, comma-separated: sqlite-full, sqlite-normal, memory (one instance each), redis";

  latency_options latency;
  std::vector<std::string> latency_stores;
  auto* latency_cmd = app.add_subcommand(
      "latency", "Delivery latency of events committed on instance A to a client on instance B "
                 "(and on A), at a steady command rate, on each store in turn");
  latency_cmd->add_option("--stores,--store", latency_stores, stores_help + " (default: all four)")
      ->delimiter(',');
  latency_cmd->add_option("--instances", latency.instances, "majlisd instances on Redis (A = 1st, B = 2nd)")
      ->capture_default_str()->check(CLI::Range(1, 16));
  latency_cmd->add_option("--rate", latency.rate, "Commands (= events) per second")
      ->capture_default_str()->check(CLI::Range(1.0, 100000.0));
  latency_cmd->add_option("--seconds", latency.seconds, "Measured seconds")
      ->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  latency_cmd->add_option("--warmup", latency.warmup_seconds, "Seconds sent before measuring")
      ->capture_default_str()->check(CLI::Range(0.0, 600.0));
  latency_cmd->add_option("--roster", latency.roster,
                          "Walk-ins the chair adds first, for a state the size of a real meeting's")
      ->capture_default_str()->check(CLI::Range(0, 4900));

  votes_options votes;
  std::vector<std::string> vote_stores;
  std::vector<std::size_t> vote_instances;
  auto* votes_cmd = app.add_subcommand(
      "votes", "Vote burst: every voter casts at once; on each store, Redis with voters spread over 1, 2 and 3 instances");
  votes_cmd->add_option("--stores,--store", vote_stores, stores_help + " (default: all four)")->delimiter(',');
  votes_cmd->add_option("--instances", vote_instances,
                        "Instance counts to run on Redis (repeat or comma-separate; default 1,2,3)")
      ->delimiter(',')->check(CLI::Range(1, 16));
  votes_cmd->add_option("--voters", votes.voters, "Voters (participants), round-robin over the instances")
      ->capture_default_str()->check(CLI::Range(1, 4000));
  votes_cmd->add_option("--rounds", votes.rounds, "Measured rounds, a new poll each; medians are reported")
      ->capture_default_str()->check(CLI::Range(1, 100));
  votes_cmd->add_option("--warmup-rounds", votes.warmup_rounds, "Rounds run first and not counted")
      ->capture_default_str()->check(CLI::Range(0, 10));
  votes_cmd->add_option("--passes", votes.passes,
                        "Times through the whole list of configurations, interleaved; rounds are pooled")
      ->capture_default_str()->check(CLI::Range(1, 20));
  votes_cmd->add_flag("--secret", votes.secret, "A secret poll (results after close) instead of a named, live one");

  joins_options joins;
  std::string join_store = "memory";
  auto* joins_cmd = app.add_subcommand(
      "joins", "Join storm: thousands of light clients open their WebSockets, then all join one meeting at once; "
               "time to the last Welcome and majlisd's CPU");
  joins_cmd->add_option("--clients", joins.client_counts, "Client counts, one storm each (comma-separate; default 5000,10000)")
      ->delimiter(',')->check(CLI::Range(1, 60000));
  joins_cmd->add_option("--store", join_store, "sqlite-full, sqlite-normal, memory or redis")->capture_default_str();
  joins_cmd->add_option("--people", joins.people,
                        "Distinct participants at most (a roster holds 5,000); further clients are their other devices")
      ->capture_default_str()->check(CLI::Range(1, 5000));
  joins_cmd->add_flag("--distinct", joins.distinct,
                      "Every client a distinct person: an observer token of its own (--people is ignored)");
  joins_cmd->add_option("--runs", joins.runs, "Storms per client count; medians are reported")
      ->capture_default_str()->check(CLI::Range(1, 20));

  restart_options restart;
  std::vector<std::string> restart_stores;
  std::vector<std::string> restart_stops;
  auto* restart_cmd = app.add_subcommand(
      "restart", "Restart: fill a meeting with events on SQLite, stop majlisd (SIGTERM, SIGKILL), start it again; "
                 "time to the listening line and to the first Welcome");
  restart_cmd->add_option("--events", restart.events, "The meeting's seq before the stop")
      ->capture_default_str()->check(CLI::Range(10, 1'000'000));
  restart_cmd->add_option("--stores,--store", restart_stores, "sqlite-full and/or sqlite-normal (default: both)")
      ->delimiter(',');
  restart_cmd->add_option("--stop", restart_stops, "term and/or kill (default: both)")->delimiter(',');
  restart_cmd->add_option("--runs", restart.runs, "Runs per store and stop; medians are reported")
      ->capture_default_str()->check(CLI::Range(1, 20));
  restart_cmd->add_option("--fill-clients", restart.fill_clients, "Clients sending the events")
      ->capture_default_str()->check(CLI::Range(1, 64));

  fanout_options fanout;
  fanout.peers_dir = MAJLIS_BENCH_PEERS_DIR;
  fanout_size fanout_single;
  std::string fanout_preset;
  bool fanout_distinct_only = false;
  auto* fanout_cmd = app.add_subcommand(
      "fanout", "Fan-out against peers: each server in turn on loopback (majlisd, the minimal Beast server, Node ws, "
                "Socket.IO, 2 × majlisd + Redis against 2 × Socket.IO + redis-adapter, a raw send() floor); N receivers "
                "join, then E events at R/s: join storm, RSS per connection, send → last receiver p50/p99, CPU per delivery");
  fanout_cmd->add_option("--clients", fanout_single.clients, "Receivers (N)")
      ->capture_default_str()->check(CLI::Range(1, 60000));
  fanout_cmd->add_option("--events", fanout_single.events, "Events sent (E)")
      ->capture_default_str()->check(CLI::Range(1, 100000));
  fanout_cmd->add_option("--rate", fanout_single.rate, "Events per second (R)")
      ->capture_default_str()->check(CLI::Range(0.01, 100000.0));
  fanout_cmd->add_option("--preset", fanout_preset,
                         "5k (5,000 receivers, 100 events at 10/s), 10k (10,000, 50 at 5/s) or both; "
                         "replaces --clients/--events/--rate")
      ->check(CLI::IsMember({"5k", "10k", "both"}));
  fanout_cmd->add_option("--servers", fanout.servers,
                         "Servers to run, in order, comma-separated (default all): majlisd, majlisd-distinct, beast, ws, "
                         "socketio, raw, raw-uring, majlisd-redis, socketio-redis")
      ->delimiter(',');
  fanout_cmd->add_flag("--distinct", fanout_distinct_only,
                       "majlisd only with N distinct observers (one token each), not with one shared display token "
                       "(by default both run)");
  fanout_cmd->add_option("--json", fanout.json_file, "Write the figures here: a JSON array, one object per server and size");
  fanout_cmd->add_flag("--require-all", fanout.require_all,
                       "Exit 1 unless every receiver joined and got every event on every server (the ctest smoke test)");
  fanout_cmd->add_option("--payload-bytes", fanout.payload_bytes, "Characters of each event's text (majlisd: the new title)")
      ->capture_default_str()->check(CLI::Range(24, 200));
  fanout_cmd->add_option("--connect-parallel", fanout.connect_parallel, "WebSocket upgrades in flight at once")
      ->capture_default_str()->check(CLI::Range(1, 10000));
  fanout_cmd->add_option("--peers-dir", fanout.peers_dir, "Folder of the Node peers (package-lock.json, *.mjs)")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  // Ctrl-C stops the run cleanly: the servers started here are stopped on the way out.
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    if (latency_cmd->parsed()) {
      if (!latency_stores.empty()) latency.stores = parse_stores(latency_stores);
      print_json_line("latency", cluster, run_latency(cluster, latency));
    } else if (votes_cmd->parsed()) {
      if (!vote_stores.empty()) votes.stores = parse_stores(vote_stores);
      if (!vote_instances.empty()) votes.instance_counts = vote_instances;
      print_json_line("votes", cluster, run_votes(cluster, votes));
    } else if (joins_cmd->parsed()) {
      joins.store = parse_stores({join_store}).front();
      print_json_line("joins", cluster, run_joins(cluster, joins));
    } else if (fanout_cmd->parsed()) {
      fanout.majlisd_threads = cluster.server_threads;
      if (fanout_preset == "5k") {
        fanout.sizes = {fanout_size{5000, 100, 10}};
      } else if (fanout_preset == "10k") {
        fanout.sizes = {fanout_size{10000, 50, 5}};
      } else if (fanout_preset == "both") {
        fanout.sizes = {fanout_size{5000, 100, 10}, fanout_size{10000, 50, 5}};
      } else {
        fanout.sizes = {fanout_single};
      }
      if (fanout_distinct_only) {
        std::erase(fanout.servers, std::string("majlisd"));
        if (std::find(fanout.servers.begin(), fanout.servers.end(), "majlisd-distinct") == fanout.servers.end())
          fanout.servers.insert(fanout.servers.begin(), "majlisd-distinct");
      }
      print_json_line("fanout", cluster, run_fanout(fanout));
    } else if (restart_cmd->parsed()) {
      if (!restart_stores.empty()) restart.stores = parse_stores(restart_stores);
      if (!restart_stops.empty()) restart.stops = parse_stops(restart_stops);
      print_json_line("restart", cluster, run_restart(cluster, restart));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "majlis-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

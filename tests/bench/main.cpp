// majlis-bench: load generator and benchmarks for majlisd (DESIGN §9, §10). Prints figures for a
// person and ends with one JSON line for scripts. Only wires the subcommands.
#include <csignal>
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "bench_meeting.hpp"
#include "latency_bench.hpp"
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
                 "Use these running majlisd instances (http://host:port, repeat the option) instead of starting any");
  app.add_option("--admin-key", cluster.admin_key, "Admin key of the --server instances")
      ->envname("MAJLIS_ADMIN_KEY");
  app.add_option("--server-threads", cluster.server_threads, "majlisd --threads for instances started here")
      ->capture_default_str()->check(CLI::Range(1, 64));

  latency_options latency;
  bool latency_embedded = false;
  auto* latency_cmd = app.add_subcommand(
      "latency", "Delivery latency of events committed on instance A to a client on instance B "
                 "(and on A), at a steady command rate");
  latency_cmd->add_option("--instances", latency.instances, "majlisd instances (A = 1st, B = 2nd)")
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
  latency_cmd->add_flag("--embedded", latency_embedded,
                        "One instance on the embedded store (no Redis): the reference without replication");

  votes_options votes;
  std::vector<std::size_t> vote_instances;
  auto* votes_cmd = app.add_subcommand(
      "votes", "Vote burst: every voter casts at once; voters spread over 1, 2 and 3 instances");
  votes_cmd->add_option("--instances", vote_instances,
                        "Instance counts to run (repeat or comma-separate; default 1,2,3)")
      ->delimiter(',')->check(CLI::Range(1, 16));
  votes_cmd->add_option("--voters", votes.voters, "Voters (participants), round-robin over the instances")
      ->capture_default_str()->check(CLI::Range(1, 4000));
  votes_cmd->add_option("--rounds", votes.rounds, "Measured rounds, a new poll each; medians are reported")
      ->capture_default_str()->check(CLI::Range(1, 100));
  votes_cmd->add_option("--warmup-rounds", votes.warmup_rounds, "Rounds run first and not counted")
      ->capture_default_str()->check(CLI::Range(0, 10));
  votes_cmd->add_flag("--secret", votes.secret, "A secret poll (results after close) instead of a named, live one");
  votes_cmd->add_flag("--with-embedded", votes.with_embedded,
                      "Also run one instance on the embedded store (no Redis) as a reference");

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
      if (latency_embedded) {
        latency.instances = 1;
        cluster.embedded = true;
      }
      print_json_line("latency", cluster, run_latency(cluster, latency));
    } else if (votes_cmd->parsed()) {
      if (!vote_instances.empty()) votes.instance_counts = vote_instances;
      print_json_line("votes", cluster, run_votes(cluster, votes));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "majlis-bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

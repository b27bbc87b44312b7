#include "votes_bench.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "bench_meeting.hpp"
#include "light_voter.hpp"

namespace majlis::bench {
namespace {

using namespace std::chrono_literals;

// One measured burst. Times are from the first send, in ms.
struct round_figures {
  double burst_ms = 0;      // → the last ok result
  double chair_ms = 0;      // → the chair's mirror (instance 1) holds every ballot
  double everywhere_ms = 0; // → a watching client on every instance holds every ballot
  double votes_per_s = 0;   // ok votes / burst_ms
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t retried = 0;
  std::string first_failure;
  distribution ack;         // each voter: send → ok result (its last attempt)
  // CPU used from the first send until every watcher saw every ballot, in ms (-1 = unknown).
  double cpu_bench_ms = -1;
  double cpu_instances_ms = -1;  // all instances together
  double cpu_redis_ms = -1;
};

// One configuration (instance count and store) over all its rounds.
struct configuration_figures {
  std::size_t instances = 0;
  store_kind kind = store_kind::redis;
  std::string store;
  std::string description;
  std::vector<round_figures> rounds;
  std::vector<double> fsync_ms;  // the data folder's probe, once per pass (SQLite only)

  double median_of(double round_figures::*field) const {
    std::vector<double> values;
    for (const auto& round : rounds) values.push_back(round.*field);
    return median(values);
  }
  std::uint64_t total(std::uint64_t round_figures::*field) const {
    std::uint64_t sum = 0;
    for (const auto& round : rounds) sum += round.*field;
    return sum;
  }
};

double cpu_delta_ms(double before, double after) {
  return before < 0 || after < 0 ? -1 : (after - before) * 1000;
}

double instances_cpu(const bench_cluster::cpu_seconds& used) {
  double total = 0;
  for (const double seconds : used.instances) {
    if (seconds < 0) return -1;
    total += seconds;
  }
  return used.instances.empty() ? -1 : total;
}

v1::Command create_poll(const std::string& question, bool secret) {
  v1::Command command;
  auto& create = *command.mutable_create_poll();
  create.set_question(question);
  create.set_kind(v1::POLL_KIND_SINGLE);
  create.set_secrecy(secret ? v1::POLL_SECRECY_SECRET : v1::POLL_SECRECY_NAMED);
  create.set_visibility(secret ? v1::RESULTS_VISIBILITY_AFTER_CLOSE : v1::RESULTS_VISIBILITY_LIVE);
  for (const char* option : {"yes", "no", "abstain"}) create.add_options(option);
  return command;
}

v1::Command poll_command(const std::string& poll_id, bool open) {
  v1::Command command;
  if (open) {
    command.mutable_open_poll()->set_poll_id(poll_id);
  } else {
    command.mutable_close_poll()->set_poll_id(poll_id);
  }
  return command;
}

v1::Command cast(const std::string& poll_id, std::uint32_t choice) {
  v1::Command command;
  command.mutable_cast_ballot()->set_poll_id(poll_id);
  command.mutable_cast_ballot()->add_choices(choice);
  return command;
}

v1::Command start_meeting() {
  v1::Command command;
  command.mutable_start_meeting();
  return command;
}

// A full client (with a mirror) that notes when the watched poll holds every ballot.
struct watcher {
  std::string name;
  std::unique_ptr<client::meeting_client> client;
  std::int64_t saw_all_ns = 0;
};

class votes_run {
 public:
  votes_run(asio::io_context& io, const bench_cluster& cluster, const votes_options& options)
      : io_(io), cluster_(cluster), options_(options) {
    const auto& a = cluster_.endpoint(0);
    client::http_api_config http_config;
    http_config.host = a.host;
    http_config.port = a.port;
    http_config.admin_key = cluster_.admin_key();
    http_ = std::make_unique<client::http_api>(io_.get_executor(), http_config);
    // The chair on instance 1, and a participant watching on every other instance.
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
      auto& w = watchers_.emplace_back();
      w.name = i == 0 ? "chair" : "watcher on instance " + std::to_string(i + 1);
      w.client = std::make_unique<client::meeting_client>(io_.get_executor(), bench_client_config());
    }
    for (auto& w : watchers_) {
      w.client->on_events([this, &w](const v1::EventBatch&, const client::state_mirror& mirror) {
        if (watched_poll_.empty() || w.saw_all_ns != 0) return;
        for (const auto& poll : mirror.state().polls()) {
          if (poll.id() != watched_poll_) continue;
          if (static_cast<std::size_t>(poll.voter_ids_size()) >= options_.voters) w.saw_all_ns = steady_ns();
          break;
        }
      });
    }
  }

  ~votes_run() {
    // Their read loops keep them alive until the io_context goes; close the sockets now.
    for (auto& voter : voters_) voter->close();
  }

  asio::awaitable<void> run() {
    std::exception_ptr failure;
    try {
      co_await set_up();
      co_await all_rounds();
    } catch (...) {
      failure = std::current_exception();
    }
    // What the servers counted explains odd figures (conflicts, gaps), on failure too.
    for (std::size_t i = 0; i < cluster_.size(); ++i) {
      client::http_api_config config;
      config.host = cluster_.endpoint(i).host;
      config.port = cluster_.endpoint(i).port;
      config.timeout = 5s;
      client::http_api http(io_.get_executor(), config);
      std::printf("    instance %zu: %s\n", i + 1, (co_await server_counters(http)).c_str());
    }
    std::fflush(stdout);
    if (failure) std::rethrow_exception(failure);
  }

  std::vector<round_figures> rounds() const { return rounds_; }

 private:
  client::meeting_client& chair() { return *watchers_.front().client; }

  asio::awaitable<void> set_up() {
    const auto started = steady::now();
    const auto meeting = co_await create_meeting(*http_, "majlis-bench votes");
    meeting_id_ = meeting.id;
    co_await connect_and_join(chair(), cluster_.endpoint(0), meeting_id_, meeting.moderator_token, "chair");
    co_await must(chair(), start_meeting(), "start the meeting");
    for (std::size_t i = 1; i < watchers_.size(); ++i) {
      const auto issued = co_await participant_token(*http_, meeting_id_, watchers_[i].name);
      co_await connect_and_join(*watchers_[i].client, cluster_.endpoint(i), meeting_id_, issued.token,
                                watchers_[i].name);
    }

    tokens_.resize(options_.voters);
    co_await for_each_bounded(
        options_.voters, 8,
        [this](std::size_t i) -> asio::awaitable<void> {
          tokens_[i] = co_await participant_token(*http_, meeting_id_, "voter " + std::to_string(i + 1));
        },
        120s);
    for (std::size_t i = 0; i < options_.voters; ++i) {
      voters_.push_back(std::make_shared<light_voter>(io_.get_executor()));
    }
    // Round-robin over the instances: voter i on instance i mod N.
    co_await for_each_bounded(
        options_.voters, 16,
        [this](std::size_t i) -> asio::awaitable<void> {
          co_await voters_[i]->join(cluster_.endpoint(i % cluster_.size()), meeting_id_, tokens_[i].token, 20s);
        },
        300s);
    const auto joined_ms = std::chrono::duration<double, std::milli>(steady::now() - started).count();
    // Every voter online in the roster before anyone votes. A join storm over several instances
    // can make a connection's "opened" append lose the optimistic-concurrency race too often
    // (ABORTED); that instance's liveness sweep announces the connection again about a second
    // later, and until then the voter is not on the roster and its ballot would be refused.
    std::size_t missing = 0;
    const auto deadline = steady::now() + 20s;
    for (;;) {
      missing = voters_missing_from_roster();
      if (missing == 0 || steady::now() >= deadline) break;
      co_await sleep_for(10ms);
    }
    const auto online_ms = std::chrono::duration<double, std::milli>(steady::now() - started).count();
    require(missing == 0, std::to_string(missing) + " voters joined but are not online in the chair's roster after 20 s");
    std::printf("    %zu voters joined in %.0f ms, all online in the chair's roster at %.0f ms%s\n", options_.voters,
                joined_ms, online_ms,
                online_ms - joined_ms > 500 ? " (some \"opened\" appends were ABORTED and announced again later)" : "");
    std::fflush(stdout);
  }

  std::size_t voters_missing_from_roster() {
    std::set<std::string> online;
    for (const auto& participant : chair().mirror().state().participants()) {
      if (participant.online()) online.insert(participant.id());
    }
    std::size_t missing = 0;
    for (const auto& issued : tokens_) missing += online.contains(issued.participant_id) ? 0 : 1;
    return missing;
  }

  asio::awaitable<void> all_rounds() {
    const std::size_t total = options_.warmup_rounds + options_.rounds;
    for (std::size_t r = 0; r < total; ++r) {
      check_interrupted();
      const bool warmup = r < options_.warmup_rounds;
      auto figures = co_await burst(r);
      std::printf("    %s %zu: %llu ok in %7.1f ms (%6.0f votes/s), full tally at the chair %7.1f ms, "
                  "everywhere %7.1f ms; ack p50 %.1f p99 %.1f ms; retried %llu, failed %llu; "
                  "CPU ms bench %.0f, majlisd %.0f, redis %.0f\n",
                  warmup ? "warm-up" : "round  ", warmup ? r + 1 : r + 1 - options_.warmup_rounds,
                  static_cast<unsigned long long>(figures.ok), figures.burst_ms, figures.votes_per_s,
                  figures.chair_ms, figures.everywhere_ms, figures.ack.p50_us / 1000,
                  figures.ack.p99_us / 1000, static_cast<unsigned long long>(figures.retried),
                  static_cast<unsigned long long>(figures.failed), figures.cpu_bench_ms,
                  figures.cpu_instances_ms, figures.cpu_redis_ms);
      if (!figures.first_failure.empty()) std::printf("      first refusal: %s\n", figures.first_failure.c_str());
      std::fflush(stdout);
      if (!warmup) rounds_.push_back(figures);
    }
  }

  asio::awaitable<round_figures> burst(std::size_t round) {
    const std::string question = "majlis-bench round " + std::to_string(round + 1);
    const auto created_seq = co_await must(chair(), create_poll(question, options_.secret), "create a poll");
    require(co_await chair().wait_for_seq(created_seq, 20s), "the chair did not see its poll");
    std::string poll_id;
    for (const auto& poll : chair().mirror().state().polls()) {
      if (poll.question() == question) poll_id = poll.id();
    }
    require(!poll_id.empty(), "the new poll is not in the chair's mirror");
    const auto opened_seq = co_await must(chair(), poll_command(poll_id, true), "open the poll");
    // An instance applies an event before its clients get it: once the watcher on every instance
    // has the open poll, no cast can meet a replica that has not seen it open.
    for (auto& w : watchers_) {
      require(co_await w.client->wait_for_seq(opened_seq, 20s),
              w.name + " did not see the poll open at seq " + std::to_string(opened_seq) + " within 20 s (at " +
                  std::to_string(w.client->mirror().seq()) + ", status " + client::to_string(w.client->status()) + ")");
      w.saw_all_ns = 0;
    }
    for (auto& voter : voters_) {
      require(voter->open(), "a voter lost its connection: " + voter->last_error());
      co_await voter->keep_alive(20s);
    }

    round_figures figures;
    std::vector<std::int64_t> ack_ns;
    ack_ns.reserve(options_.voters);
    std::int64_t last_ok_ns = 0;
    watched_poll_ = poll_id;
    const auto executor = co_await asio::this_coro::executor;
    auto pending = std::make_shared<countdown>(executor, options_.voters);

    const auto cpu_before = cluster_.cpu_used();
    // All at once: every cast is spawned before any result can come back.
    const auto first_send_ns = steady_ns();
    for (std::size_t i = 0; i < options_.voters; ++i) {
      asio::co_spawn(
          executor,
          [&, i]() -> asio::awaitable<void> {
            for (std::size_t attempt = 0; attempt < options_.max_attempts; ++attempt) {
              const auto sent_ns = steady_ns();
              const auto result = co_await voters_[i]->send(cast(poll_id, static_cast<std::uint32_t>(i % 3)), 30s);
              if (result.ok()) {
                const auto now_ns = steady_ns();
                ++figures.ok;
                ack_ns.push_back(now_ns - sent_ns);
                last_ok_ns = std::max(last_ok_ns, now_ns);
                co_return;
              }
              const auto code = result.error().code();
              if (figures.first_failure.empty()) figures.first_failure = describe(result);
              if (code != v1::ERROR_CODE_ABORTED && code != v1::ERROR_CODE_UNAVAILABLE) break;
              if (!voters_[i]->open()) break;
              ++figures.retried;
            }
            ++figures.failed;
          },
          [pending](std::exception_ptr) { pending->done(); });
    }
    const bool all_back = co_await pending->wait(steady::now() + 120s);
    require(all_back, std::to_string(pending->remaining()) + " voters without a result after 120 s");
    require(figures.ok > 0, "no vote succeeded");

    // Every watcher's view: every ballot in its mirror.
    auto everyone_saw_all = [this] {
      return std::all_of(watchers_.begin(), watchers_.end(), [](const watcher& w) { return w.saw_all_ns != 0; });
    };
    const auto deadline = steady::now() + 30s;
    while (figures.failed == 0 && !everyone_saw_all() && steady::now() < deadline) co_await sleep_for(1ms);
    const auto cpu_after = cluster_.cpu_used();
    watched_poll_.clear();
    if (figures.failed == 0) require(everyone_saw_all(), "a watcher did not see every ballot within 30 s");

    auto since_first_ms = [&](std::int64_t ns) { return ns != 0 ? double(ns - first_send_ns) / 1e6 : 0.0; };
    figures.burst_ms = since_first_ms(last_ok_ns);
    figures.chair_ms = since_first_ms(watchers_.front().saw_all_ns);
    std::int64_t last_watcher_ns = 0;
    for (const auto& w : watchers_) last_watcher_ns = std::max(last_watcher_ns, w.saw_all_ns);
    figures.everywhere_ms = since_first_ms(last_watcher_ns);
    figures.votes_per_s = figures.burst_ms > 0 ? double(figures.ok) / (figures.burst_ms / 1e3) : 0;
    figures.ack = summarize_ns(ack_ns);
    figures.cpu_bench_ms = cpu_delta_ms(cpu_before.bench, cpu_after.bench);
    figures.cpu_instances_ms = cpu_delta_ms(instances_cpu(cpu_before), instances_cpu(cpu_after));
    figures.cpu_redis_ms = cpu_delta_ms(cpu_before.redis, cpu_after.redis);
    co_await must(chair(), poll_command(poll_id, false), "close the poll");
    co_return figures;
  }

  asio::io_context& io_;
  const bench_cluster& cluster_;
  votes_options options_;
  std::unique_ptr<client::http_api> http_;
  std::vector<watcher> watchers_;  // [0] is the chair
  std::vector<std::shared_ptr<light_voter>> voters_;
  std::vector<client::issued_token> tokens_;
  std::string meeting_id_;
  std::string watched_poll_;
  std::vector<round_figures> rounds_;
};

// Runs one configuration on fresh servers and adds its measured rounds to `into`.
void run_configuration(const cluster_options& base, const votes_options& options, configuration_figures& into) {
  cluster_options cluster_options = base;
  cluster_options.store = into.kind;
  bench_cluster cluster(cluster_options, into.instances);
  into.store = cluster.store();
  into.description = cluster.describe();
  if (cluster.fsync_ms() >= 0) into.fsync_ms.push_back(cluster.fsync_ms());
  std::printf("  %s\n", into.description.c_str());
  std::fflush(stdout);
  asio::io_context io;
  votes_run run(io, cluster, options);
  const auto limit = std::chrono::seconds(420 + 150 * (options.rounds + options.warmup_rounds));
  run_scenario(io, [&run] { return run.run(); }, limit);
  for (const auto& round : run.rounds()) into.rounds.push_back(round);
}

}  // namespace

json_object run_votes(const cluster_options& cluster, const votes_options& options) {
  require(options.voters >= 1 && options.voters <= 4000, "--voters must be in [1, 4000]");
  require(options.rounds >= 1 && options.rounds <= 100, "--rounds must be in [1, 100]");
  require(options.warmup_rounds <= 10, "--warmup-rounds must be in [0, 10]");
  require(options.passes >= 1 && options.passes <= 20, "--passes must be in [1, 20]");
  require(!options.stores.empty(), "no store to run");
  for (const auto n : options.instance_counts) require(n >= 1 && n <= 16, "--instances must be in [1, 16]");

  std::vector<configuration_figures> configurations;
  for (const auto kind : options.stores) {
    if (single_instance(kind)) {
      configurations.push_back({1, kind, std::string(store_name(kind)), "", {}, {}});
      continue;
    }
    require(!options.instance_counts.empty(), "no instance count to run on Redis");
    for (const auto n : options.instance_counts) configurations.push_back({n, kind, std::string(store_name(kind)), "", {}, {}});
  }

  std::printf("votes: %zu voters round-robin over the instances, %zu rounds (+%zu warm-up) per pass, %zu pass(es), "
              "single choice, %s poll; fresh servers per configuration and pass\n",
              options.voters, options.rounds, options.warmup_rounds, options.passes,
              options.secret ? "secret (results after close)" : "named (live results)");
  std::fflush(stdout);

  // Passes interleave the configurations, so a noisy minute on a shared machine spreads over all.
  for (std::size_t pass = 0; pass < options.passes; ++pass) {
    for (auto& configuration : configurations) {
      check_interrupted();
      run_configuration(cluster, options, configuration);
    }
  }

  // The reference for the ratios: one instance in memory, else one on Redis, else the first.
  const configuration_figures* reference = &configurations.front();
  for (const auto want : {store_kind::memory, store_kind::redis}) {
    const auto found = std::find_if(configurations.begin(), configurations.end(), [&](const auto& c) {
      return c.instances == 1 && c.kind == want;
    });
    if (found != configurations.end()) {
      reference = &*found;
      break;
    }
  }
  const double reference_rate = reference->median_of(&round_figures::votes_per_s);
  const double reference_burst = reference->median_of(&round_figures::burst_ms);
  const double reference_chair = reference->median_of(&round_figures::chair_ms);

  std::printf("\n  medians over %zu rounds each; ×ref = time / the same time on %zu instance(s) on %s\n",
              options.rounds * options.passes, reference->instances, reference->store.c_str());
  std::printf("  store          instances  all ok ms  ×ref   chair has all ms  ×ref   votes/s  everywhere ms  "
              "ack p99 ms  failed  retried  CPU ms bench/majlisd/redis\n");
  std::vector<json_object> results;
  std::string durable_ratios;
  for (const auto& c : configurations) {
    std::vector<double> p99s;
    for (const auto& round : c.rounds) p99s.push_back(round.ack.p99_us / 1000);
    const double burst = c.median_of(&round_figures::burst_ms);
    const double chair_ms = c.median_of(&round_figures::chair_ms);
    const double everywhere_ms = c.median_of(&round_figures::everywhere_ms);
    const double rate = c.median_of(&round_figures::votes_per_s);
    const double ack_p99 = median(p99s);
    const double ratio = reference_rate > 0 ? rate / reference_rate : 0;
    const double burst_ratio = reference_burst > 0 ? burst / reference_burst : 0;
    const double chair_ratio = reference_chair > 0 ? chair_ms / reference_chair : 0;
    const double cpu_bench = c.median_of(&round_figures::cpu_bench_ms);
    const double cpu_instances = c.median_of(&round_figures::cpu_instances_ms);
    const double cpu_redis = c.median_of(&round_figures::cpu_redis_ms);
    std::printf("  %-13s  %9zu  %9.1f  %5.2f  %16.1f  %5.2f  %7.0f  %13.1f  %10.1f  %6llu  %7llu  %.0f/%.0f/%.0f\n",
                c.store.c_str(), c.instances, burst, burst_ratio, chair_ms, chair_ratio, rate, everywhere_ms,
                ack_p99, static_cast<unsigned long long>(c.total(&round_figures::failed)),
                static_cast<unsigned long long>(c.total(&round_figures::retried)), cpu_bench, cpu_instances,
                cpu_redis);
    if (uses_data_dir(c.kind) && reference->kind == store_kind::memory) {
      char part[64];
      std::snprintf(part, sizeof part, "%s%s %.2f×", durable_ratios.empty() ? "" : ", ", c.store.c_str(), burst_ratio);
      durable_ratios += part;
    }
    json_object json;
    json.add("instances", std::uint64_t{c.instances})
        .add("store", c.store)
        .add("burst_ms_median", burst)
        .add("votes_per_s_median", rate)
        .add("votes_per_s_ratio_vs_ref", ratio)
        .add("burst_ratio_vs_ref", burst_ratio)
        .add("chair_has_all_ratio_vs_ref", chair_ratio)
        .add("chair_has_all_ms_median", chair_ms)
        .add("everywhere_has_all_ms_median", everywhere_ms)
        .add("ack_p99_ms_median", ack_p99)
        .add("fsync_probe_ms_median", c.fsync_ms.empty() ? -1.0 : median(c.fsync_ms))
        .add("failed", c.total(&round_figures::failed))
        .add("retried", c.total(&round_figures::retried))
        .add("cpu_ms_median", json_object()
                                  .add("bench", cpu_bench)
                                  .add("majlisd_all", cpu_instances)
                                  .add("redis", cpu_redis));
    std::vector<json_object> per_round;
    for (const auto& round : c.rounds) {
      json_object r;
      r.add("burst_ms", round.burst_ms)
          .add("votes_per_s", round.votes_per_s)
          .add("chair_has_all_ms", round.chair_ms)
          .add("everywhere_has_all_ms", round.everywhere_ms);
      per_round.push_back(r);
    }
    json.add("rounds", per_round);
    results.push_back(json);
  }

  if (!durable_ratios.empty()) {
    std::printf("  burst on SQLite / in memory: %s (the issue's target: at most 1.5×)\n", durable_ratios.c_str());
    for (const auto& c : configurations) {
      if (!c.fsync_ms.empty()) {
        std::printf("  %s: 4 KiB write + fdatasync in its data folder before each pass, median %.2f ms\n",
                    c.store.c_str(), median(c.fsync_ms));
      }
    }
  }
  std::fflush(stdout);

  json_object json;
  json.add("voters", std::uint64_t{options.voters})
      .add("rounds", std::uint64_t{options.rounds})
      .add("passes", std::uint64_t{options.passes})
      .add("reference", reference->store + " × " + std::to_string(reference->instances))
      .add("warmup_rounds", std::uint64_t{options.warmup_rounds})
      .add("poll", options.secret ? "secret" : "named_live")
      .add("voter_client", "light (no mirror)")
      .add("results", results);
  return json;
}

}  // namespace majlis::bench

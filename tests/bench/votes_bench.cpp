#include "votes_bench.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "bench_meeting.hpp"

namespace majlis::bench {
namespace {

using namespace std::chrono_literals;

// One measured burst.
struct round_figures {
  double burst_ms = 0;   // first send → last ok result
  double tally_ms = 0;   // first send → the chair's mirror shows every ballot
  double votes_per_s = 0;
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  std::uint64_t retried = 0;
  distribution ack;      // each voter: send → ok result (its last attempt)
  // CPU used from the first send until the chair saw every ballot, in ms (-1 = unknown).
  double cpu_bench_ms = -1;
  double cpu_instances_ms = -1;  // all instances together
  double cpu_redis_ms = -1;
};

// CPU used between two readings, in ms; -1 when either is unknown.
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

// One configuration (instance count and store) over all its rounds.
struct configuration_figures {
  std::size_t instances = 0;
  std::string store;
  std::string description;
  std::vector<round_figures> rounds;

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
    chair_ = std::make_unique<client::meeting_client>(io_.get_executor(), bench_client_config());
    chair_->on_events([this](const v1::EventBatch&, const client::state_mirror& mirror) {
      if (watched_poll_.empty() || tally_seen_ns_ != 0) return;
      for (const auto& poll : mirror.state().polls()) {
        if (poll.id() != watched_poll_) continue;
        if (static_cast<std::size_t>(poll.voter_ids_size()) >= options_.voters) tally_seen_ns_ = steady_ns();
        break;
      }
    });
  }

  asio::awaitable<void> run() {
    std::exception_ptr failure;
    try {
      co_await set_up();
      co_await rounds_all();
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
  asio::awaitable<void> rounds_all() {
    const std::size_t total = options_.warmup_rounds + options_.rounds;
    for (std::size_t r = 0; r < total; ++r) {
      check_interrupted();
      const bool warmup = r < options_.warmup_rounds;
      auto figures = co_await burst(r);
      std::printf("    %s %zu: %llu ok in %8.1f ms, chair sees %zu/%zu at %8.1f ms, %7.0f votes/s, "
                  "retried %llu, failed %llu, ack %s; CPU ms: bench %.0f, majlisd %.0f, redis %.0f\n",
                  warmup ? "warm-up" : "round  ", warmup ? r + 1 : r + 1 - options_.warmup_rounds,
                  static_cast<unsigned long long>(figures.ok), figures.burst_ms, options_.voters,
                  options_.voters, figures.tally_ms, figures.votes_per_s,
                  static_cast<unsigned long long>(figures.retried),
                  static_cast<unsigned long long>(figures.failed), describe_ms(figures.ack).c_str(),
                  figures.cpu_bench_ms, figures.cpu_instances_ms, figures.cpu_redis_ms);
      std::fflush(stdout);
      if (!warmup) rounds_.push_back(figures);
    }
  }

  asio::awaitable<void> set_up() {
    const auto started = steady::now();
    const auto meeting = co_await create_meeting(*http_, "majlis-bench votes");
    meeting_id_ = meeting.id;
    co_await connect_and_join(*chair_, cluster_.endpoint(0), meeting_id_, meeting.moderator_token, "chair");
    co_await must(*chair_, start_meeting(), "start the meeting");

    tokens_.resize(options_.voters);
    co_await for_each_bounded(
        options_.voters, 8,
        [this](std::size_t i) -> asio::awaitable<void> {
          tokens_[i] = co_await participant_token(*http_, meeting_id_, "voter " + std::to_string(i + 1));
        },
        120s);
    for (std::size_t i = 0; i < options_.voters; ++i) {
      voters_.push_back(std::make_unique<client::meeting_client>(io_.get_executor(), bench_client_config()));
    }
    // Round-robin over the instances: voter i on instance i mod N.
    co_await for_each_bounded(
        options_.voters, 16,
        [this](std::size_t i) -> asio::awaitable<void> {
          co_await connect_and_join(*voters_[i], cluster_.endpoint(i % cluster_.size()), meeting_id_,
                                    tokens_[i], "voter " + std::to_string(i + 1));
        },
        300s);
    std::printf("    %zu voters joined in %.0f ms\n", options_.voters,
                std::chrono::duration<double, std::milli>(steady::now() - started).count());
    std::fflush(stdout);
  }

  asio::awaitable<round_figures> burst(std::size_t round) {
    const std::string question = "majlis-bench round " + std::to_string(round + 1);
    const auto created_seq = co_await must(*chair_, create_poll(question, options_.secret), "create a poll");
    require(co_await chair_->wait_for_seq(created_seq, 20s), "the chair did not see its poll");
    std::string poll_id;
    for (const auto& poll : chair_->mirror().state().polls()) {
      if (poll.question() == question) poll_id = poll.id();
    }
    require(!poll_id.empty(), "the new poll is not in the chair's mirror");
    const auto opened_seq = co_await must(*chair_, poll_command(poll_id, true), "open the poll");
    // Every voter's instance has the open poll once the voter's mirror has it: no cast can meet
    // a replica that has not seen the poll open.
    for (std::size_t i = 0; i < voters_.size(); ++i) {
      auto& voter = *voters_[i];
      if (co_await voter.wait_for_seq(opened_seq, 20s)) continue;
      throw bench_failure("voter " + std::to_string(i + 1) + " on instance " +
                          std::to_string(i % cluster_.size() + 1) + " did not see the poll open at seq " +
                          std::to_string(opened_seq) + " within 20 s: its mirror is at seq " +
                          std::to_string(voter.mirror().seq()) + ", status " + client::to_string(voter.status()) +
                          ", gaps seen " + std::to_string(voter.counters().gaps_seen));
    }

    round_figures figures;
    std::vector<std::int64_t> ack_ns;
    ack_ns.reserve(options_.voters);
    std::int64_t last_ok_ns = 0;
    watched_poll_ = poll_id;
    tally_seen_ns_ = 0;
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
              const auto result = co_await voters_[i]->send(cast(poll_id, static_cast<std::uint32_t>(i % 3)));
              if (result.ok()) {
                const auto now_ns = steady_ns();
                ++figures.ok;
                ack_ns.push_back(now_ns - sent_ns);
                last_ok_ns = std::max(last_ok_ns, now_ns);
                co_return;
              }
              const auto code = result.error().code();
              if (code != v1::ERROR_CODE_ABORTED && code != v1::ERROR_CODE_UNAVAILABLE) break;
              ++figures.retried;
            }
            ++figures.failed;
          },
          [pending](std::exception_ptr) { pending->done(); });
    }
    const bool all_back = co_await pending->wait(steady::now() + 120s);
    require(all_back, std::to_string(pending->remaining()) + " voters without a result after 120 s");
    require(figures.ok > 0, "no vote succeeded");

    // The chair's view: every ballot in its mirror.
    const auto deadline = steady::now() + 30s;
    while (tally_seen_ns_ == 0 && figures.failed == 0 && steady::now() < deadline) co_await sleep_for(1ms);
    watched_poll_.clear();
    const auto cpu_after = cluster_.cpu_used();
    figures.cpu_bench_ms = cpu_delta_ms(cpu_before.bench, cpu_after.bench);
    figures.cpu_instances_ms = cpu_delta_ms(instances_cpu(cpu_before), instances_cpu(cpu_after));
    figures.cpu_redis_ms = cpu_delta_ms(cpu_before.redis, cpu_after.redis);
    if (figures.failed == 0) require(tally_seen_ns_ != 0, "the chair did not see every ballot within 30 s");

    figures.burst_ms = double(last_ok_ns - first_send_ns) / 1e6;
    figures.tally_ms = tally_seen_ns_ != 0 ? double(tally_seen_ns_ - first_send_ns) / 1e6 : 0;
    figures.votes_per_s = figures.burst_ms > 0 ? double(figures.ok) / (figures.burst_ms / 1e3) : 0;
    figures.ack = summarize_ns(ack_ns);
    co_await must(*chair_, poll_command(poll_id, false), "close the poll");
    co_return figures;
  }

  asio::io_context& io_;
  const bench_cluster& cluster_;
  votes_options options_;
  std::unique_ptr<client::http_api> http_;
  std::unique_ptr<client::meeting_client> chair_;
  std::vector<std::unique_ptr<client::meeting_client>> voters_;
  std::vector<std::string> tokens_;
  std::string meeting_id_;
  std::string watched_poll_;
  std::int64_t tally_seen_ns_ = 0;
  std::vector<round_figures> rounds_;
};

configuration_figures run_configuration(const cluster_options& base, const votes_options& options,
                                        std::size_t instances, bool embedded) {
  cluster_options cluster_options = base;
  cluster_options.embedded = embedded;
  bench_cluster cluster(cluster_options, instances);
  configuration_figures result;
  result.instances = instances;
  result.store = cluster.store();
  result.description = cluster.describe();
  std::printf("  %s\n", result.description.c_str());
  std::fflush(stdout);
  {
    asio::io_context io;
    votes_run run(io, cluster, options);
    const auto limit = std::chrono::seconds(420 + 150 * (options.rounds + options.warmup_rounds));
    run_scenario(io, [&run] { return run.run(); }, limit);
    result.rounds = run.rounds();
  }
  return result;
}

}  // namespace

json_object run_votes(const cluster_options& cluster, const votes_options& options) {
  require(options.voters >= 1 && options.voters <= 4000, "--voters must be in [1, 4000]");
  require(options.rounds >= 1 && options.rounds <= 100, "--rounds must be in [1, 100]");
  require(options.warmup_rounds <= 10, "--warmup-rounds must be in [0, 10]");
  require(!options.instance_counts.empty(), "no instance count to run");
  for (const auto n : options.instance_counts) require(n >= 1 && n <= 16, "--instances must be in [1, 16]");

  std::printf("votes: %zu voters round-robin over the instances, %zu rounds (+%zu warm-up), "
              "single choice, %s poll; fresh servers per configuration\n",
              options.voters, options.rounds, options.warmup_rounds,
              options.secret ? "secret (results after close)" : "named (live results)");
  std::fflush(stdout);

  std::vector<configuration_figures> configurations;
  if (options.with_embedded) configurations.push_back(run_configuration(cluster, options, 1, true));
  for (const auto n : options.instance_counts) {
    check_interrupted();
    configurations.push_back(run_configuration(cluster, options, n, false));
  }

  // The reference for the ratios: one instance on Redis (else the first configuration).
  const configuration_figures* reference = &configurations.front();
  for (const auto& c : configurations) {
    if (c.instances == 1 && c.store != "embedded") {
      reference = &c;
      break;
    }
  }
  const double reference_rate = reference->median_of(&round_figures::votes_per_s);
  const double reference_burst = reference->median_of(&round_figures::burst_ms);

  std::printf("\n  medians over %zu rounds; ratios against %zu instance(s) on %s:\n", options.rounds,
              reference->instances, reference->store.c_str());
  std::printf("  instances  store      all ok (ms)  chair sees all (ms)  votes/s  ack p99 (ms)  "
              "votes/s vs ref  failed  retried  CPU ms bench/majlisd/redis\n");
  std::vector<json_object> results;
  for (const auto& c : configurations) {
    std::vector<double> p99s;
    for (const auto& round : c.rounds) p99s.push_back(round.ack.p99_us / 1000);
    const double burst = c.median_of(&round_figures::burst_ms);
    const double tally = c.median_of(&round_figures::tally_ms);
    const double rate = c.median_of(&round_figures::votes_per_s);
    const double ack_p99 = median(p99s);
    const double ratio = reference_rate > 0 ? rate / reference_rate : 0;
    const double cpu_bench = c.median_of(&round_figures::cpu_bench_ms);
    const double cpu_instances = c.median_of(&round_figures::cpu_instances_ms);
    const double cpu_redis = c.median_of(&round_figures::cpu_redis_ms);
    std::printf("  %9zu  %-9s  %11.1f  %19.1f  %7.0f  %12.1f  %14.2f  %6llu  %7llu  %.0f/%.0f/%.0f\n",
                c.instances, c.store.c_str(), burst, tally, rate, ack_p99, ratio,
                static_cast<unsigned long long>(c.total(&round_figures::failed)),
                static_cast<unsigned long long>(c.total(&round_figures::retried)), cpu_bench,
                cpu_instances, cpu_redis);
    std::vector<double> rates;
    for (const auto& round : c.rounds) rates.push_back(round.votes_per_s);
    json_object json;
    json.add("instances", std::uint64_t{c.instances})
        .add("store", c.store)
        .add("burst_ms_median", burst)
        .add("chair_sees_all_ms_median", tally)
        .add("votes_per_s_median", rate)
        .add("ack_p99_ms_median", ack_p99)
        .add("votes_per_s_ratio_vs_ref", ratio)
        .add("burst_ratio_vs_ref", reference_burst > 0 ? burst / reference_burst : 0.0)
        .add("failed", c.total(&round_figures::failed))
        .add("retried", c.total(&round_figures::retried))
        .add("cpu_ms_median", json_object()
                                  .add("bench", cpu_bench)
                                  .add("majlisd_all", cpu_instances)
                                  .add("redis", cpu_redis));
    std::vector<json_object> per_round;
    for (const auto& round : c.rounds) {
      json_object r;
      r.add("burst_ms", round.burst_ms).add("chair_sees_all_ms", round.tally_ms).add("votes_per_s", round.votes_per_s);
      per_round.push_back(r);
    }
    json.add("rounds", per_round);
    results.push_back(json);
  }

  json_object json;
  json.add("voters", std::uint64_t{options.voters})
      .add("rounds", std::uint64_t{options.rounds})
      .add("warmup_rounds", std::uint64_t{options.warmup_rounds})
      .add("poll", options.secret ? "secret" : "named_live")
      .add("results", results);
  return json;
}

}  // namespace majlis::bench

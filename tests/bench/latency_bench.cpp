#include "latency_bench.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "bench_meeting.hpp"

namespace majlis::bench {
namespace {

using namespace std::chrono_literals;

// The producer renames itself to "t:<steady ns at send>": every command is one ParticipantUpdated
// event that carries its own send time, and a name may change any number of times (no domain
// limit is reached however long the run). The steady clock is shared by every process here.
constexpr std::string_view stamp_prefix = "t:";

v1::Command stamped_rename(std::int64_t sent_ns) {
  v1::Command command;
  command.mutable_update_participant()->set_display_name(std::string(stamp_prefix) + std::to_string(sent_ns));
  return command;
}

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// What one store's run measured, for the side-by-side table.
struct latency_figures {
  distribution ack;   // send → ok result on A
  distribution on_a;  // send → client on A
  distribution on_b;  // send → client on B (= A with one instance)
  double cpu_us_per_event_a = -1;
};

// What one receiving client saw of the producer's events sent inside the measured window.
struct receiver_samples {
  std::vector<std::int64_t> send_to_receive_ns;  // steady clock: send → batch handled
  std::vector<std::int64_t> decide_to_receive_ns;  // wall clock, event.at_ms (1 ms resolution)
};

class latency_run {
 public:
  latency_run(asio::io_context& io, const bench_cluster& cluster, const latency_options& options)
      : io_(io), cluster_(cluster), options_(options) {
    const auto& a = cluster_.endpoint(0);
    client::http_api_config http_config;
    http_config.host = a.host;
    http_config.port = a.port;
    http_config.admin_key = cluster_.admin_key();
    http_ = std::make_unique<client::http_api>(io_.get_executor(), http_config);
    chair_ = std::make_unique<client::meeting_client>(io_.get_executor(), bench_client_config());
    producer_ = std::make_unique<client::meeting_client>(io_.get_executor(), bench_client_config());
    receiver_a_ = std::make_unique<client::meeting_client>(io_.get_executor(), bench_client_config());
    receiver_b_ = std::make_unique<client::meeting_client>(io_.get_executor(), bench_client_config());
    receiver_a_->on_events(recorder(on_a_));
    receiver_b_->on_events(recorder(on_b_));
  }

  asio::awaitable<void> run() {
    co_await set_up();
    cpu_start_ = cluster_.cpu_used();
    co_await produce();
    co_await settle();
    cpu_end_ = cluster_.cpu_used();
  }

  json_object report(latency_figures& out) {
    const double seconds = options_.seconds;
    auto ack = summarize_ns(ack_ns_);
    auto on_a = summarize_ns(on_a_.send_to_receive_ns);
    auto on_b = summarize_ns(on_b_.send_to_receive_ns);
    auto decide_b = summarize_ns(on_b_.decide_to_receive_ns);
    const bool one_instance = cluster_.size() == 1;

    std::printf("  sent %llu in the window (%.1f/s), ok %llu (%.1f/s), failed %llu, skipped %llu (in-flight cap)\n",
                static_cast<unsigned long long>(sent_in_window_), double(sent_in_window_) / seconds,
                static_cast<unsigned long long>(ok_in_window_), double(ok_in_window_) / seconds,
                static_cast<unsigned long long>(failed_), static_cast<unsigned long long>(skipped_));
    std::printf("  command on A, send → ok result     : %s\n", describe_ms(ack).c_str());
    std::printf("  send → client on A (same instance) : %s\n", describe_ms(on_a).c_str());
    std::printf("  send → client on B (%s): %s\n", one_instance ? "= A, 1 instance" : "other instance",
                describe_ms(on_b).c_str());
    std::printf("  decide → client on B (at_ms, 1 ms resolution): %s\n", describe_ms(decide_b).c_str());
    std::printf("  received on B: %zu of %llu acknowledged (%.1f events/s)\n", on_b.count,
                static_cast<unsigned long long>(ok_in_window_), double(on_b.count) / seconds);
    if (on_b.count != ok_in_window_ || on_a.count != ok_in_window_) {
      std::printf("  WARNING: receivers saw %zu (A) and %zu (B) of %llu acknowledged events\n", on_a.count,
                  on_b.count, static_cast<unsigned long long>(ok_in_window_));
    }

    // CPU per event over the whole run (warm-up included), to compare with DESIGN §9.
    const double events = options_.rate * (options_.seconds + options_.warmup_seconds);
    auto per_event_us = [&](double before, double after) {
      return before < 0 || after < 0 ? -1.0 : (after - before) * 1e6 / events;
    };
    json_object cpu;
    std::string cpu_line = "  CPU per event (µs): bench " + format_us(per_event_us(cpu_start_.bench, cpu_end_.bench));
    cpu.add("bench", per_event_us(cpu_start_.bench, cpu_end_.bench));
    for (std::size_t i = 0; i < cpu_end_.instances.size() && i < cpu_start_.instances.size(); ++i) {
      const double us = per_event_us(cpu_start_.instances[i], cpu_end_.instances[i]);
      cpu_line += ", majlisd " + std::to_string(i + 1) + " " + format_us(us);
      cpu.add("majlisd_" + std::to_string(i + 1), us);
    }
    out.ack = ack;
    out.on_a = on_a;
    out.on_b = on_b;
    if (!cpu_end_.instances.empty() && !cpu_start_.instances.empty()) {
      out.cpu_us_per_event_a = per_event_us(cpu_start_.instances[0], cpu_end_.instances[0]);
    }
    const double redis_us = per_event_us(cpu_start_.redis, cpu_end_.redis);
    cpu_line += ", redis " + format_us(redis_us);
    cpu.add("redis", redis_us);
    std::printf("%s\n", cpu_line.c_str());

    json_object json;
    json.add("target_rate", options_.rate)
        .add("roster_walk_ins", std::uint64_t{options_.roster})
        .add("seconds", seconds)
        .add("sent_rate", double(sent_in_window_) / seconds)
        .add("achieved_rate", double(on_b.count) / seconds)
        .add("ok", ok_in_window_)
        .add("failed", failed_)
        .add("skipped", skipped_)
        .add("ack_on_a", ack)
        .add("deliver_on_a", on_a)
        .add("deliver_on_b", on_b)
        .add("decide_to_b_ms_resolution", decide_b)
        .add("cpu_us_per_event", cpu);
    return json;
  }

 private:
  // Records, for each of the producer's events sent inside the window, how long it took to get
  // here. One clock reading per batch: its events arrived together.
  client::meeting_client::events_handler recorder(receiver_samples& into) {
    return [this, &into](const v1::EventBatch& batch, const client::state_mirror&) {
      const auto now_ns = steady_ns();
      const auto now_ms = system_ms();
      for (const auto& event : batch.events()) {
        if (!event.has_participant_updated()) continue;
        const auto& updated = event.participant_updated();
        const auto& name = updated.display_name();
        if (updated.participant_id() != producer_id_ || !name.starts_with(stamp_prefix)) continue;
        std::int64_t sent_ns = 0;
        const auto* digits = name.data() + stamp_prefix.size();
        if (std::from_chars(digits, name.data() + name.size(), sent_ns).ec != std::errc{}) continue;
        if (sent_ns < window_start_ns_ || sent_ns >= window_end_ns_) continue;
        into.send_to_receive_ns.push_back(now_ns - sent_ns);
        into.decide_to_receive_ns.push_back((now_ms - event.at_ms()) * 1'000'000);
      }
    };
  }

  asio::awaitable<void> set_up() {
    const auto& a = cluster_.endpoint(0);
    const auto& b = cluster_.endpoint(cluster_.size() > 1 ? 1 : 0);
    const auto meeting = co_await create_meeting(*http_, "majlis-bench latency");
    const auto producer_token = (co_await participant_token(*http_, meeting.id, "producer")).token;
    const auto receiver_a_token = (co_await participant_token(*http_, meeting.id, "receiver on A")).token;
    const auto receiver_b_token = (co_await participant_token(*http_, meeting.id, "receiver on B")).token;
    co_await connect_and_join(*chair_, a, meeting.id, meeting.moderator_token, "chair");
    co_await must(*chair_, start_meeting(), "start the meeting");
    // People in the room without a device: they make the state as big as a real meeting's
    // without adding connections to deliver to.
    co_await for_each_bounded(
        options_.roster, 16,
        [this](std::size_t i) -> asio::awaitable<void> {
          v1::Command command;
          command.mutable_add_walk_in()->set_display_name("walk-in " + std::to_string(i + 1));
          co_await must(*chair_, std::move(command), "add a walk-in");
        },
        300s);
    co_await connect_and_join(*receiver_a_, a, meeting.id, receiver_a_token, "receiver on A");
    co_await connect_and_join(*receiver_b_, b, meeting.id, receiver_b_token, "receiver on B");
    co_await connect_and_join(*producer_, a, meeting.id, producer_token, "producer");
    producer_id_ = producer_->viewer().participant_id();
    require(!producer_id_.empty(), "the producer's Welcome names no participant");
  }

  static v1::Command start_meeting() {
    v1::Command command;
    command.mutable_start_meeting();
    return command;
  }

  // Open loop: command k is due at start + k/rate, whatever happened to the ones before it.
  asio::awaitable<void> produce() {
    const auto period = std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 / options_.rate));
    const auto total = static_cast<std::uint64_t>(std::llround(options_.rate * (options_.warmup_seconds + options_.seconds)));
    const auto start = steady::now();
    window_start_ns_ = steady_ns() + static_cast<std::int64_t>(options_.warmup_seconds * 1e9);
    window_end_ns_ = window_start_ns_ + static_cast<std::int64_t>(options_.seconds * 1e9);
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    for (std::uint64_t k = 0; k < total; ++k) {
      const auto due = start + period * k;
      if (steady::now() < due) {
        timer.expires_at(due);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      if (k % 256 == 0) check_interrupted();
      if (in_flight_ >= options_.max_in_flight) {
        ++skipped_;
        continue;
      }
      ++in_flight_;
      asio::co_spawn(executor, send_one(), [this](std::exception_ptr error) {
        --in_flight_;
        if (error) ++failed_;
      });
    }
  }

  asio::awaitable<void> send_one() {
    const auto sent = steady_ns();
    const bool in_window = sent >= window_start_ns_ && sent < window_end_ns_;
    if (in_window) ++sent_in_window_;
    const auto result = co_await producer_->send(stamped_rename(sent));
    if (!result.ok()) {
      ++failed_;
      if (first_failure_.empty()) first_failure_ = describe(result);
      co_return;
    }
    last_seq_ = std::max(last_seq_, result.seq());
    if (in_window) {
      ++ok_in_window_;
      ack_ns_.push_back(steady_ns() - sent);
    }
  }

  // Every result back, then both receivers at the last acknowledged seq.
  asio::awaitable<void> settle() {
    const auto deadline = steady::now() + 30s;
    while (in_flight_ > 0 && steady::now() < deadline) co_await sleep_for(5ms);
    require(in_flight_ == 0, std::to_string(in_flight_) + " commands still without a result after 30 s");
    require(failed_ == 0 || ok_in_window_ > 0, "every command failed: " + first_failure_);
    if (failed_ > 0) std::printf("  note: %llu commands failed, first: %s\n",
                                 static_cast<unsigned long long>(failed_), first_failure_.c_str());
    for (auto* receiver : {receiver_a_.get(), receiver_b_.get()}) {
      const bool reached = co_await receiver->wait_for_seq(last_seq_, 20s);
      require(reached, "a receiver did not reach seq " + std::to_string(last_seq_) + " (status " +
                           client::to_string(receiver->status()) + ", at " +
                           std::to_string(receiver->mirror().seq()) + ")");
    }
  }

  static std::string format_us(double us) {
    if (us < 0) return "?";
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", us);
    return text;
  }

  asio::io_context& io_;
  const bench_cluster& cluster_;
  latency_options options_;
  bench_cluster::cpu_seconds cpu_start_;
  bench_cluster::cpu_seconds cpu_end_;
  std::unique_ptr<client::http_api> http_;
  std::unique_ptr<client::meeting_client> chair_;
  std::unique_ptr<client::meeting_client> producer_;
  std::unique_ptr<client::meeting_client> receiver_a_;
  std::unique_ptr<client::meeting_client> receiver_b_;
  std::string producer_id_;
  std::int64_t window_start_ns_ = 0;
  std::int64_t window_end_ns_ = 0;
  std::uint64_t sent_in_window_ = 0;
  std::uint64_t ok_in_window_ = 0;
  std::uint64_t failed_ = 0;
  std::uint64_t skipped_ = 0;
  std::size_t in_flight_ = 0;
  std::uint64_t last_seq_ = 0;
  std::string first_failure_;
  std::vector<std::int64_t> ack_ns_;
  receiver_samples on_a_;
  receiver_samples on_b_;
};


// The figures of one store's run that the side-by-side table compares.
struct store_run {
  std::string store;
  std::size_t instances = 0;
  latency_figures figures;
};

store_run run_one(const cluster_options& base, const latency_options& options, store_kind kind,
                  std::vector<json_object>& results) {
  cluster_options cluster_options = base;
  cluster_options.store = kind;
  bench_cluster cluster(cluster_options, single_instance(kind) ? 1 : options.instances);
  std::printf("latency: %s; one meeting (%zu walk-ins on the roster); target %.0f events/s for %.1f s "
              "after %.1f s of warm-up\n",
              cluster.describe().c_str(), options.roster, options.rate, options.seconds, options.warmup_seconds);
  std::fflush(stdout);

  store_run run_figures{cluster.store(), cluster.size(), {}};
  json_object json;
  {
    asio::io_context io;
    latency_run run(io, cluster, options);
    const auto limit = std::chrono::milliseconds(
        static_cast<std::int64_t>((options.seconds + options.warmup_seconds) * 1000) + 120'000);
    run_scenario(io, [&run] { return run.run(); }, limit);
    json = run.report(run_figures.figures);
  }
  json.add("instances", std::uint64_t{cluster.size()})
      .add("store", cluster.store())
      .add("fsync_probe_ms", cluster.fsync_ms());
  results.push_back(json);
  return run_figures;
}

double ratio(double value, double reference) { return reference > 0 ? value / reference : 0; }

}  // namespace

json_object run_latency(const cluster_options& cluster_options, const latency_options& options) {
  require(options.rate > 0 && options.rate <= 100000, "--rate must be in (0, 100000]");
  require(options.seconds > 0 && options.seconds <= 3600, "--seconds must be in (0, 3600]");
  require(options.warmup_seconds >= 0 && options.warmup_seconds <= 600, "--warmup must be in [0, 600]");
  require(!options.stores.empty(), "no store to run");

  std::vector<json_object> results;
  std::vector<store_run> runs;
  for (const auto kind : options.stores) {
    check_interrupted();
    runs.push_back(run_one(cluster_options, options, kind, results));
    std::printf("\n");
  }

  // The reference: the in-memory store, else the first run.
  const auto found = std::find_if(runs.begin(), runs.end(), [](const store_run& r) { return r.store == "memory"; });
  const store_run& reference = found != runs.end() ? *found : runs.front();
  const auto& ref = reference.figures;
  std::printf("latency at %.0f events/s, side by side (ms; ×ref = p50 / the p50 on %s):\n", options.rate,
              reference.store.c_str());
  std::printf("  store          instances  send → result on A      ×ref   send → client on A      ×ref   "
              "send → client on B      CPU µs/event majlisd A\n");
  for (const auto& r : runs) {
    const auto& f = r.figures;
    std::printf("  %-13s  %9zu  p50 %6.3f p99 %6.3f  %5.2f  p50 %6.3f p99 %6.3f  %5.2f  ",
                r.store.c_str(), r.instances, f.ack.p50_us / 1000, f.ack.p99_us / 1000,
                ratio(f.ack.p50_us, ref.ack.p50_us), f.on_a.p50_us / 1000, f.on_a.p99_us / 1000,
                ratio(f.on_a.p50_us, ref.on_a.p50_us));
    if (r.instances > 1) {
      std::printf("p50 %6.3f p99 %6.3f  ", f.on_b.p50_us / 1000, f.on_b.p99_us / 1000);
    } else {
      std::printf("%-22s  ", "—");
    }
    std::printf("%.1f\n", f.cpu_us_per_event_a);
  }
  std::fflush(stdout);

  json_object json;
  json.add("reference", reference.store).add("results", results);
  return json;
}

}  // namespace majlis::bench

#include "joins_bench.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "bench_meeting.hpp"
#include "light_voter.hpp"

namespace majlis::bench {
namespace {

using namespace std::chrono_literals;

// One storm. Times are from the moment the first Join is sent, in ms.
struct storm_figures {
  std::size_t clients = 0;
  double tokens_ms = 0;          // issuing every token over HTTP (set-up, not the storm)
  double connect_ms = 0;         // opening every WebSocket (set-up, not the storm)
  double last_welcome_ms = 0;    // → the last Welcome
  double settled_ms = 0;         // → majlisd idle again (presence events delivered)
  distribution welcome;          // each client: its Join sent → its Welcome
  std::uint64_t welcomed = 0;
  std::uint64_t failed = 0;
  std::string first_failure;
  double welcome_mib = 0;        // all Welcome frames together
  double largest_welcome_kib = 0;
  double cpu_majlisd_to_last_welcome_s = -1;  // /proc/PID/stat, 10 ms ticks
  double cpu_majlisd_to_settled_s = -1;
  double cpu_bench_to_last_welcome_s = -1;
  double cpu_bench_to_settled_s = -1;
  std::uint64_t frames_read = 0;  // by every client until settled (Welcome excluded)
  long online = -1;               // the meeting summary's count once settled (+ audience)
  // The chair renames the meeting right after the last Welcome: → every client holds that event.
  double after_storm_event_ms = -1;
  std::uint64_t after_storm_missing = 0;  // clients that never saw it
  double rss_mib = -1;                    // majlisd once settled
  std::uint64_t seq = 0;
};

double bench_cpu_seconds() {
  rusage self{};
  if (::getrusage(RUSAGE_SELF, &self) != 0) return -1;
  return double(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
         double(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
}

// VmRSS of a process, in MiB; -1 when it cannot be read.
double rss_mib(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return -1;
}

double ms_since(steady::time_point start) {
  return std::chrono::duration<double, std::milli>(steady::now() - start).count();
}

// A number after "key": in a flat JSON body; -1 when it is not there.
long json_number(const std::string& body, const std::string& key) {
  const auto at = body.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::strtol(body.c_str() + at + key.size() + 3, nullptr, 10);
}

class storm_run {
 public:
  storm_run(asio::io_context& io, const bench_cluster& cluster, const joins_options& options, std::size_t clients)
      : io_(io), cluster_(cluster), options_(options), clients_(clients) {
    client::http_api_config http_config;
    http_config.host = cluster_.endpoint(0).host;
    http_config.port = cluster_.endpoint(0).port;
    http_config.admin_key = cluster_.admin_key();
    http_config.timeout = 30s;
    http_ = std::make_unique<client::http_api>(io_.get_executor(), http_config);
  }

  ~storm_run() {
    // Their read loops keep them alive until the io_context goes; close the sockets now.
    for (auto& voter : voters_) voter->close();
    if (chair_) chair_->close();
  }

  asio::awaitable<void> run() {
    co_await set_up();
    co_await storm();
    co_await settle();
  }

  const storm_figures& figures() const { return figures_; }

 private:
  asio::awaitable<void> set_up() {
    figures_.clients = clients_;
    // No chair: the meeting stays scheduled (joining needs no start), so every roster place is a joiner's.
    const auto meeting = co_await create_meeting(*http_, "majlis-bench joins");
    meeting_id_ = meeting.id;

    const auto tokens_start = steady::now();
    tokens_.resize(options_.distinct ? clients_ : std::min(clients_, options_.people));
    // A member, not a capture: GCC 12 destroys a coroutine lambda's string capture twice.
    token_role_ = options_.distinct ? "observer" : "participant";
    co_await for_each_bounded(
        tokens_.size(), options_.token_parallel,
        [this](std::size_t i) -> asio::awaitable<void> {
          tokens_[i] = (co_await participant_token(*http_, meeting_id_, "joiner " + std::to_string(i + 1), token_role_)).token;
        },
        600s);
    // The chair, joined before the storm: sends the event that must not wait behind it.
    chair_ = std::make_shared<light_voter>(io_.get_executor());
    co_await chair_->join(cluster_.endpoint(0), meeting_id_, meeting.moderator_token, 60s);
    figures_.tokens_ms = ms_since(tokens_start);

    const auto connect_start = steady::now();
    for (std::size_t i = 0; i < clients_; ++i) voters_.push_back(std::make_shared<light_voter>(io_.get_executor()));
    co_await for_each_bounded(
        clients_, options_.connect_parallel,
        [this](std::size_t i) -> asio::awaitable<void> { co_await voters_[i]->connect(cluster_.endpoint(0), 60s); },
        600s);
    figures_.connect_ms = ms_since(connect_start);
    std::printf("    %zu people (tokens in %.0f ms), %zu WebSockets open in %.0f ms\n", tokens_.size(),
                figures_.tokens_ms, clients_, figures_.connect_ms);
    std::fflush(stdout);
  }

  asio::awaitable<void> storm() {
    const auto executor = co_await asio::this_coro::executor;
    auto pending = std::make_shared<countdown>(executor, clients_);
    std::vector<std::int64_t> welcome_ns;
    welcome_ns.reserve(clients_);
    std::int64_t last_welcome_ns = 0;

    const pid_t pid = cluster_.instance_pid(0);
    cpu_majlisd_before_ = stat_cpu_seconds(pid);
    cpu_bench_before_ = bench_cpu_seconds();
    start_ = steady::now();
    const auto first_join_ns = steady_ns();
    // Every Join is on its way before any Welcome is read.
    for (std::size_t i = 0; i < clients_; ++i) {
      asio::co_spawn(
          executor,
          [&, i]() -> asio::awaitable<void> {
            const auto sent_ns = steady_ns();
            co_await voters_[i]->send_join(meeting_id_, tokens_[i % tokens_.size()], 600s);
            const auto now_ns = steady_ns();
            welcome_ns.push_back(now_ns - sent_ns);
            last_welcome_ns = std::max(last_welcome_ns, now_ns);
            ++figures_.welcomed;
            figures_.welcome_mib += double(voters_[i]->welcome_bytes()) / (1024.0 * 1024.0);
            figures_.largest_welcome_kib =
                std::max(figures_.largest_welcome_kib, double(voters_[i]->welcome_bytes()) / 1024.0);
          },
          [&, pending](std::exception_ptr error) {
            if (error) {
              ++figures_.failed;
              if (figures_.first_failure.empty()) {
                try {
                  std::rethrow_exception(error);
                } catch (const std::exception& e) {
                  figures_.first_failure = e.what();
                }
              }
            }
            pending->done();
            // The moment the last one is in, before anything else runs.
            if (pending->remaining() == 0) {
              figures_.cpu_majlisd_to_last_welcome_s = stat_cpu_seconds(pid) - cpu_majlisd_before_;
              figures_.cpu_bench_to_last_welcome_s = bench_cpu_seconds() - cpu_bench_before_;
            }
          });
    }
    const bool all_back = co_await pending->wait(steady::now() + 600s);
    require(all_back, std::to_string(pending->remaining()) + " clients without a Welcome or an error after 600 s");
    require(figures_.welcomed > 0, "no client got a Welcome: " + figures_.first_failure);
    figures_.last_welcome_ms = double(last_welcome_ns - first_join_ns) / 1e6;
    figures_.welcome = summarize_ns(welcome_ns);
    co_await event_after_storm();
  }

  // The chair renames the meeting the moment the storm is over: how long until every client holds it.
  asio::awaitable<void> event_after_storm() {
    for (auto& voter : voters_) voter->watch_for_meeting_updated();
    v1::Command rename;
    rename.mutable_update_meeting()->set_title("majlis-bench joins, after the storm");
    const auto sent = steady::now();
    const auto result = co_await chair_->send(rename, 120s);
    require(result.ok(), "the rename after the storm failed: " + describe(result));
    const auto deadline = steady::now() + 120s;
    for (;;) {
      std::size_t missing = 0;
      steady::time_point last = sent;
      for (const auto& voter : voters_) {
        if (!voter->open()) continue;
        if (!voter->saw_meeting_updated()) ++missing;
        else last = std::max(last, voter->meeting_updated_at());
      }
      figures_.after_storm_missing = missing;
      if (missing == 0) {
        figures_.after_storm_event_ms = std::chrono::duration<double, std::milli>(last - sent).count();
        break;
      }
      if (steady::now() >= deadline) break;
      co_await sleep_for(5ms);
    }
  }

  // majlisd keeps working after the last Welcome: every join is an "opened" event for everyone
  // already in. Settled = every person online in the meeting's summary, and two 250 ms samples in
  // a row in which majlisd used under 5% of a core.
  asio::awaitable<void> settle() {
    const pid_t pid = cluster_.instance_pid(0);
    const auto deadline = steady::now() + 300s;
    double previous = stat_cpu_seconds(pid);
    int quiet_samples = 0;
    for (;;) {
      co_await sleep_for(250ms);
      const double now = stat_cpu_seconds(pid);
      quiet_samples = now - previous < 0.0125 ? quiet_samples + 1 : 0;
      previous = now;
      if (steady::now() >= deadline) break;
      if (quiet_samples < 2) continue;
      const auto summary = co_await http_->meeting_summary(meeting_id_);
      if (summary.ok()) {
        figures_.online = json_number(summary.body, "online") - 1;  // the chair is not a joiner
        if (options_.distinct) figures_.online += std::max(0L, json_number(summary.body, "audience"));
        figures_.seq = static_cast<std::uint64_t>(std::max(0L, json_number(summary.body, "seq")));
      }
      if (figures_.online >= static_cast<long>(tokens_.size())) break;
      quiet_samples = 0;
    }
    // The settling samples themselves are not part of the work.
    figures_.settled_ms = ms_since(start_) - 500.0;
    figures_.cpu_majlisd_to_settled_s = previous - cpu_majlisd_before_;
    figures_.cpu_bench_to_settled_s = bench_cpu_seconds() - cpu_bench_before_;
    figures_.rss_mib = rss_mib(pid);
    for (const auto& voter : voters_) figures_.frames_read += voter->frames_read();
    std::printf("    majlisd: %s\n", (co_await server_counters(*http_)).c_str());
  }

  asio::io_context& io_;
  const bench_cluster& cluster_;
  joins_options options_;
  std::size_t clients_;
  std::unique_ptr<client::http_api> http_;
  std::vector<std::shared_ptr<light_voter>> voters_;
  std::shared_ptr<light_voter> chair_;
  std::string token_role_;
  std::vector<std::string> tokens_;
  std::string meeting_id_;
  steady::time_point start_;
  double cpu_majlisd_before_ = -1;
  double cpu_bench_before_ = -1;
  storm_figures figures_;
};

storm_figures run_storm(const cluster_options& base, const joins_options& options, std::size_t clients) {
  cluster_options cluster_options = base;
  cluster_options.store = options.store;
  // Room for every client (and HTTP calls), and no timeout while they wait.
  cluster_options.extra_args = {"--max-connections",
                                std::to_string(std::max<std::size_t>(20000, clients + 256)),
                                "--max-connections-per-meeting",
                                std::to_string(std::max<std::size_t>(10000, clients + 16)),
                                "--join-timeout-ms",
                                "600000",
                                "--idle-timeout-ms",
                                "600000",
                                // Beyond --people, clients are further devices of the same people.
                                "--max-connections-per-participant",
                                std::to_string(std::clamp<std::size_t>(
                                    (clients + options.people - 1) / options.people, 5, 100))};
  bench_cluster cluster(cluster_options, 1);
  std::printf("  %zu clients: %s\n", clients, cluster.describe().c_str());
  std::fflush(stdout);
  storm_figures figures;
  {
    asio::io_context io;
    storm_run run(io, cluster, options, clients);
    run_scenario(io, [&run] { return run.run(); }, std::chrono::minutes(40));
    figures = run.figures();
  }
  std::printf("    last Welcome at %.0f ms (each: %s); %llu welcomed, %llu failed%s%s\n", figures.last_welcome_ms,
              describe_ms(figures.welcome).c_str(), static_cast<unsigned long long>(figures.welcomed),
              static_cast<unsigned long long>(figures.failed), figures.first_failure.empty() ? "" : ", first: ",
              figures.first_failure.c_str());
  std::printf("    Welcomes %.1f MiB in all, largest %.1f KiB; majlisd CPU %.2f s to the last Welcome, %.2f s until "
              "settled at %.0f ms; bench CPU %.2f s to the last Welcome, %.2f s until settled; %llu frames read after the Welcomes; "
              "online %ld, seq %llu\n",
              figures.welcome_mib, figures.largest_welcome_kib, figures.cpu_majlisd_to_last_welcome_s,
              figures.cpu_majlisd_to_settled_s, figures.settled_ms, figures.cpu_bench_to_last_welcome_s,
              figures.cpu_bench_to_settled_s, static_cast<unsigned long long>(figures.frames_read), figures.online,
              static_cast<unsigned long long>(figures.seq));
  std::printf("    the chair's rename after the storm reached every client in %.0f ms (%llu never saw it); majlisd RSS "
              "%.1f MiB once settled\n",
              figures.after_storm_event_ms, static_cast<unsigned long long>(figures.after_storm_missing), figures.rss_mib);
  std::fflush(stdout);
  return figures;
}

}  // namespace

void raise_open_file_limit(std::size_t connections) {
  // Each connection is a socket here and one in majlisd, which inherits this limit.
  const auto wanted = static_cast<rlim_t>(connections + 1024);
  rlimit limit{};
  require(::getrlimit(RLIMIT_NOFILE, &limit) == 0, "getrlimit(RLIMIT_NOFILE) failed");
  if (limit.rlim_cur >= wanted) return;
  rlimit raised = limit;
  raised.rlim_cur = wanted;
  raised.rlim_max = std::max(limit.rlim_max, wanted);
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) {
    throw bench_failure("cannot raise the open-file limit to " + std::to_string(wanted) + " (hard limit " +
                        std::to_string(limit.rlim_max) + "): run as root or raise `ulimit -Hn`");
  }
}

json_object run_joins(const cluster_options& cluster, const joins_options& options) {
  require(!options.client_counts.empty(), "no client count to run");
  require(options.runs >= 1 && options.runs <= 20, "--runs must be in [1, 20]");
  require(cluster.servers.empty(), "joins starts its own majlisd (it reads its CPU time): drop --server");
  const auto largest = *std::max_element(options.client_counts.begin(), options.client_counts.end());
  for (const auto n : options.client_counts) require(n >= 1 && n <= 60000, "--clients must be in [1, 60000]");
  require(options.people >= 1 && options.people <= 5000, "--people must be in [1, 5000] (the roster's limit)");
  raise_open_file_limit(largest);

  if (options.distinct) {
    std::printf("joins: light clients open their WebSockets, then all send Join at once to one (scheduled) meeting; "
                "every client a distinct observer with a token of its own; %zu run(s) per count, fresh majlisd "
                "each, %s store\n",
                options.runs, std::string(store_name(options.store)).c_str());
  } else {
    std::printf("joins: light clients open their WebSockets, then all send Join at once to one (scheduled) meeting; "
                "at most %zu people, more clients are their further devices; %zu run(s) per count, fresh majlisd "
                "each, %s store\n",
                options.people, options.runs, std::string(store_name(options.store)).c_str());
  }
  std::fflush(stdout);

  std::vector<json_object> results;
  std::vector<std::vector<storm_figures>> all(options.client_counts.size());
  for (std::size_t run = 0; run < options.runs; ++run) {
    for (std::size_t c = 0; c < options.client_counts.size(); ++c) {
      check_interrupted();
      all[c].push_back(run_storm(cluster, options, options.client_counts[c]));
    }
  }

  std::printf("\n  medians over %zu run(s):\n", options.runs);
  std::printf("  clients  last Welcome ms  Welcome p50/p99 ms  settled ms  majlisd CPU s to last Welcome / settled  "
              "Welcome MiB  failed  event after storm ms  RSS MiB\n");
  for (std::size_t c = 0; c < options.client_counts.size(); ++c) {
    auto median_of = [&](auto field) {
      std::vector<double> values;
      for (const auto& f : all[c]) values.push_back(field(f));
      return median(values);
    };
    const double last = median_of([](const storm_figures& f) { return f.last_welcome_ms; });
    const double p50 = median_of([](const storm_figures& f) { return f.welcome.p50_us / 1000; });
    const double p99 = median_of([](const storm_figures& f) { return f.welcome.p99_us / 1000; });
    const double settled = median_of([](const storm_figures& f) { return f.settled_ms; });
    const double cpu_last = median_of([](const storm_figures& f) { return f.cpu_majlisd_to_last_welcome_s; });
    const double cpu_settled = median_of([](const storm_figures& f) { return f.cpu_majlisd_to_settled_s; });
    const double mib = median_of([](const storm_figures& f) { return f.welcome_mib; });
    const double bench_cpu = median_of([](const storm_figures& f) { return f.cpu_bench_to_last_welcome_s; });
    std::uint64_t failed = 0;
    for (const auto& f : all[c]) failed += f.failed;
    const double after = median_of([](const storm_figures& f) { return f.after_storm_event_ms; });
    const double rss = median_of([](const storm_figures& f) { return f.rss_mib; });
    std::printf("  %7zu  %15.0f  %8.0f / %7.0f  %10.0f  %17.2f / %.2f  %21.1f  %6llu  %20.0f  %7.1f\n",
                options.client_counts[c], last, p50, p99, settled, cpu_last, cpu_settled, mib,
                static_cast<unsigned long long>(failed), after, rss);
    std::vector<json_object> runs;
    for (const auto& f : all[c]) {
      json_object r;
      r.add("last_welcome_ms", f.last_welcome_ms)
          .add("settled_ms", f.settled_ms)
          .add("cpu_majlisd_to_last_welcome_s", f.cpu_majlisd_to_last_welcome_s)
          .add("cpu_majlisd_to_settled_s", f.cpu_majlisd_to_settled_s)
          .add("cpu_bench_to_settled_s", f.cpu_bench_to_settled_s)
          .add("welcome", f.welcome)
          .add("welcomed", f.welcomed)
          .add("failed", f.failed)
          .add("online", std::int64_t{f.online})
          .add("seq", f.seq)
          .add("tokens_ms", f.tokens_ms)
          .add("connect_ms", f.connect_ms)
          .add("frames_read", f.frames_read)
          .add("after_storm_event_ms", f.after_storm_event_ms)
          .add("after_storm_missing", f.after_storm_missing)
          .add("rss_mib", f.rss_mib);
      runs.push_back(r);
    }
    json_object json;
    json.add("clients", std::uint64_t{options.client_counts[c]})
        .add("people", std::uint64_t{options.distinct ? options.client_counts[c]
                                                      : std::min(options.client_counts[c], options.people)})
        .add("last_welcome_ms_median", last)
        .add("welcome_p50_ms_median", p50)
        .add("welcome_p99_ms_median", p99)
        .add("settled_ms_median", settled)
        .add("cpu_majlisd_to_last_welcome_s_median", cpu_last)
        .add("cpu_majlisd_to_settled_s_median", cpu_settled)
        .add("cpu_bench_to_last_welcome_s_median", bench_cpu)
        .add("welcome_mib_median", mib)
        .add("failed", failed)
        .add("after_storm_event_ms_median", after)
        .add("rss_mib_median", rss)
        .add("runs", runs);
    results.push_back(json);
  }
  std::fflush(stdout);

  json_object json;
  json.add("store", store_name(options.store))
      .add("people_max", std::uint64_t{options.people})
      .add("distinct", options.distinct)
      .add("client", "light (no mirror)")
      .add("results", results);
  return json;
}

}  // namespace majlis::bench

#include "restart_bench.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "bench_meeting.hpp"
#include "data_folder.hpp"

namespace majlis::bench {
namespace {

using namespace std::chrono_literals;

const char* stop_name(stop_kind kind) { return kind == stop_kind::term ? "SIGTERM" : "SIGKILL"; }

double ms_between(steady::time_point from, steady::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// One stop and start again. Times in ms.
struct restart_figures {
  double fill_ms = 0;              // sending the renames (before the stop)
  double fill_events_per_s = 0;    // renames acknowledged per second while filling
  std::uint64_t filled_seq = 0;    // the last acknowledged seq before the stop
  double stop_ms = 0;              // signal → process gone
  int exit_status = 0;             // of the stopped process (-1 = killed or unknown)
  double listening_ms = 0;         // fork → "listening" line of the new process
  double welcome_ms = 0;           // fork → Welcome for the first client to join the meeting
  std::uint64_t welcome_seq = 0;   // the seq the Welcome's snapshot is at
  double cpu_to_welcome_s = -1;    // the new majlisd's CPU until then (/proc/PID/stat)
  std::uint64_t database_bytes = 0;  // the data folder's files after the stop
};

// Fills a meeting on a running majlisd: creates it, starts it, and has `fill_clients` participants
// rename themselves until its seq reaches `events`. Returns the meeting, its moderator token
// and the last acknowledged seq.
class meeting_filler {
 public:
  meeting_filler(asio::io_context& io, const client::server_url& where, const restart_options& options)
      : io_(io), where_(where), options_(options) {
    client::http_api_config config;
    config.host = where.host;
    config.port = where.port;
    config.admin_key = testing::majlisd_process::admin_key;
    http_ = std::make_unique<client::http_api>(io_.get_executor(), config);
    for (std::size_t i = 0; i < options_.fill_clients + 1; ++i) {
      clients_.push_back(std::make_unique<client::meeting_client>(io_.get_executor(), bench_client_config()));
    }
  }

  asio::awaitable<void> run() {
    const auto meeting = co_await create_meeting(*http_, "majlis-bench restart");
    meeting_ = meeting;
    auto& chair = *clients_.front();
    co_await connect_and_join(chair, where_, meeting.id, meeting.moderator_token, "chair");
    v1::Command start;
    start.mutable_start_meeting();
    last_seq_ = co_await must(chair, std::move(start), "start the meeting");
    for (std::size_t i = 1; i < clients_.size(); ++i) {
      const auto name = "filler " + std::to_string(i);
      const auto issued = co_await participant_token(*http_, meeting.id, name);
      co_await connect_and_join(*clients_[i], where_, meeting.id, issued.token, name);
    }
    last_seq_ = std::max(last_seq_, chair.mirror().seq());
    const std::size_t sends = options_.events > last_seq_ ? options_.events - last_seq_ : 0;
    sends_ = sends;
    const auto fill_start = steady::now();
    // Every rename is one event; the clients keep many in flight so commits can be grouped.
    co_await for_each_bounded(
        sends, options_.fill_clients * options_.fill_in_flight,
        [this](std::size_t k) -> asio::awaitable<void> {
          auto& who = *clients_[1 + k % options_.fill_clients];
          v1::Command rename;
          rename.mutable_update_participant()->set_display_name("filler r" + std::to_string(k));
          last_seq_ = std::max(last_seq_, co_await must(who, std::move(rename), "rename"));
          if (k % 512 == 0) check_interrupted();
        },
        900s);
    fill_ms_ = ms_between(fill_start, steady::now());
    for (auto& c : clients_) co_await c->close();
  }

  const bench_meeting& meeting() const { return meeting_; }
  std::uint64_t last_seq() const { return last_seq_; }
  double fill_ms() const { return fill_ms_; }
  std::size_t sends() const { return sends_; }

 private:
  asio::io_context& io_;
  client::server_url where_;
  restart_options options_;
  std::unique_ptr<client::http_api> http_;
  std::vector<std::unique_ptr<client::meeting_client>> clients_;  // [0] is the chair
  bench_meeting meeting_;
  std::uint64_t last_seq_ = 0;
  double fill_ms_ = 0;
  std::size_t sends_ = 0;
};

std::uint64_t folder_bytes(const std::filesystem::path& folder) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder, ec)) {
    if (entry.is_regular_file(ec)) total += entry.file_size(ec);
  }
  return total;
}

std::vector<std::string> majlisd_arguments(const cluster_options& cluster, store_kind kind, const data_folder& folder) {
  std::vector<std::string> args = {"--instance-id",         "bench-restart",
                                   "--threads",             std::to_string(cluster.server_threads),
                                   "--commands-per-second", "100000",
                                   "--command-burst",       "100000"};
  for (auto& arg : store_arguments(kind, "", folder.path().string())) args.push_back(std::move(arg));
  args.insert(args.end(), cluster.extra_args.begin(), cluster.extra_args.end());
  return args;
}

restart_figures run_once(const cluster_options& cluster, const restart_options& options, store_kind kind,
                         stop_kind stop) {
  data_folder folder;
  const auto args = majlisd_arguments(cluster, kind, folder);
  restart_figures figures;
  bench_meeting meeting;
  {
    auto daemon = std::make_unique<testing::majlisd_process>(args);
    const client::server_url where{"127.0.0.1", daemon->port_string()};
    asio::io_context io;
    meeting_filler filler(io, where, options);
    run_scenario(io, [&filler] { return filler.run(); }, 960s);
    meeting = filler.meeting();
    figures.filled_seq = filler.last_seq();
    figures.fill_ms = filler.fill_ms();
    figures.fill_events_per_s = figures.fill_ms > 0 ? double(filler.sends()) / (figures.fill_ms / 1000) : 0;

    const auto stop_start = steady::now();
    if (stop == stop_kind::term) {
      figures.exit_status = daemon->stop(60s);
    } else {
      daemon->kill_now();
      figures.exit_status = -1;
    }
    figures.stop_ms = ms_between(stop_start, steady::now());
  }
  figures.database_bytes = folder_bytes(folder.path());

  const auto start = steady::now();
  testing::majlisd_process daemon(args);
  figures.listening_ms = ms_between(start, steady::now());
  const client::server_url where{"127.0.0.1", daemon.port_string()};
  asio::io_context io;
  client::meeting_client first(io.get_executor(), bench_client_config());
  run_scenario(
      io,
      [&]() -> asio::awaitable<void> {
        co_await connect_and_join(first, where, meeting.id, meeting.moderator_token, "first client");
        figures.welcome_ms = ms_between(start, steady::now());
        figures.cpu_to_welcome_s = stat_cpu_seconds(daemon.pid());
        figures.welcome_seq = first.mirror().seq();
        co_await first.close();
      },
      120s);
  daemon.stop();
  return figures;
}

}  // namespace

std::vector<stop_kind> parse_stops(const std::vector<std::string>& names) {
  std::vector<stop_kind> stops;
  for (const auto& name : names) {
    if (name == "term") {
      stops.push_back(stop_kind::term);
    } else if (name == "kill") {
      stops.push_back(stop_kind::kill);
    } else {
      throw std::invalid_argument("unknown stop \"" + name + "\" (term or kill)");
    }
  }
  return stops;
}

json_object run_restart(const cluster_options& cluster, const restart_options& options) {
  require(cluster.servers.empty() && cluster.redis_url.empty(), "restart starts its own majlisd on SQLite: drop --server and --redis");
  require(options.events >= 10 && options.events <= 1'000'000, "--events must be in [10, 1000000]");
  require(options.runs >= 1 && options.runs <= 20, "--runs must be in [1, 20]");
  require(options.fill_clients >= 1 && options.fill_clients <= 64, "--fill-clients must be in [1, 64]");
  require(!options.stores.empty() && !options.stops.empty(), "nothing to run");
  for (const auto kind : options.stores) {
    require(uses_data_dir(kind), "restart measures the SQLite store: sqlite-full or sqlite-normal, not " +
                                     std::string(store_name(kind)));
  }
  {
    data_folder probe;
    std::printf("restart: a meeting filled to seq %zu by %zu clients (%zu commands in flight each), stopped, started "
                "again; data folders under %s (%s; 4 KiB write + fdatasync: median %.2f ms); %zu run(s) each, fresh folder "
                "per run\n",
                options.events, options.fill_clients, options.fill_in_flight,
                probe.path().parent_path().string().c_str(), filesystem_type(probe.path().string()).c_str(),
                fsync_probe_ms(probe.path()), options.runs);
  }
  std::fflush(stdout);

  std::vector<json_object> results;
  std::printf("\n");
  struct row {
    std::string label;
    std::vector<restart_figures> runs;
  };
  std::vector<row> rows;
  for (const auto kind : options.stores) {
    for (const auto stop : options.stops) {
      row r{std::string(store_name(kind)) + ", " + stop_name(stop), {}};
      for (std::size_t i = 0; i < options.runs; ++i) {
        check_interrupted();
        const auto f = run_once(cluster, options, kind, stop);
        std::printf("  %-24s run %zu: filled to seq %llu in %.0f ms (%.0f events/s), %.1f MiB on disk; stop %.0f ms "
                    "(exit %d); start → listening %.0f ms, → Welcome %.0f ms (seq %llu%s), CPU %.2f s\n",
                    r.label.c_str(), i + 1, static_cast<unsigned long long>(f.filled_seq), f.fill_ms,
                    f.fill_events_per_s,
                    double(f.database_bytes) / (1024.0 * 1024.0), f.stop_ms, f.exit_status, f.listening_ms,
                    f.welcome_ms, static_cast<unsigned long long>(f.welcome_seq),
                    f.welcome_seq >= f.filled_seq ? "" : ", EVENTS LOST", f.cpu_to_welcome_s);
        std::fflush(stdout);
        r.runs.push_back(f);
      }
      rows.push_back(std::move(r));
    }
  }

  std::printf("\n  medians over %zu run(s), ms:\n", options.runs);
  std::printf("  %-24s  start → listening  start → first Welcome  stop  fill (events/s)  acknowledged events lost\n",
              "store, stop");
  for (const auto& r : rows) {
    auto median_of = [&](auto field) {
      std::vector<double> values;
      for (const auto& f : r.runs) values.push_back(field(f));
      return median(values);
    };
    const double listening = median_of([](const restart_figures& f) { return f.listening_ms; });
    const double welcome = median_of([](const restart_figures& f) { return f.welcome_ms; });
    const double stop = median_of([](const restart_figures& f) { return f.stop_ms; });
    const double fill_rate = median_of([](const restart_figures& f) { return f.fill_events_per_s; });
    const double cpu = median_of([](const restart_figures& f) { return f.cpu_to_welcome_s; });
    std::uint64_t lost = 0;
    for (const auto& f : r.runs) lost += f.welcome_seq >= f.filled_seq ? 0 : f.filled_seq - f.welcome_seq;
    std::printf("  %-24s  %17.0f  %21.0f  %4.0f  %15.0f  %llu\n", r.label.c_str(), listening, welcome, stop, fill_rate,
                static_cast<unsigned long long>(lost));
    std::vector<json_object> runs;
    for (const auto& f : r.runs) {
      json_object j;
      j.add("listening_ms", f.listening_ms)
          .add("welcome_ms", f.welcome_ms)
          .add("stop_ms", f.stop_ms)
          .add("exit_status", f.exit_status)
          .add("fill_ms", f.fill_ms)
          .add("filled_seq", f.filled_seq)
          .add("welcome_seq", f.welcome_seq)
          .add("cpu_to_welcome_s", f.cpu_to_welcome_s)
          .add("database_bytes", f.database_bytes);
      runs.push_back(j);
    }
    json_object json;
    json.add("case", r.label)
        .add("listening_ms_median", listening)
        .add("welcome_ms_median", welcome)
        .add("stop_ms_median", stop)
        .add("fill_events_per_s_median", fill_rate)
        .add("cpu_to_welcome_s_median", cpu)
        .add("events_lost", lost)
        .add("runs", runs);
    results.push_back(json);
  }
  std::fflush(stdout);

  json_object json;
  json.add("events", std::uint64_t{options.events}).add("results", results);
  return json;
}

}  // namespace majlis::bench

#include "bench_cluster.hpp"

#include <filesystem>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/resource.h>
#include <unistd.h>

namespace majlis::bench {

bench_cluster::bench_cluster(const cluster_options& options, std::size_t instances) {
  if (instances == 0) throw std::invalid_argument("at least one instance is needed");

  if (!options.servers.empty()) {
    if (instances > options.servers.size()) {
      throw std::invalid_argument("asked for " + std::to_string(instances) + " instances but only " +
                                  std::to_string(options.servers.size()) + " --server URLs were given");
    }
    for (std::size_t i = 0; i < instances; ++i) {
      auto url = client::parse_server_url(options.servers[i]);
      if (!url) throw std::invalid_argument("not a server URL: " + options.servers[i]);
      endpoints_.push_back(*url);
    }
    admin_key_ = options.admin_key;
    store_ = "external";
    description_ = std::to_string(instances) + " × majlisd (given with --server)";
    return;
  }

  if (single_instance(options.store) && instances != 1) {
    throw std::invalid_argument("the " + std::string(store_name(options.store)) + " store serves one instance only");
  }
  std::string redis_url = options.redis_url;
  if (options.store == store_kind::redis && redis_url.empty()) {
    redis_ = std::make_unique<testing::redis_server_process>();
    redis_url = redis_->url();
  }
  std::vector<std::string> data_dirs;
  // The load generator's connections send far more than a person would: lift the per-connection
  // command rate limit so it measures the server, not the token bucket.
  for (std::size_t i = 0; i < instances; ++i) {
    std::vector<std::string> args = {"--instance-id",         "bench-" + std::to_string(i + 1),
                                     "--threads",             std::to_string(options.server_threads),
                                     "--commands-per-second", "100000",
                                     "--command-burst",       "100000"};
    std::string data_dir;
    if (uses_data_dir(options.store)) {
      data_folders_.push_back(std::make_unique<data_folder>());
      data_dir = data_folders_.back()->path().string();
      data_dirs.push_back(data_dir);
    }
    for (auto& arg : store_arguments(options.store, redis_url, data_dir)) args.push_back(std::move(arg));
    args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
    daemons_.push_back(std::make_unique<testing::majlisd_process>(std::move(args)));
    endpoints_.push_back(client::server_url{"127.0.0.1", daemons_.back()->port_string()});
  }
  admin_key_ = testing::majlisd_process::admin_key;
  store_ = std::string(store_name(options.store));
  description_ = std::to_string(instances) + " × majlisd (started, --threads " +
                 std::to_string(options.server_threads) + ")";
  switch (options.store) {
    case store_kind::redis:
      description_ += redis_ ? " + redis-server (started)" : " + Redis at " + redis_url;
      break;
    case store_kind::memory:
      description_ += " on the in-memory store";
      break;
    case store_kind::sqlite_full:
    case store_kind::sqlite_normal: {
      fsync_ms_ = fsync_probe_ms(data_dirs.front());
      char probe[64];
      std::snprintf(probe, sizeof probe, "; 4 KiB write + fdatasync there: median %.2f ms", fsync_ms_);
      description_ += " on SQLite (--sync " +
                      std::string(options.store == store_kind::sqlite_full ? "full" : "normal") + ") in " +
                      data_dirs.front() + " (" + filesystem_type(data_dirs.front()) + probe + ")";
      break;
    }
  }
}

bench_cluster::~bench_cluster() { stop(); }

void bench_cluster::stop() {
  // Instances first: they are Redis's clients, and a Redis that vanishes first makes them log.
  while (!daemons_.empty()) {
    daemons_.back()->stop();
    daemons_.pop_back();
  }
  if (redis_) redis_->stop();
  redis_.reset();
  data_folders_.clear();
}

pid_t bench_cluster::instance_pid(std::size_t index) const {
  return index < daemons_.size() && daemons_[index]->running() ? daemons_[index]->pid() : -1;
}

namespace {

// Time on a CPU, summed over the process's threads (ns in /proc/<pid>/task/<tid>/schedstat): finer
// than the clock ticks of /proc/<pid>/stat, which a 20 ms burst would round to 0 or 10 ms.
double process_cpu_seconds(pid_t pid) {
  std::error_code ec;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  double total_ns = 0;
  bool any = false;
  for (const auto& task : std::filesystem::directory_iterator(tasks, ec)) {
    std::ifstream schedstat(task.path() / "schedstat");
    double on_cpu_ns = 0;
    if (schedstat >> on_cpu_ns) {
      total_ns += on_cpu_ns;
      any = true;
    }
  }
  return any ? total_ns / 1e9 : -1;
}

}  // namespace

double stat_cpu_seconds(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (pid <= 0 || !std::getline(file, text)) return -1;
  // The command name in parentheses may hold spaces: count fields after its closing one.
  const auto close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double utime = -1;
  double stime = -1;
  // Fields 3 … 15 of proc(5): state is 3, utime 14, stime 15.
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stod(field);
    if (index == 15) stime = std::stod(field);
  }
  if (utime < 0 || stime < 0) return -1;
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {

double info_field(const std::string& info, const std::string& name) {
  const auto at = info.find(name + ":");
  if (at == std::string::npos) return -1;
  return std::stod(info.substr(at + name.size() + 1));
}

}  // namespace

bench_cluster::cpu_seconds bench_cluster::cpu_used() const {
  cpu_seconds used;
  rusage self{};
  if (::getrusage(RUSAGE_SELF, &self) == 0) {
    used.bench = double(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                 double(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
  }
  for (const auto& daemon : daemons_) {
    used.instances.push_back(daemon->running() ? process_cpu_seconds(daemon->pid()) : -1);
  }
  if (redis_ && redis_->running()) {
    const auto info = redis_->command("INFO cpu", std::chrono::milliseconds(500));
    const double sys = info_field(info, "used_cpu_sys");
    const double user = info_field(info, "used_cpu_user");
    if (sys >= 0 && user >= 0) used.redis = sys + user;
  }
  return used;
}

std::string bench_cluster::describe() const { return description_; }
std::string bench_cluster::store() const { return store_; }

}  // namespace majlis::bench

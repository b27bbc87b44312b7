#include "bench_cluster.hpp"

#include <filesystem>
#include <fstream>
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

  if (options.embedded && instances != 1) {
    throw std::invalid_argument("the embedded store serves one instance only");
  }
  std::string redis_url = options.redis_url;
  if (!options.embedded && redis_url.empty()) {
    redis_ = std::make_unique<testing::redis_server_process>();
    redis_url = redis_->url();
  }
  // The load generator's connections send far more than a person would: lift the per-connection
  // command rate limit so it measures the server, not the token bucket.
  for (std::size_t i = 0; i < instances; ++i) {
    std::vector<std::string> args = {"--instance-id",         "bench-" + std::to_string(i + 1),
                                     "--threads",             std::to_string(options.server_threads),
                                     "--commands-per-second", "100000",
                                     "--command-burst",       "100000"};
    if (!options.embedded) {
      args.push_back("--redis");
      args.push_back(redis_url);
    }
    daemons_.push_back(std::make_unique<testing::majlisd_process>(std::move(args)));
    endpoints_.push_back(client::server_url{"127.0.0.1", daemons_.back()->port_string()});
  }
  admin_key_ = testing::majlisd_process::admin_key;
  store_ = options.embedded ? "embedded" : "redis";
  description_ = std::to_string(instances) + " × majlisd (started, --threads " +
                 std::to_string(options.server_threads) + ")";
  if (options.embedded) {
    description_ += " on the embedded store";
  } else {
    description_ += redis_ ? " + redis-server (started)" : " + Redis at " + redis_url;
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

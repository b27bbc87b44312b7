#include "bench_cluster.hpp"

#include <stdexcept>

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

std::string bench_cluster::describe() const { return description_; }
std::string bench_cluster::store() const { return store_; }

}  // namespace majlis::bench

// The servers a benchmark talks to: redis-server and N majlisd instances it starts on loopback
// (reusing the integration tests' process wrappers), or servers already running that the user
// names. Everything started here is stopped by the destructor, on errors too.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "bench_store.hpp"
#include "data_folder.hpp"
#include "majlis/client/server_url.hpp"
#include "majlisd_process.hpp"
#include "redis_server_process.hpp"

namespace majlis::bench {

struct cluster_options {
  std::string redis_url;             // an existing Redis for the instances started here; empty = start one
  std::vector<std::string> servers;  // existing majlisd base URLs; empty = start instances here
  std::string admin_key = testing::majlisd_process::admin_key;  // for existing servers
  int server_threads = 2;            // majlisd --threads for instances started here
  store_kind store = store_kind::redis;  // for instances started here; all but Redis serve one
  std::vector<std::string> extra_args;   // more majlisd flags for instances started here
};

// CPU time (user + system, seconds) of a process as /proc/<pid>/stat counts it, in clock ticks
// (10 ms): right for seconds-long phases. -1 when it cannot be read.
double stat_cpu_seconds(pid_t pid);

class bench_cluster {
 public:
  // Starts (or names) `instances` majlisd instances on the chosen store: sharing one Redis, or one
  // instance in memory or on SQLite in a fresh temporary data folder. Throws when something does
  // not start or the options ask for more existing servers than were given.
  bench_cluster(const cluster_options& options, std::size_t instances);
  ~bench_cluster();
  bench_cluster(const bench_cluster&) = delete;
  bench_cluster& operator=(const bench_cluster&) = delete;

  std::size_t size() const { return endpoints_.size(); }
  const client::server_url& endpoint(std::size_t index) const { return endpoints_.at(index); }
  const std::string& admin_key() const { return admin_key_; }
  // "2 × majlisd (started, --threads 2) + redis-server (started)" and the like.
  std::string describe() const;
  // "redis", "memory", "sqlite-full" or "sqlite-normal"; "external" for servers the user named.
  std::string store() const;
  // fsync_probe_ms() of the first data folder when the cluster started; -1 without SQLite.
  double fsync_ms() const { return fsync_ms_; }
  // The process id of an instance started here; -1 for servers given with --server.
  pid_t instance_pid(std::size_t index) const;

  // CPU time (user + system, seconds) used so far by this process and by the servers started
  // here; -1 for what cannot be read (servers given with --server or --redis).
  struct cpu_seconds {
    double bench = -1;
    std::vector<double> instances;
    double redis = -1;
  };
  cpu_seconds cpu_used() const;

  // Stops the instances, then Redis, then removes the data folders (the destructor does the same).
  void stop();

 private:
  std::unique_ptr<testing::redis_server_process> redis_;
  std::vector<std::unique_ptr<data_folder>> data_folders_;
  std::vector<std::unique_ptr<testing::majlisd_process>> daemons_;
  std::vector<client::server_url> endpoints_;
  std::string admin_key_;
  std::string description_;
  std::string store_;
  double fsync_ms_ = -1;
};

}  // namespace majlis::bench

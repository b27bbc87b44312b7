// Which store a majlisd started by the bench keeps its meetings in, and the command-line flags
// that select it. Every instance gets explicit flags: a majlisd started without them would open
// SQLite in ./data, shared by every instance and left behind.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace majlis::bench {

enum class store_kind {
  redis,          // --redis URL: shared by any number of instances
  memory,         // --store memory: the in-process log, lost on exit; one instance
  sqlite_full,    // --store sqlite --sync full: fsync at every commit; one instance per data dir
  sqlite_normal,  // --store sqlite --sync normal: WAL without fsync at commit; one instance per data dir
};

// "redis", "memory", "sqlite-full", "sqlite-normal".
std::string_view store_name(store_kind kind);
std::optional<store_kind> parse_store(std::string_view name);
// Parses a list given on the command line; throws std::invalid_argument naming a bad entry.
std::vector<store_kind> parse_stores(const std::vector<std::string>& names);

// True for the stores that serve a single instance (all but Redis).
bool single_instance(store_kind kind);
bool uses_data_dir(store_kind kind);

// The majlisd flags for `kind`: `redis_url` for Redis, `data_dir` (an existing folder) for SQLite.
// A majlisd built before the SQLite store has no --store flag; there "memory" means passing no
// store flag at all, and SQLite cannot be asked for (std::invalid_argument).
std::vector<std::string> store_arguments(store_kind kind, const std::string& redis_url,
                                         const std::string& data_dir);

// Whether the majlisd the bench starts knows --store (asks its --help once).
bool majlisd_has_store_flag();

}  // namespace majlis::bench

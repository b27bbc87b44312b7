#include "bench_store.hpp"

#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace majlis::bench {

std::string_view store_name(store_kind kind) {
  switch (kind) {
    case store_kind::redis: return "redis";
    case store_kind::memory: return "memory";
    case store_kind::sqlite_full: return "sqlite-full";
    case store_kind::sqlite_normal: return "sqlite-normal";
  }
  return "?";
}

std::optional<store_kind> parse_store(std::string_view name) {
  for (const auto kind : {store_kind::redis, store_kind::memory, store_kind::sqlite_full,
                          store_kind::sqlite_normal}) {
    if (name == store_name(kind)) return kind;
  }
  return std::nullopt;
}

std::vector<store_kind> parse_stores(const std::vector<std::string>& names) {
  std::vector<store_kind> kinds;
  for (const auto& name : names) {
    const auto kind = parse_store(name);
    if (!kind) {
      throw std::invalid_argument("unknown store \"" + name +
                                  "\" (redis, memory, sqlite-full or sqlite-normal)");
    }
    kinds.push_back(*kind);
  }
  return kinds;
}

bool single_instance(store_kind kind) { return kind != store_kind::redis; }

bool uses_data_dir(store_kind kind) {
  return kind == store_kind::sqlite_full || kind == store_kind::sqlite_normal;
}

std::vector<std::string> store_arguments(store_kind kind, const std::string& redis_url,
                                         const std::string& data_dir) {
  switch (kind) {
    case store_kind::redis:
      return {"--redis", redis_url};
    case store_kind::memory:
      if (!majlisd_has_store_flag()) return {};
      return {"--store", "memory"};
    case store_kind::sqlite_full:
    case store_kind::sqlite_normal:
      if (!majlisd_has_store_flag()) {
        throw std::invalid_argument("this majlisd has no --store flag (built before the SQLite store): "
                                    "ask for memory or redis only");
      }
      return {"--store", "sqlite", "--data-dir", data_dir, "--sync",
              kind == store_kind::sqlite_full ? "full" : "normal"};
  }
  return {};
}

bool majlisd_has_store_flag() {
  static const bool has_flag = [] {
    const std::string command = std::string("'") + MAJLISD_PATH + "' --help 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> help(::popen(command.c_str(), "r"), ::pclose);
    if (!help) return false;
    std::string text;
    std::array<char, 4096> chunk{};
    while (const auto n = std::fread(chunk.data(), 1, chunk.size(), help.get())) text.append(chunk.data(), n);
    return text.find("--store") != std::string::npos;
  }();
  return has_flag;
}

}  // namespace majlis::bench

#include "bench_figures.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>

#include <unistd.h>

namespace majlis::bench {

double percentile_sorted(const std::vector<double>& sorted, double percent) {
  if (sorted.empty()) return 0;
  const auto n = sorted.size();
  auto rank = static_cast<std::size_t>(std::ceil(percent / 100.0 * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  return sorted[rank - 1];
}

distribution summarize_ns(std::vector<std::int64_t>& samples_ns) {
  distribution d;
  d.count = samples_ns.size();
  if (samples_ns.empty()) return d;
  std::sort(samples_ns.begin(), samples_ns.end());
  std::vector<double> us(samples_ns.size());
  std::transform(samples_ns.begin(), samples_ns.end(), us.begin(),
                 [](std::int64_t ns) { return static_cast<double>(ns) / 1000.0; });
  d.p50_us = percentile_sorted(us, 50);
  d.p90_us = percentile_sorted(us, 90);
  d.p99_us = percentile_sorted(us, 99);
  d.max_us = us.back();
  d.mean_us = std::accumulate(us.begin(), us.end(), 0.0) / static_cast<double>(us.size());
  return d;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::string describe_ms(const distribution& d) {
  char line[200];
  std::snprintf(line, sizeof line, "p50 %7.3f ms  p90 %7.3f ms  p99 %7.3f ms  max %8.3f ms  (n=%zu)",
                d.p50_us / 1000, d.p90_us / 1000, d.p99_us / 1000, d.max_us / 1000, d.count);
  return line;
}

machine_info read_machine_info() {
  machine_info info;
  const long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  info.cpus = cpus > 0 ? static_cast<unsigned>(cpus) : 0;
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) info.cpu_model = line.substr(line.find_first_not_of(' ', colon + 1));
      break;
    }
  }
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemTotal:", 0) == 0) {
      info.memory_mib = std::stoull(line.substr(9)) / 1024;
      break;
    }
  }
  return info;
}

namespace {

std::string escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char code[8];
          std::snprintf(code, sizeof code, "\\u%04x", c);
          out += code;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace

void json_object::key(std::string_view name) {
  if (!body_.empty()) body_ += ',';
  body_ += escaped(name);
  body_ += ':';
}

json_object& json_object::add(std::string_view name, std::string_view value) {
  key(name);
  body_ += escaped(value);
  return *this;
}

json_object& json_object::add(std::string_view name, double value) {
  key(name);
  if (!std::isfinite(value)) {
    body_ += "null";
    return *this;
  }
  char number[40];
  std::snprintf(number, sizeof number, "%.6g", value);
  body_ += number;
  return *this;
}

json_object& json_object::add(std::string_view name, std::int64_t value) {
  key(name);
  body_ += std::to_string(value);
  return *this;
}

json_object& json_object::add(std::string_view name, std::uint64_t value) {
  key(name);
  body_ += std::to_string(value);
  return *this;
}

json_object& json_object::add(std::string_view name, bool value) {
  key(name);
  body_ += value ? "true" : "false";
  return *this;
}

json_object& json_object::add(std::string_view name, const json_object& value) {
  key(name);
  body_ += value.str();
  return *this;
}

json_object& json_object::add(std::string_view name, const std::vector<json_object>& values) {
  key(name);
  body_ += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) body_ += ',';
    body_ += values[i].str();
  }
  body_ += ']';
  return *this;
}

json_object& json_object::add(std::string_view name, const distribution& d) {
  json_object figures;
  figures.add("count", std::uint64_t{d.count})
      .add("p50_ms", d.p50_us / 1000)
      .add("p90_ms", d.p90_us / 1000)
      .add("p99_ms", d.p99_us / 1000)
      .add("max_ms", d.max_us / 1000)
      .add("mean_ms", d.mean_us / 1000);
  return add(name, figures);
}

json_object to_json(const machine_info& machine) {
  json_object json;
  json.add("cpus", machine.cpus).add("cpu_model", machine.cpu_model).add("memory_mib", machine.memory_mib);
  return json;
}

}  // namespace majlis::bench

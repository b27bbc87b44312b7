// Figures a benchmark prints: summaries of samples (percentiles), medians over repeated rounds,
// and the one machine-readable JSON line each run ends with. No I/O beyond formatting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace majlis::bench {

// A sample distribution in microseconds. Percentiles are nearest-rank.
struct distribution {
  std::size_t count = 0;
  double p50_us = 0;
  double p90_us = 0;
  double p99_us = 0;
  double max_us = 0;
  double mean_us = 0;
};

// Summarises samples given in nanoseconds (the vector is sorted in place).
distribution summarize_ns(std::vector<std::int64_t>& samples_ns);

// Nearest-rank percentile (0..100) of sorted values; 0 for none.
double percentile_sorted(const std::vector<double>& sorted, double percent);

// The median of the values (the mean of the middle two for an even count); 0 for none.
double median(std::vector<double> values);

// "p50 0.412 ms  p90 … " for a person.
std::string describe_ms(const distribution& d);

// What the machine is, as far as the process can tell: online CPUs, model name, memory.
struct machine_info {
  unsigned cpus = 0;
  std::string cpu_model;
  std::uint64_t memory_mib = 0;
};
machine_info read_machine_info();

// A flat-ish JSON object built key by key, for the final line. Keys and string values are
// escaped; numbers are printed with enough digits for the figures.
class json_object {
 public:
  json_object& add(std::string_view key, std::string_view value);
  json_object& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  json_object& add(std::string_view key, double value);
  json_object& add(std::string_view key, std::int64_t value);
  json_object& add(std::string_view key, std::uint64_t value);
  json_object& add(std::string_view key, int value) { return add(key, std::int64_t{value}); }
  json_object& add(std::string_view key, unsigned value) { return add(key, std::uint64_t{value}); }
  json_object& add(std::string_view key, bool value);
  json_object& add(std::string_view key, const json_object& value);
  json_object& add(std::string_view key, const std::vector<json_object>& values);
  json_object& add(std::string_view key, const distribution& d);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(std::string_view name);
  std::string body_;
};

json_object to_json(const machine_info& machine);

}  // namespace majlis::bench

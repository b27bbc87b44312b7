// The projected snapshots of one meeting at its current (epoch, seq), encoded once per audience
// and wire format and shared by the Welcomes of every joiner at that seq, so a join storm does not
// encode the same state thousands of times. Moving to another (epoch, seq) drops them. Used on
// the replica's strand only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "domain/projection.hpp"
#include "net/connection.hpp"

namespace majlis::app {

class snapshot_cache {
 public:
  using bytes = std::shared_ptr<const std::string>;

  // The snapshot encoded for `who` in `format` at (epoch, seq), or null when not encoded yet.
  bytes find(uint64_t epoch, uint64_t seq, domain::audience who, net::wire_format format) {
    if (epoch != epoch_ || seq != seq_) return nullptr;
    return entries_[index(who, format)];
  }

  // Keeps `encoded` for (epoch, seq, who, format); a new (epoch, seq) drops every older entry.
  void store(uint64_t epoch, uint64_t seq, domain::audience who, net::wire_format format,
             bytes encoded) {
    if (epoch != epoch_ || seq != seq_) {
      entries_ = {};
      epoch_ = epoch;
      seq_ = seq;
    }
    entries_[index(who, format)] = std::move(encoded);
  }

 private:
  static std::size_t index(domain::audience who, net::wire_format format) {
    return static_cast<std::size_t>(who) * 2 + (format == net::wire_format::json ? 1 : 0);
  }

  uint64_t epoch_ = 0;
  uint64_t seq_ = 0;
  std::array<bytes, domain::audience_count * 2> entries_;
};

}  // namespace majlis::app

// The commands written to Redis and not yet answered, oldest first. hiredis answers in order, so
// the front is the next reply; each entry has a deadline kept on the Asio side (hiredis 0.14 has
// no timers). Sans-I/O: the connection feeds it events and acts on what comes back.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace majlis::redis {

template <class T>
class pending_queue {
 public:
  using clock = std::chrono::steady_clock;

  explicit pending_queue(size_t capacity) : capacity_(capacity) {}

  // Whether `count` more entries fit under the bound.
  bool has_room(size_t count = 1) const { return entries_.size() + count <= capacity_; }
  // Everything hiredis still owes a reply for, expired entries included.
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // Adds an entry; the returned key is what hiredis carries as the callback's privdata.
  void* push(T value, clock::time_point deadline) {
    entries_.push_back(std::make_unique<entry>(entry{std::move(value), deadline}));
    return entries_.back().get();
  }

  // hiredis answered (or gave up on) the entry `key`. Its value, or nullopt if it had expired
  // (its caller already heard error::timeout) or is unknown.
  std::optional<T> complete(void* key) {
    // Replies come in order, so this is the front; the search is for safety, not for speed.
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->get() != key) continue;
      std::optional<T> value = std::move((*it)->value);
      entries_.erase(it);
      return value;
    }
    return std::nullopt;
  }

  // Takes the value of every entry whose deadline passed, oldest first. The entries stay until
  // hiredis answers them, so they keep counting against the bound. Deadlines are checked in
  // order and the scan stops at the first live entry that is not due: commands queued with a
  // longer deadline earlier delay, never hide, later ones.
  std::vector<T> expire(clock::time_point now) {
    std::vector<T> expired;
    for (auto& e : entries_) {
      if (!e->value) continue;
      if (e->deadline > now) break;
      expired.push_back(std::move(*e->value));
      e->value.reset();
    }
    return expired;
  }

  // The deadline of the oldest entry still waiting for a reply.
  std::optional<clock::time_point> next_deadline() const {
    for (const auto& e : entries_)
      if (e->value) return e->deadline;
    return std::nullopt;
  }

  // Forgets every entry, returning the values of the live ones (the context is gone and will
  // never call back).
  std::vector<T> take_all() {
    std::vector<T> live;
    for (auto& e : entries_)
      if (e->value) live.push_back(std::move(*e->value));
    entries_.clear();
    return live;
  }

 private:
  struct entry {
    std::optional<T> value;  // empty once expired
    clock::time_point deadline;
  };

  size_t capacity_;
  // unique_ptr: an entry's address is its key and must not move.
  std::deque<std::unique_ptr<entry>> entries_;
};

}  // namespace majlis::redis

#include "net/send_queue.hpp"

#include <utility>

namespace majlis::net {

namespace {

template <class T>
void release_if_large(std::vector<T>& v, std::size_t kept) {
  if (v.capacity() > kept) {
    std::vector<T> smaller;
    v.swap(smaller);
  }
}

}  // namespace

void send_queue::push(frame f) {
  counted_bytes_ += counted(f);
  entry e{std::move(f), {}};
  if (!e.f.framed) e.header = encode_frame_header(e.f.text, e.f.size());
  pending_.push_back(std::move(e));
}

void send_queue::clear_pending() {
  for (const auto& e : pending_) counted_bytes_ -= counted(e.f);
  pending_.clear();
  release_if_large(pending_, kept_entries);
}

send_queue::buffers send_queue::begin_write() {
  writing_ = true;
  in_flight_.swap(pending_);
  buffers_.clear();
  first_buffer_ = 0;
  for (const auto& e : in_flight_) {
    const auto& f = e.f;
    if (f.framed) {
      buffers_.emplace_back(f.framed->data(), f.framed->size());
      continue;
    }
    buffers_.emplace_back(e.header.bytes.data(), e.header.size);
    if (!f.head.empty()) buffers_.emplace_back(f.head.data(), f.head.size());
    if (f.bytes && !f.bytes->empty()) buffers_.emplace_back(f.bytes->data(), f.bytes->size());
    if (!f.tail.empty()) buffers_.emplace_back(f.tail.data(), f.tail.size());
  }
  return buffers_;
}

send_queue::buffers send_queue::advance(std::size_t bytes) {
  while (first_buffer_ < buffers_.size() && bytes >= buffers_[first_buffer_].size()) {
    bytes -= buffers_[first_buffer_].size();
    ++first_buffer_;
  }
  if (first_buffer_ < buffers_.size()) buffers_[first_buffer_] += bytes;
  return buffers(buffers_).subspan(first_buffer_);
}

send_queue::batch send_queue::end_write() {
  batch done;
  done.frames = in_flight_.size();
  for (const auto& e : in_flight_) {
    done.bytes += e.f.size();
    counted_bytes_ -= counted(e.f);
  }
  in_flight_.clear();
  buffers_.clear();
  first_buffer_ = 0;
  release_if_large(in_flight_, kept_entries);
  release_if_large(buffers_, kept_entries * 4);
  writing_ = false;
  return done;
}

}  // namespace majlis::net

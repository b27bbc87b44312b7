// Finding things in the meeting state by id. Linear scans: the lists are bounded (limits.hpp)
// and a meeting holds a few hundred items at most, so indexes would cost more than they save.
#pragma once

#include <string_view>

#include <google/protobuf/repeated_ptr_field.h>

#include "majlis/v1/state.pb.h"

namespace majlis::domain {

template <class T>
const T* find_by_id(const google::protobuf::RepeatedPtrField<T>& field, std::string_view id) {
  for (const T& x : field) {
    if (x.id() == id) return &x;
  }
  return nullptr;
}

template <class T>
T* find_by_id(google::protobuf::RepeatedPtrField<T>& field, std::string_view id) {
  for (T& x : field) {
    if (x.id() == id) return &x;
  }
  return nullptr;
}

template <class T>
int index_of_id(const google::protobuf::RepeatedPtrField<T>& field, std::string_view id) {
  for (int i = 0; i < field.size(); ++i) {
    if (field.Get(i).id() == id) return i;
  }
  return -1;
}

// Moves element `from` to index `to` of a repeated field, shifting the ones in between.
template <class T>
void move_element(google::protobuf::RepeatedPtrField<T>& field, int from, int to) {
  if (from < 0 || from >= field.size() || to < 0 || to >= field.size()) return;
  for (int i = from; i < to; ++i) field.SwapElements(i, i + 1);
  for (int i = from; i > to; --i) field.SwapElements(i, i - 1);
}

// Removes element `index`, keeping the order of the others.
template <class T>
void erase_at(google::protobuf::RepeatedPtrField<T>& field, int index) {
  if (index < 0 || index >= field.size()) return;
  field.erase(field.begin() + index);
}

inline const v1::Participant* find_participant(const v1::MeetingState& state, std::string_view id) {
  return find_by_id(state.participants(), id);
}
inline const v1::AgendaItem* find_item(const v1::MeetingState& state, std::string_view id) {
  return find_by_id(state.agenda(), id);
}
inline const v1::Poll* find_poll(const v1::MeetingState& state, std::string_view id) {
  return find_by_id(state.polls(), id);
}
inline const v1::Contribution* find_contribution(const v1::MeetingState& state,
                                                 std::string_view id) {
  return find_by_id(state.contributions(), id);
}

// The item whose speaker holds the floor. Decide keeps at most one floor in a meeting.
inline const v1::AgendaItem* item_with_floor(const v1::MeetingState& state) {
  for (const auto& item : state.agenda()) {
    if (item.speakers().floor_taken()) return &item;
  }
  return nullptr;
}

}  // namespace majlis::domain

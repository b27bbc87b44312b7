// Small pieces every rule file uses to build a decision: rejections and stamped events.
#pragma once

#include <string>
#include <utility>

#include "decider.hpp"

namespace majlis::domain {

inline rejection reject(v1::ErrorCode code, std::string message) {
  return rejection{code, std::move(message)};
}

// An event decided now by the context's actor; the log assigns its seq.
inline v1::Event stamped_event(const command_context& context) {
  v1::Event event;
  event.set_at_ms(context.now_ms);
  event.set_actor_id(context.actor_id);
  return event;
}

// The runtime proposes commands of its own (poll deadlines) with no actor and no role.
inline bool is_system(const command_context& context) {
  return context.role == v1::ROLE_UNSPECIFIED && context.actor_id.empty();
}

inline bool is_chair(const command_context& context) {
  return context.role == v1::ROLE_MODERATOR;
}

}  // namespace majlis::domain

// Who may send which command: one row per Command case, checked first in decide (DESIGN §4).
// Finer rules that depend on the state (a participant may only withdraw their own request,
// end their own turn, vote in polls open to their role) live with the rule they refine.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "decider.hpp"

namespace majlis::domain {

// Classes of actor a row can admit. The system is the runtime proposing a due command
// (ROLE_UNSPECIFIED with no actor id).
enum actor_class : uint8_t {
  chair = 1U << 0,
  participant = 1U << 1,
  system = 1U << 2,
};

struct permission_row {
  v1::Command::KindCase command;
  std::string_view name;  // for messages: "close a poll"
  uint8_t allowed;        // actor_class bits
};

// The whole table, one row per Command oneof case.
std::span<const permission_row> permission_table();

// The row for a command case; nullptr for KIND_NOT_SET or an unknown case.
const permission_row* find_permission(v1::Command::KindCase command);

// PERMISSION_DENIED unless the context's role may send the command. Displays and observers
// never may; an empty command is INVALID_ARGUMENT.
std::optional<rejection> check_permission(const v1::Command& command,
                                          const command_context& context);

}  // namespace majlis::domain

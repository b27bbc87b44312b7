// majlisctl's verbs for the meeting commands: one per case of v1::Command, described as data
// (flag names and help per field) and turned into a v1::Command through protobuf reflection.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "majlis/v1/commands.pb.h"

namespace majlis::ctl {

// One command-line option, bound to one field of the command's message.
struct option_spec {
  option_spec(std::string field_path, std::string flag_name, std::string help_text,
              bool is_required = false, std::string default_text = {})
      : field(std::move(field_path)),
        flag(std::move(flag_name)),
        help(std::move(help_text)),
        required(is_required),
        default_value(std::move(default_text)) {}

  std::string field;  // field path in the command's message: "item_id", "policy.first_time_first"
  std::string flag;   // "--item"
  std::string help;   // what the value means; enum choices are appended by the CLI
  bool required = false;
  std::string default_value;  // used when the option is absent ("" = leave the field unset)
};

// One verb: `majlisctl <name> [options]` sends Command{<command_field>: {...}}.
struct command_verb {
  std::string name;           // "request-floor"
  std::string command_field;  // "request_floor": the Command oneof case
  std::string help;
  std::vector<option_spec> options;
};

// Every verb, one per Command oneof case, in the proto's order.
const std::vector<command_verb>& command_verbs();

// The kinds of value an option takes, from the field's descriptor.
enum class option_kind { text, integer, flag, choice };
struct option_shape {
  option_kind kind = option_kind::text;
  bool repeated = false;
  std::vector<std::string> choices;  // for choice
};
// The shape of the field an option is bound to; throws std::logic_error for a path that does not
// name a field (a bug in the table, caught by the tests).
option_shape shape_of(const command_verb& verb, const option_spec& option);

// The options given on the command line: field path -> values as typed (several for repeated
// fields; "true"/"false" for flags). Absent options are absent from the map.
using option_values = std::map<std::string, std::vector<std::string>>;

// Builds the command, or says in one sentence which value is wrong.
std::variant<v1::Command, std::string> build_command(const command_verb& verb,
                                                     const option_values& values);

}  // namespace majlis::ctl

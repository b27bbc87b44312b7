// Protobuf enum values as people type them on a command line: "point_of_order" for
// REQUEST_KIND_POINT_OF_ORDER. Derived from the descriptors, so new values need no code.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

namespace majlis::ctl {

// The short names of every value but the unspecified one, in declaration order.
std::vector<std::string> enum_choices(const google::protobuf::EnumDescriptor& type);

// The short name of one value ("point_of_order").
std::string enum_choice_name(const google::protobuf::EnumValueDescriptor& value);

// Reads "point_of_order", "point-of-order", "POINT_OF_ORDER" or the full value name; nullopt for
// anything else, the unspecified value included.
std::optional<int> parse_enum_choice(const google::protobuf::EnumDescriptor& type,
                                     std::string_view text);

}  // namespace majlis::ctl

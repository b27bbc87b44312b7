#include "enum_names.hpp"

#include <cctype>

namespace majlis::ctl {
namespace {

// Every value name starts with the unspecified value's prefix ("REQUEST_KIND_").
std::string value_prefix(const google::protobuf::EnumDescriptor& type) {
  const std::string& first = type.value(0)->name();
  constexpr std::string_view unspecified = "UNSPECIFIED";
  if (first.size() >= unspecified.size() &&
      first.compare(first.size() - unspecified.size(), unspecified.size(), unspecified) == 0)
    return first.substr(0, first.size() - unspecified.size());
  return {};
}

bool is_unspecified(const google::protobuf::EnumValueDescriptor& value) {
  return value.number() == 0;
}

}  // namespace

std::string enum_choice_name(const google::protobuf::EnumValueDescriptor& value) {
  const auto prefix = value_prefix(*value.type());
  std::string name = value.name().substr(prefix.size());
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

std::vector<std::string> enum_choices(const google::protobuf::EnumDescriptor& type) {
  std::vector<std::string> out;
  for (int i = 0; i < type.value_count(); ++i)
    if (!is_unspecified(*type.value(i))) out.push_back(enum_choice_name(*type.value(i)));
  return out;
}

std::optional<int> parse_enum_choice(const google::protobuf::EnumDescriptor& type,
                                     std::string_view text) {
  std::string upper(text);
  for (auto& c : upper) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  const auto* value = type.FindValueByName(value_prefix(type) + upper);
  if (value == nullptr) value = type.FindValueByName(upper);
  if (value == nullptr || is_unspecified(*value)) return std::nullopt;
  return value->number();
}

}  // namespace majlis::ctl

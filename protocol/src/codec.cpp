#include "majlis/protocol/codec.hpp"

#include <climits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/util/json_util.h>

namespace majlis::protocol {
namespace {

// Parses `payload` into `message`; returns an empty string or what went wrong.
std::string parse(std::string_view payload, wire_format format, decode_mode mode,
                  google::protobuf::Message& message) {
  const std::string type = message.GetDescriptor()->name();
  if (format == wire_format::binary) {
    if (payload.size() > static_cast<std::size_t>(INT_MAX)) return "frame too large to decode";
    if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return "binary frame is not a valid protobuf " + type + " (malformed or truncated)";
    }
    return {};
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = mode == decode_mode::lenient;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(payload.data(), payload.size()), &message, options);
  if (!status.ok()) {
    return "text frame is not a valid JSON " + type + ": " + std::string(status.message());
  }
  return {};
}

template <typename Message>
decoded<Message> decode(std::string_view payload, wire_format format, decode_mode mode,
                        const char* no_kind_error) {
  decoded<Message> result;
  result.error = parse(payload, format, mode, result.message);
  if (result.ok() && mode == decode_mode::strict &&
      result.message.kind_case() == Message::KIND_NOT_SET) {
    result.error = no_kind_error;
  }
  if (!result.ok()) result.message.Clear();
  return result;
}

// Reads `"name":"value"` at `at`, the value printable ASCII without a quote or a backslash;
// advances `at` past it. False (and `at` unspecified) for anything else.
bool read_plain_member(std::string_view text, std::size_t& at, std::string_view& name,
                       std::string_view& value) {
  auto read_plain_string = [&](std::string_view& out) {
    if (at >= text.size() || text[at] != '"') return false;
    const auto begin = ++at;
    while (at < text.size() && text[at] != '"') {
      const auto c = static_cast<unsigned char>(text[at]);
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
      ++at;
    }
    if (at >= text.size()) return false;
    out = text.substr(begin, at - begin);
    ++at;
    return true;
  };
  if (!read_plain_string(name) || at >= text.size() || text[at] != ':') return false;
  ++at;
  return read_plain_string(value);
}

// A Join as the clients write it — {"join":{"meetingId":"…","token":"…"}}, members in either
// order, no whitespace, plain ASCII values — read without protobuf's JSON parser, which costs
// more than the rest of a join in a join storm. Anything else (a Resume, whitespace, an escape,
// a repeated or unknown member) is left to the parser: empty then.
std::optional<v1::ClientMessage> plain_json_join(std::string_view text) {
  constexpr std::string_view open = "{\"join\":{";
  constexpr std::string_view close = "}}";
  if (!text.starts_with(open) || !text.ends_with(close) || text.size() < open.size() + close.size())
    return std::nullopt;
  const std::string_view members =
      text.substr(open.size(), text.size() - open.size() - close.size());
  v1::ClientMessage message;
  auto* join = message.mutable_join();
  bool seen_meeting = false, seen_token = false;
  std::size_t at = 0;
  while (at < members.size()) {
    if (at > 0) {
      if (members[at] != ',') return std::nullopt;
      ++at;
    }
    std::string_view name, value;
    if (!read_plain_member(members, at, name, value)) return std::nullopt;
    if (name == "meetingId" && !seen_meeting) {
      seen_meeting = true;
      join->set_meeting_id(std::string(value));
    } else if (name == "token" && !seen_token) {
      seen_token = true;
      join->set_token(std::string(value));
    } else {
      return std::nullopt;
    }
  }
  if (!seen_meeting || !seen_token) return std::nullopt;
  return message;
}

void append_varint(std::string& out, std::uint64_t value) {
  std::uint8_t buffer[10];  // the longest varint of 64 bits
  const auto* end = google::protobuf::io::CodedOutputStream::WriteVarint64ToArray(value, buffer);
  out.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(end - buffer));
}

// Length-delimited field tags (wire type 2): ServerMessage.welcome = 1, Welcome.snapshot = 5.
constexpr char server_message_welcome_tag = (1 << 3) | 2;
constexpr char welcome_snapshot_tag = (5 << 3) | 2;

// The code points beyond ASCII that protobuf's JSON printer writes as escapes: the C1 controls,
// and the invisible formatting characters it escapes to keep JavaScript safe.
bool printer_escapes(char32_t cp) {
  if (cp < 0xa0) return true;
  switch (cp) {
    case 0x00ad: case 0x06dd: case 0x070f: case 0x17b4: case 0x17b5:
    case 0xfeff: case 0xfff9: case 0xfffa: case 0xfffb: case 0xe0001:
      return true;
    default:
      return (cp >= 0x0600 && cp <= 0x0603) || (cp >= 0x200b && cp <= 0x200f) ||
             (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2064) ||
             (cp >= 0x206a && cp <= 0x206f) || (cp >= 0x1d173 && cp <= 0x1d17a) ||
             (cp >= 0xe0020 && cp <= 0xe007f);
  }
}

// True when the JSON printer copies `text` between its quotes byte for byte: valid UTF-8
// (shortest form, no surrogates) without a character it escapes. Names in any script pass;
// a name with a quote, '<', a control or a bidi mark does not, and takes the printer's path.
bool printed_verbatim(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      if (lead < 0x20 || lead == 0x7f || lead == '"' || lead == '\\' || lead == '<' || lead == '>')
        return false;
      ++i;
      continue;
    }
    std::size_t length = 0;
    char32_t cp = 0;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2, cp = lead & 0x1f;
    else if (lead >= 0xe0 && lead <= 0xef) length = 3, cp = lead & 0x0f;
    else if (lead >= 0xf0 && lead <= 0xf4) length = 4, cp = lead & 0x07;
    else return false;
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3f);
    }
    const char32_t shortest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
    if (cp < shortest || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || printer_escapes(cp))
      return false;
    i += length;
  }
  return true;
}

// Appends `"name":"value"` (after a comma unless it is the object's first member).
void append_member(std::string& out, bool& first, std::string_view name, std::string_view value) {
  if (!first) out.push_back(',');
  first = false;
  out.push_back('"');
  out.append(name);
  out.append("\":\"");
  out.append(value);
  out.push_back('"');
}

// The JSON printer's text of a Welcome head up to "snapshot": (its members in field order,
// defaults left out, 64-bit numbers and enums as strings), written without the printer, which
// costs more than the rest of a join. Empty when some value is one the printer would escape
// or an enum it has no name for: the caller then takes the printer's path.
std::optional<std::string> json_welcome_head(const v1::Welcome& head) {
  const auto& you = head.you();
  std::string_view role, attendance;  // the generated names live as long as the program
  if (v1::Role_IsValid(you.role())) role = v1::Role_Name(you.role());
  if (v1::Attendance_IsValid(you.attendance())) attendance = v1::Attendance_Name(you.attendance());
  if (head.start_case() != v1::Welcome::START_NOT_SET || role.empty() || attendance.empty() ||
      !printed_verbatim(you.participant_id()) || !printed_verbatim(you.display_name()) ||
      !printed_verbatim(you.stakeholder_group()) || !printed_verbatim(you.connection_id())) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(160 + you.display_name().size() + you.participant_id().size() +
              you.stakeholder_group().size() + you.connection_id().size());
  out.append("{\"welcome\":{");
  bool first = true;
  if (head.has_you()) {
    out.append("\"you\":{");
    bool first_of_you = true;
    if (!you.participant_id().empty())
      append_member(out, first_of_you, "participantId", you.participant_id());
    if (!you.display_name().empty())
      append_member(out, first_of_you, "displayName", you.display_name());
    if (you.role() != v1::ROLE_UNSPECIFIED) append_member(out, first_of_you, "role", role);
    if (!you.stakeholder_group().empty())
      append_member(out, first_of_you, "stakeholderGroup", you.stakeholder_group());
    if (you.attendance() != v1::ATTENDANCE_UNSPECIFIED)
      append_member(out, first_of_you, "attendance", attendance);
    if (!you.connection_id().empty())
      append_member(out, first_of_you, "connectionId", you.connection_id());
    out.push_back('}');
    first = false;
  }
  if (head.server_time_ms() != 0)
    append_member(out, first, "serverTimeMs", std::to_string(head.server_time_ms()));
  if (head.epoch() != 0) append_member(out, first, "epoch", std::to_string(head.epoch()));
  if (head.seq() != 0) append_member(out, first, "seq", std::to_string(head.seq()));
  if (!first) out.push_back(',');
  out.append("\"snapshot\":");
  return out;
}

}  // namespace

decoded_client_message decode_client_message(std::string_view payload, wire_format format,
                                             decode_mode mode) {
  if (format == wire_format::json) {
    if (auto join = plain_json_join(payload)) return {std::move(*join), {}};
  }
  return decode<v1::ClientMessage>(
      payload, format, mode, "ClientMessage has no kind set (expected join, command or ping)");
}

decoded_server_message decode_server_message(std::string_view payload, wire_format format,
                                             decode_mode mode) {
  return decode<v1::ServerMessage>(payload, format, mode, "ServerMessage has no kind set");
}

std::string encode(const google::protobuf::Message& message, wire_format format) {
  std::string bytes;
  if (format == wire_format::binary) {
    if (!message.SerializeToString(&bytes)) {
      throw std::invalid_argument("cannot serialize " + message.GetDescriptor()->name());
    }
    return bytes;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = false;
  options.preserve_proto_field_names = false;
  const auto status = google::protobuf::util::MessageToJsonString(message, &bytes, options);
  if (!status.ok()) {
    throw std::invalid_argument("cannot encode " + message.GetDescriptor()->name() +
                                " as JSON: " + std::string(status.message()));
  }
  return bytes;
}

welcome_wrapping wrap_welcome(const v1::Welcome& head, std::size_t snapshot_size,
                              wire_format format) {
  welcome_wrapping out;
  if (format == wire_format::binary) {
    // Protobuf writes fields in number order, so the snapshot (5) comes last: the head's fields,
    // then its tag and length, then the shared bytes. Only the outer lengths need computing.
    std::string fields;
    if (!head.SerializeToString(&fields)) throw std::invalid_argument("cannot serialize Welcome");
    const std::size_t welcome_size =
        fields.size() + 1 + google::protobuf::io::CodedOutputStream::VarintSize64(snapshot_size) +
        snapshot_size;
    out.head.reserve(fields.size() + 24);
    out.head.push_back(server_message_welcome_tag);
    append_varint(out.head, welcome_size);
    out.head += fields;
    out.head.push_back(welcome_snapshot_tag);
    append_varint(out.head, snapshot_size);
    return out;
  }
  out.tail = "}}";
  if (auto fast = json_welcome_head(head)) {
    out.head = std::move(*fast);
    return out;
  }
  // The JSON printer writes an empty snapshot last as "snapshot":{} — cut there and put the
  // shared object in its place.
  v1::ServerMessage message;
  *message.mutable_welcome() = head;
  message.mutable_welcome()->mutable_snapshot();
  std::string text = encode(message, format);
  constexpr std::string_view empty_end = "\"snapshot\":{}}}";
  if (!std::string_view(text).ends_with(empty_end)) {
    throw std::logic_error("unexpected JSON for a Welcome: " + text);
  }
  text.resize(text.size() - 4);  // drop {}}}, keep "snapshot":
  out.head = std::move(text);
  return out;
}

v1::ServerMessage make_error_message(v1::ErrorCode code, std::string message) {
  v1::ServerMessage out;
  auto* error = out.mutable_error();
  error->set_code(code);
  error->set_message(std::move(message));
  return out;
}

}  // namespace majlis::protocol

#include "text_rules.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace majlis::domain {
namespace {

// Decodes one code point at text[i]; advances i. Returns nullopt on malformed input.
std::optional<char32_t> decode_one(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  std::size_t extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    extra = 1, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3, cp = lead & 0x07, min = 0x10000;
  } else {
    return std::nullopt;
  }
  if (i + extra >= text.size()) return std::nullopt;
  for (std::size_t k = 1; k <= extra; ++k) {
    const unsigned char next = byte(i + k);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (next & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += extra + 1;
  return cp;
}

bool is_space(char32_t cp) {
  switch (cp) {
    case U' ':
    case U'\t':
    case U'\n':
    case U'\r':
    case U'\v':
    case U'\f':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0x200B:
    case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string code_point_label(char32_t cp) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string digits;
  for (char32_t rest = cp; rest != 0 || digits.size() < 4; rest >>= 4) {
    digits.insert(digits.begin(), hex[rest & 0xF]);
  }
  return "U+" + digits;
}

std::string_view bidi_control_name(char32_t cp) {
  switch (cp) {
    case 0x202A: return "a left-to-right embedding";
    case 0x202B: return "a right-to-left embedding";
    case 0x202C: return "a pop directional formatting";
    case 0x202D: return "a left-to-right override";
    case 0x202E: return "a right-to-left override";
    case 0x2066: return "a left-to-right isolate";
    case 0x2067: return "a right-to-left isolate";
    case 0x2068: return "a first strong isolate";
    case 0x2069: return "a pop directional isolate";
    default: return {};
  }
}

// Why `cp` (followed by `next`, 0 at the end) may not appear in the text; empty when it may.
std::string refusal_of(char32_t cp, char32_t next, text_lines lines) {
  // The common cases cost nothing: printable ASCII, and beyond C1 anything but a bidi control.
  if (cp >= 0x20 && cp < 0x7F) return {};
  if (cp > 0x9F && bidi_control_name(cp).empty()) return {};
  const bool many = lines == text_lines::many;
  const std::string label = " (" + code_point_label(cp) + ")";
  if (cp == U'\n') {
    return many ? "" : "a line break" + label + "; it must be a single line";
  }
  if (cp == U'\r') {
    if (many && next == U'\n') return "";
    return many ? "a carriage return" + label + " that does not end a line"
                : "a carriage return" + label + "; it must be a single line";
  }
  if (cp == U'\t') {
    return many ? "" : "a tab" + label + "; use a space instead";
  }
  if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
    return "an invisible control character" + label;
  }
  if (const auto name = bidi_control_name(cp); !name.empty()) {
    return std::string(name) + label +
           ", which can make text display in a misleading order; the Arabic letter mark and "
           "the left-to-right and right-to-left marks (U+061C, U+200E, U+200F) are allowed";
  }
  return "";
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (!decode_one(text, i)) return std::nullopt;
    ++count;
  }
  return count;
}

bool is_blank(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto cp = decode_one(text, i);
    if (!cp) return false;  // garbage is not blank; check_text reports it as invalid
    if (!is_space(*cp)) return false;
  }
  return true;
}

std::optional<rejection> check_text(std::string_view text, std::size_t max_chars,
                                    std::string_view what, text_presence presence,
                                    text_lines lines) {
  const auto length = utf8_length(text);
  if (!length) {
    return rejection{v1::ERROR_CODE_INVALID_ARGUMENT,
                     std::string(what) + " is not valid UTF-8 text."};
  }
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = *decode_one(text, i);  // valid: utf8_length said so
    // Only a carriage return looks at what follows (CRLF ends a line in multi-line text).
    std::size_t after = i;
    const char32_t next = cp == U'\r' && i < text.size() ? *decode_one(text, after) : 0;
    if (auto why = refusal_of(cp, next, lines); !why.empty()) {
      return rejection{v1::ERROR_CODE_INVALID_ARGUMENT,
                       std::string(what) + " contains " + why + "."};
    }
  }
  if (presence == text_presence::required && is_blank(text)) {
    return rejection{v1::ERROR_CODE_INVALID_ARGUMENT, std::string(what) + " must not be empty."};
  }
  if (*length > max_chars) {
    return rejection{
        v1::ERROR_CODE_INVALID_ARGUMENT,
        std::string(what) + " is longer than " + std::to_string(max_chars) + " characters."};
  }
  return std::nullopt;
}

bool is_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t k = 0; k < lengths[p]; ++k) {
      const char c = text[starts[p] + k];
      if (c < '0' || c > '9') return false;
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  const int year = parts[0], month = parts[1], day = parts[2];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int days_in_month[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max_day = days_in_month[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max_day;
}

}  // namespace majlis::domain

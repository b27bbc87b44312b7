// Checks on text a person typed: valid UTF-8, length in code points, not blank; ISO dates.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "decider.hpp"

namespace majlis::domain {

// Number of code points in valid UTF-8 text; nullopt when the bytes are not valid UTF-8
// (overlong forms, surrogates and values past U+10FFFF are invalid).
std::optional<std::size_t> utf8_length(std::string_view text);

// True when the text has no visible character: empty, or only (Unicode) white space.
bool is_blank(std::string_view text);

enum class text_presence { required, optional };

// Names, titles, options and outcomes are one line; descriptions and contributions may have
// several (line breaks as LF or CRLF, and tabs).
enum class text_lines { one, many };

// Rejects (INVALID_ARGUMENT) invalid UTF-8, over-long text, and characters that make text lie
// about itself: C0 and C1 control characters (in multi-line text a line break or a tab is
// fine) and the bidi embedding, override and isolate controls (U+202A-U+202E,
// U+2066-U+2069). The marks real names need stay: ALM (U+061C), LRM (U+200E), RLM (U+200F).
// A required text must not be blank. `what` names the field in the message ("The title").
std::optional<rejection> check_text(std::string_view text, std::size_t max_chars,
                                    std::string_view what,
                                    text_presence presence = text_presence::required,
                                    text_lines lines = text_lines::one);

// True for a real calendar date written yyyy-mm-dd (2028-02-29 yes, 2027-02-29 no).
bool is_iso_date(std::string_view text);

}  // namespace majlis::domain

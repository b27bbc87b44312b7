#include "app/minutes.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <sstream>
#include <string_view>
#include <vector>

namespace majlis::app {

namespace {

// The words of the minutes in one language. Plural-sensitive phrases are functions of n.
struct words {
  const char* date;
  const char* not_started;
  const char* in_progress_since;  // "{time}" follows
  const char* utc;
  const char* attendance;
  const char* chair;
  const char* in_room;
  const char* remote;
  const char* attendance_unstated;
  const char* checked_in;
  const char* nobody;
  const char* speakers;
  const char* decision;
  const char* action;
  const char* due;
  const char* poll;
  const char* voted;          // "{n} voted" / "عدد المصوّتين: {n}"
  const char* secret_ballot;
  const char* closed_unpublished;
  const char* written_input;
  const char* answered;
  const char* other_business;
  const char* speaking_by_group;
  const char* speaking_by_attendance;
  const char* group_unverified;
  const char* attendance_unverified;
  const char* no_turns;
  const char* item_status[5];  // by AgendaItemStatus
  const char* yes_no_abstain[3];
  const char* list_separator;
  std::string (*turns)(uint64_t n);
  std::string (*participants)(uint64_t n);
  std::string (*upvotes)(uint64_t n);
};

std::string english_count(uint64_t n, const char* one, const char* other) {
  return std::to_string(n) + " " + (n == 1 ? one : other);
}
std::string english_turns(uint64_t n) { return english_count(n, "turn", "turns"); }
std::string english_participants(uint64_t n) { return english_count(n, "participant", "participants"); }
std::string english_upvotes(uint64_t n) { return english_count(n, "upvote", "upvotes"); }

// Arabic counts agree with the number (CLDR's plural categories): 0 zero, 1 one, 2 two,
// 3–10 few (plural), 11–99 many (singular accusative), 100+ other (singular); the remainder
// of 100 decides for numbers above 100.
std::string arabic_count(uint64_t n, const char* zero, const char* one, const char* two,
                         const char* few, const char* many, const char* other) {
  const auto r = n % 100;
  if (n == 0) return zero;
  if (n == 1) return one;
  if (n == 2) return two;
  if (r >= 3 && r <= 10) return std::to_string(n) + " " + few;
  if (r >= 11) return std::to_string(n) + " " + many;
  return std::to_string(n) + " " + other;
}
std::string arabic_turns(uint64_t n) {
  return arabic_count(n, "لا مداخلات", "مداخلة واحدة", "مداخلتان", "مداخلات", "مداخلة", "مداخلة");
}
std::string arabic_participants(uint64_t n) {
  return arabic_count(n, "لا مشاركين", "مشارك واحد", "مشاركان", "مشاركين", "مشاركًا", "مشارك");
}
std::string arabic_upvotes(uint64_t n) {
  return arabic_count(n, "بلا تأييد", "تأييد واحد", "تأييدان", "تأييدات", "تأييدًا", "تأييد");
}

const words english{
    "Date", "not started", "in progress since", "UTC", "Attendance", "Chair", "In the room",
    "Remote", "Attendance not stated", "checked in", "nobody", "Speakers", "Decision", "Action",
    "due", "Poll", "{n} voted", "secret ballot", "closed, not published", "Written input",
    "answered", "Not tied to an agenda item", "Speaking time by stakeholder group",
    "Speaking time in the room and remote", "group unverified", "attendance unverified",
    "no turns",
    {"pending", "pending", "in progress", "done", "skipped"},
    {"Yes", "No", "Abstain"}, ", ", english_turns, english_participants, english_upvotes};

const words arabic{
    "التاريخ", "لم يبدأ بعد", "جارٍ منذ", "بالتوقيت العالمي", "الحضور", "رئيس الجلسة",
    "في القاعة", "عن بُعد", "طريقة الحضور غير محددة", "سجّل حضوره", "لا أحد", "المتحدثون",
    "قرار", "مهمة", "تاريخ الاستحقاق", "تصويت", "عدد المصوّتين: {n}", "اقتراع سري",
    "مغلق، لم تُنشر نتائجه", "مساهمة مكتوبة", "تمت الإجابة",
    "خارج بنود جدول الأعمال", "وقت الكلام حسب مجموعة أصحاب المصلحة",
    "وقت الكلام في القاعة وعن بُعد", "المجموعة غير موثقة", "طريقة الحضور غير موثقة",
    "لا مداخلات",
    {"قيد الانتظار", "قيد الانتظار", "جارٍ", "منتهٍ", "تم تخطيه"},
    {"نعم", "لا", "امتناع"}, "، ", arabic_turns, arabic_participants, arabic_upvotes};

// The labels the web pages show for the usual stakeholder-group keys (client-sdk/web/i18n.js);
// any other group is shown as the meeting spelled it.
struct group_label {
  const char* key;
  const char* en;
  const char* ar;
};
constexpr group_label group_labels[] = {
    {"government", "Government", "الحكومة"},
    {"private_sector", "Private sector", "القطاع الخاص"},
    {"civil_society", "Civil society", "المجتمع المدني"},
    {"academia", "Academia", "الأوساط الأكاديمية"},
    {"technical_community", "Technical community", "المجتمع التقني"},
    {"international_organisations", "International organisations", "المنظمات الدولية"},
    {"international_organizations", "International organizations", "المنظمات الدولية"},
};

std::string replace_n(std::string_view pattern, uint64_t n) {
  std::string out(pattern);
  if (const auto at = out.find("{n}"); at != std::string::npos) out.replace(at, 3, std::to_string(n));
  return out;
}

std::string clock_minutes(int64_t ms) {
  const int64_t seconds = ms / 1000;
  std::ostringstream out;
  out << seconds / 60 << ":" << (seconds % 60 < 10 ? "0" : "") << seconds % 60;
  return out.str();
}

// "2026-12-01" and "09:05" in UTC.
std::string utc_date(int64_t ms) {
  const std::chrono::sys_days day{std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)))};
  const std::chrono::year_month_day ymd{day};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}
std::string utc_time(int64_t ms) {
  const int64_t minute_of_day = (ms / 60'000) % (24 * 60);
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", static_cast<int>(minute_of_day / 60),
                static_cast<int>(minute_of_day % 60));
  return text;
}

// Characters that start inline Markdown wherever they stand: emphasis, code, links (an image's
// "!" needs the "[" that is escaped), autolinks and HTML, entities, table cells,
// strikethrough, a heading's closing #.
bool inline_special(char c) {
  switch (c) {
    case '\\': case '`': case '*': case '_': case '[': case ']': case '<': case '>':
    case '#': case '|': case '~': case '&':
      return true;
    default:
      return false;
  }
}

// Bytes of `text` at `i` that are a line break or a control in UTF-8 (C1, U+2028, U+2029) or a
// bidi embedding, override or isolate: how many, and whether they stand for a space (else
// they are dropped). 0 when the text at i is ordinary.
std::size_t unsafe_sequence(std::string_view text, std::size_t i, bool& as_space) {
  const auto byte = [&](std::size_t k) {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  as_space = true;
  if (byte(0) < 0x20 || byte(0) == 0x7F) return 1;
  if (byte(0) == 0xC2 && byte(1) >= 0x80 && byte(1) <= 0x9F) return 2;  // C1
  if (byte(0) == 0xE2 && byte(1) == 0x80 && (byte(2) == 0xA8 || byte(2) == 0xA9)) return 3;
  as_space = false;
  if (byte(0) == 0xE2 && byte(1) == 0x80 && byte(2) >= 0xAA && byte(2) <= 0xAE) return 3;
  if (byte(0) == 0xE2 && byte(1) == 0x81 && byte(2) >= 0xA6 && byte(2) <= 0xA9) return 3;
  return 0;
}

// Text a person typed, inert in Markdown: one line whatever it holds (line breaks and controls
// become spaces, bidi overrides are dropped), every inline special escaped, and nothing at its
// start that would open a block (a list item, a rule, a heading underline, an ordered item, a
// code block) should it begin a line or follow a list marker.
std::string inline_text(std::string_view text) {
  std::string flat;
  flat.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool as_space = false;
    if (const auto n = unsafe_sequence(text, i, as_space); n > 0) {
      if (as_space) flat += ' ';
      i += n;
      continue;
    }
    flat += text[i++];
  }
  const auto first = flat.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  flat = flat.substr(first, flat.find_last_not_of(' ') - first + 1);

  std::string out;
  out.reserve(flat.size() + 8);
  std::size_t i = 0;
  if (flat[0] == '-' || flat[0] == '+' || flat[0] == '=') {
    out += '\\';
  } else {
    // "1." or "1)" opens an ordered list.
    while (i < flat.size() && flat[i] >= '0' && flat[i] <= '9') out += flat[i++];
    if (i > 0 && i < flat.size() && (flat[i] == '.' || flat[i] == ')')) {
      out += '\\';
      out += flat[i++];
    }
  }
  for (; i < flat.size(); ++i) {
    if (inline_special(flat[i])) out += '\\';
    out += flat[i];
  }
  return out;
}

// Multi-line text as a block quote: each of its lines quoted and inert, so none can start a
// block of its own.
std::string quoted_block(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = inline_text(text.substr(start, end - start));
    out += line.empty() ? ">\n" : "> " + line + "\n";
    start = end + 1;
  }
  return out;
}

bool attends(const v1::Participant& p) {
  // Displays and observers follow the meeting without taking part; the lobby was never let in.
  const bool takes_part = p.role() == v1::ROLE_PARTICIPANT || p.role() == v1::ROLE_MODERATOR;
  return takes_part && p.admission() != v1::ADMISSION_STATUS_LOBBY &&
         p.admission() != v1::ADMISSION_STATUS_REMOVED;
}

class minutes_writer {
 public:
  minutes_writer(const v1::MeetingState& state, const words& w, bool arabic)
      : state_(state), w_(w), arabic_(arabic) {
    for (const auto& p : state.participants()) names_[p.id()] = p.display_name();
  }

  std::string render() {
    out_ << "# " << inline_text(state_.title()) << "\n\n";
    write_date();
    write_attendance();
    int number = 0;
    for (const auto& item : state_.agenda()) write_item(item, ++number);
    write_loose();
    write_speaking_time();
    return out_.str();
  }

 private:
  // The meeting's own group spelling, labelled as the pages label the usual keys.
  std::string group(std::string_view key) const {
    std::string norm;
    const auto first = key.find_first_not_of(' ');
    const auto last = key.find_last_not_of(' ');
    if (first != std::string_view::npos) {
      for (char c : key.substr(first, last - first + 1)) {
        norm += (c == ' ' || c == '-') ? '_'
                                       : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    for (const auto& label : group_labels) {
      if (norm == label.key) return arabic_ ? label.ar : label.en;
    }
    return inline_text(key);
  }

  std::string attendance_label(v1::Attendance attendance) const {
    switch (attendance) {
      case v1::ATTENDANCE_IN_ROOM: return w_.in_room;
      case v1::ATTENDANCE_REMOTE: return w_.remote;
      default: return w_.attendance_unverified;
    }
  }

  std::string figure_line(const std::string& label, int64_t speaking_ms, uint32_t turns) const {
    return "- " + label + ": " + clock_minutes(speaking_ms) + " (" + w_.turns(turns) + ")\n";
  }

  void write_date() {
    out_ << "**" << w_.date << ":** ";
    const int64_t start = state_.started_at_ms();
    if (start <= 0) {
      out_ << utc_date(state_.created_at_ms()) << " (" << w_.not_started << ")\n\n";
      return;
    }
    out_ << utc_date(start) << w_.list_separator << utc_time(start);
    if (state_.ended_at_ms() > 0) {
      out_ << "–";
      if (utc_date(state_.ended_at_ms()) != utc_date(start)) out_ << utc_date(state_.ended_at_ms()) << " ";
      out_ << utc_time(state_.ended_at_ms()) << " " << w_.utc << "\n\n";
    } else {
      out_ << " " << w_.utc << " (" << w_.in_progress_since << " " << utc_time(start) << ")\n\n";
    }
  }

  std::string person(const v1::Participant& p) const {
    std::string text = inline_text(p.display_name()) + " (" +
                       (p.stakeholder_group().empty() ? std::string(w_.group_unverified)
                                                      : group(p.stakeholder_group()));
    if (p.checked_in_at_ms() > 0) {
      text += std::string(w_.list_separator) + w_.checked_in + " " + utc_time(p.checked_in_at_ms());
    }
    return text + ")";
  }

  void write_attendance() {
    std::vector<const v1::Participant*> chairs, room, remote, unstated;
    for (const auto& p : state_.participants()) {
      if (!attends(p)) continue;
      if (p.role() == v1::ROLE_MODERATOR) chairs.push_back(&p);
      else if (p.attendance() == v1::ATTENDANCE_IN_ROOM) room.push_back(&p);
      else if (p.attendance() == v1::ATTENDANCE_REMOTE) remote.push_back(&p);
      else unstated.push_back(&p);
    }
    out_ << "## " << w_.attendance << " (" << w_.participants(room.size() + remote.size() + unstated.size())
         << ")\n\n";
    const auto names = [&](const std::vector<const v1::Participant*>& people, bool with_details) {
      if (people.empty()) return std::string(w_.nobody);
      std::string list;
      for (const auto* p : people) {
        if (!list.empty()) list += w_.list_separator;
        list += with_details ? person(*p) : inline_text(p->display_name());
      }
      return list;
    };
    if (!chairs.empty()) out_ << "- **" << w_.chair << ":** " << names(chairs, false) << "\n";
    out_ << "- **" << w_.in_room << " (" << room.size() << "):** " << names(room, true) << "\n";
    out_ << "- **" << w_.remote << " (" << remote.size() << "):** " << names(remote, true) << "\n";
    if (!unstated.empty()) {
      out_ << "- **" << w_.attendance_unstated << " (" << unstated.size() << "):** "
           << names(unstated, true) << "\n";
    }
    out_ << "\n";
  }

  std::string option_label(const v1::Poll& poll, int i) const {
    if (poll.kind() == v1::POLL_KIND_YES_NO_ABSTAIN && i < 3) return w_.yes_no_abstain[i];
    return inline_text(poll.options(i));
  }

  void write_poll(const v1::Poll& poll) {
    if (poll.status() != v1::POLL_STATUS_PUBLISHED && poll.status() != v1::POLL_STATUS_CLOSED) return;
    out_ << "- **" << w_.poll << ":** " << inline_text(poll.question()) << " — ";
    for (int i = 0; i < poll.options_size(); ++i) {
      if (i > 0) out_ << w_.list_separator;
      out_ << option_label(poll, i) << ": " << (i < poll.tally_size() ? poll.tally(i) : 0);
    }
    out_ << " (" << replace_n(w_.voted, static_cast<uint64_t>(poll.voter_ids_size()));
    if (poll.secrecy() == v1::POLL_SECRECY_SECRET) out_ << w_.list_separator << w_.secret_ballot;
    if (poll.status() == v1::POLL_STATUS_CLOSED) out_ << w_.list_separator << w_.closed_unpublished;
    out_ << ")\n";
    // Named polls record who chose what; secret ones never do.
    if (poll.secrecy() == v1::POLL_SECRECY_SECRET) return;
    for (const auto& ballot : poll.ballots()) {
      out_ << "  - " << inline_text(names_[ballot.voter_id()]) << ": ";
      for (int c = 0; c < ballot.choices_size(); ++c) {
        const auto index = static_cast<int>(ballot.choices(c));
        if (c > 0) out_ << w_.list_separator;
        out_ << (index < poll.options_size() ? option_label(poll, index) : std::to_string(index));
      }
      out_ << "\n";
    }
  }

  void write_contribution(const v1::Contribution& c) {
    if (c.hidden()) return;
    out_ << "- **" << w_.written_input << ":** " << inline_text(c.text()) << " — "
         << inline_text(names_[c.author_id()]) << " (" << w_.upvotes(c.upvotes());
    if (c.answered()) out_ << w_.list_separator << w_.answered;
    out_ << ")\n";
  }

  void write_item(const v1::AgendaItem& item, int number) {
    const auto status = static_cast<std::size_t>(item.status());
    out_ << "## " << number << ". " << inline_text(item.title()) << " ("
         << w_.item_status[status < 5 ? status : 0];
    if (item.started_at_ms() > 0) {
      out_ << w_.list_separator << utc_time(item.started_at_ms());
      if (item.ended_at_ms() > 0) out_ << "–" << utc_time(item.ended_at_ms());
    }
    out_ << ")\n\n";
    if (!item.description().empty()) out_ << quoted_block(item.description()) << "\n";
    bool any_speaker = false;
    for (const auto& turn : state_.interventions()) {
      if (turn.item_id() != item.id()) continue;
      if (!any_speaker) out_ << w_.speakers << ":\n\n";
      any_speaker = true;
      out_ << "- " << inline_text(names_[turn.participant_id()]) << " ("
           // An intervention records verified values only: empty or unspecified = unverified.
           << (turn.stakeholder_group().empty() ? std::string(w_.group_unverified)
                                                : group(turn.stakeholder_group()))
           << w_.list_separator << attendance_label(turn.attendance()) << ")" << w_.list_separator
           << clock_minutes(turn.duration_ms()) << "\n";
    }
    if (any_speaker) out_ << "\n";
    for (const auto& decision : item.decisions())
      out_ << "- **" << w_.decision << ":** " << inline_text(decision.text()) << "\n";
    for (const auto& action : item.action_items()) {
      out_ << "- **" << w_.action << ":** " << inline_text(action.text());
      if (!action.owner().empty()) out_ << " — " << inline_text(action.owner());
      if (!action.due_date().empty()) out_ << " (" << w_.due << " " << inline_text(action.due_date()) << ")";
      out_ << "\n";
    }
    for (const auto& poll : state_.polls())
      if (poll.item_id() == item.id()) write_poll(poll);
    for (const auto& c : state_.contributions())
      if (c.item_id() == item.id()) write_contribution(c);
    out_ << "\n";
  }

  // Polls and written input that belong to no agenda item (or to one since removed).
  void write_loose() {
    const auto on_agenda = [&](const std::string& item_id) {
      return std::any_of(state_.agenda().begin(), state_.agenda().end(),
                         [&](const auto& item) { return item.id() == item_id; });
    };
    bool any = false;
    for (const auto& poll : state_.polls()) {
      if (on_agenda(poll.item_id())) continue;
      if (poll.status() != v1::POLL_STATUS_PUBLISHED && poll.status() != v1::POLL_STATUS_CLOSED) continue;
      if (!any) out_ << "## " << w_.other_business << "\n\n";
      any = true;
      write_poll(poll);
    }
    for (const auto& c : state_.contributions()) {
      if (on_agenda(c.item_id()) || c.hidden()) continue;
      if (!any) out_ << "## " << w_.other_business << "\n\n";
      any = true;
      write_contribution(c);
    }
    if (any) out_ << "\n";
  }

  void write_speaking_time() {
    // Every group of the meeting, spoken or not, then any other key the figures hold.
    std::vector<v1::SpeakingFigure> by_group;
    for (const auto& g : state_.stakeholder_groups()) {
      v1::SpeakingFigure figure;
      figure.set_key(g);
      by_group.push_back(figure);
    }
    for (const auto& f : state_.equity().by_group()) {
      auto at = std::find_if(by_group.begin(), by_group.end(), [&](const auto& g) { return g.key() == f.key(); });
      if (at == by_group.end()) by_group.push_back(f);
      else *at = f;
    }
    out_ << "## " << w_.speaking_by_group << "\n\n";
    if (by_group.empty()) out_ << "- " << w_.no_turns << "\n";
    for (const auto& f : by_group) {
      const auto label = f.key() == "unspecified" ? std::string(w_.group_unverified) : group(f.key());
      out_ << figure_line(label, f.speaking_ms(), f.turns());
    }
    out_ << "\n## " << w_.speaking_by_attendance << "\n\n";
    std::map<std::string, v1::SpeakingFigure> by_attendance;
    for (const auto& f : state_.equity().by_attendance()) by_attendance[f.key()] = f;
    out_ << figure_line(w_.in_room, by_attendance["in_room"].speaking_ms(), by_attendance["in_room"].turns());
    out_ << figure_line(w_.remote, by_attendance["remote"].speaking_ms(), by_attendance["remote"].turns());
    if (by_attendance.count("unspecified") && by_attendance["unspecified"].turns() > 0) {
      out_ << figure_line(w_.attendance_unverified, by_attendance["unspecified"].speaking_ms(),
                          by_attendance["unspecified"].turns());
    }
    out_ << "\n";
  }

  const v1::MeetingState& state_;
  const words& w_;
  bool arabic_;
  std::map<std::string, std::string> names_;
  std::ostringstream out_;
};

}  // namespace

std::string render_minutes(const v1::MeetingState& state, std::string_view language) {
  const bool in_arabic = language == "ar";
  return minutes_writer(state, in_arabic ? arabic : english, in_arabic).render();
}

}  // namespace majlis::app

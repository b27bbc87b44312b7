// Text checks: UTF-8 validity, length in code points, blankness, ISO dates.
#include "text_rules.hpp"

#include <gtest/gtest.h>

namespace majlis::domain {
namespace {

TEST(domain_text_rules, counts_code_points_not_bytes) {
  EXPECT_EQ(utf8_length(""), 0U);
  EXPECT_EQ(utf8_length("abc"), 3U);
  EXPECT_EQ(utf8_length("فاطمة الزهراء"), 13U);    // 2 bytes per Arabic letter
  EXPECT_EQ(utf8_length("\xF0\x9F\x8E\x89"), 1U);  // an emoji, 4 bytes
}

TEST(domain_text_rules, rejects_malformed_utf8) {
  for (const std::string& bad :
       {std::string("\xC3\x28"), std::string("\xC0\x80"), std::string("\xED\xA0\x80"),
        std::string("\xF5\x80\x80\x80"), std::string("\xE2\x82"), std::string("\x80"),
        std::string("ok\xFF")}) {
    EXPECT_FALSE(utf8_length(bad).has_value()) << bad.size();
  }
}

TEST(domain_text_rules, blank_means_only_white_space) {
  EXPECT_TRUE(is_blank(""));
  EXPECT_TRUE(is_blank(" \t\r\n"));
  EXPECT_TRUE(is_blank("\xC2\xA0"));      // no-break space
  EXPECT_TRUE(is_blank("\xE3\x80\x80"));  // ideographic space
  EXPECT_FALSE(is_blank(" x "));
  EXPECT_FALSE(is_blank("ء"));
}

TEST(domain_text_rules, check_text_names_the_problem) {
  EXPECT_FALSE(check_text("فاطمة الزهراء", 80, "The name").has_value());
  std::string arabic_80;
  for (int i = 0; i < 80; ++i) arabic_80 += "ف";
  EXPECT_FALSE(check_text(arabic_80, 80, "The name").has_value());  // 160 bytes, 80 letters
  auto too_long = check_text(arabic_80 + "ف", 80, "The name");
  ASSERT_TRUE(too_long.has_value());
  EXPECT_EQ(too_long->code, v1::ERROR_CODE_INVALID_ARGUMENT);
  EXPECT_NE(too_long->message.find("80"), std::string::npos);
  auto blank = check_text("  ", 80, "The name");
  ASSERT_TRUE(blank.has_value());
  EXPECT_NE(blank->message.find("empty"), std::string::npos);
  EXPECT_FALSE(check_text("", 80, "The note", text_presence::optional).has_value());
  EXPECT_TRUE(check_text("\xC0\x80", 80, "The note", text_presence::optional).has_value());
}

// The refusal of `text` as a name: its message, or "" when the name is accepted.
std::string name_refusal(const std::string& text) {
  const auto problem = check_text(text, 80, "The name");
  if (!problem) return "";
  EXPECT_EQ(problem->code, v1::ERROR_CODE_INVALID_ARGUMENT) << problem->message;
  return problem->message.empty() ? "(no message)" : problem->message;
}

TEST(domain_text_rules, a_right_to_left_override_is_refused_with_a_readable_message) {
  const std::string message = name_refusal("Amina\u202E nimda");
  EXPECT_NE(message.find("The name"), std::string::npos) << message;
  EXPECT_NE(message.find("right-to-left override (U+202E)"), std::string::npos) << message;
}

TEST(domain_text_rules, every_bidi_embedding_override_and_isolate_is_refused) {
  for (const char* control : {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u2066",
                              "\u2067", "\u2068", "\u2069"}) {
    const std::string message = name_refusal(std::string("ليلى") + control + "x");
    EXPECT_NE(message, "") << "U+" << std::hex << static_cast<int>(control[2] & 0xFF);
    EXPECT_NE(message.find("(U+20"), std::string::npos) << message;
  }
}

TEST(domain_text_rules, arabic_letter_mark_and_directional_marks_are_kept) {
  EXPECT_EQ(name_refusal("\u061C"  "ليلى بن علي"), "");   // ALM
  EXPECT_EQ(name_refusal("عبد الله\u200F (CEO)"), "");    // RLM
  EXPECT_EQ(name_refusal("Dr.\u200E عمر"), "");          // LRM
  EXPECT_EQ(name_refusal("محمد\u061C 2\u200F"), "");
  EXPECT_EQ(name_refusal("فاطمة الزهراء"), "");
}

TEST(domain_text_rules, c0_and_c1_control_characters_are_refused_in_names) {
  for (const std::string& control :
       {std::string(1, '\0'), std::string("\x01"), std::string("\x07"), std::string("\x1B[31m"),
        std::string("\x7F"), std::string("\u0085"), std::string("\u009B"), std::string("\t"),
        std::string("\n"), std::string("\r"), std::string("\r\n")}) {
    const std::string message = name_refusal("Amina" + control + "Haddad");
    EXPECT_NE(message.find("(U+00"), std::string::npos)
        << "control byte " << static_cast<int>(static_cast<unsigned char>(control[0])) << ": "
        << message;
  }
  EXPECT_NE(name_refusal("Amina\nHaddad").find("line break"), std::string::npos);
  EXPECT_NE(name_refusal("Amina\tHaddad").find("tab"), std::string::npos);
}

TEST(domain_text_rules, iso_dates) {
  EXPECT_TRUE(is_iso_date("2026-12-31"));
  EXPECT_TRUE(is_iso_date("2028-02-29"));
  EXPECT_TRUE(is_iso_date("2000-02-29"));
  EXPECT_FALSE(is_iso_date("1900-02-29"));
  EXPECT_FALSE(is_iso_date("2027-02-29"));
  EXPECT_FALSE(is_iso_date("2026-04-31"));
  EXPECT_FALSE(is_iso_date("2026-00-10"));
  EXPECT_FALSE(is_iso_date("2026-1-10"));
  EXPECT_FALSE(is_iso_date("2026/01/10"));
  EXPECT_FALSE(is_iso_date("0000-01-01"));
  EXPECT_FALSE(is_iso_date("٢٠٢٦-٠١-١٠"));
}

}  // namespace
}  // namespace majlis::domain

#include "command_verbs.hpp"

#include <set>

#include <gtest/gtest.h>

#include "enum_names.hpp"
#include "majlis/v1/state.pb.h"

namespace majlis::ctl {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

const command_verb& verb_named(const std::string& name) {
  for (const auto& verb : command_verbs())
    if (verb.name == name) return verb;
  throw std::runtime_error("no verb " + name);
}

v1::Command build(const std::string& verb, const option_values& values) {
  auto built = build_command(verb_named(verb), values);
  if (auto* error = std::get_if<std::string>(&built)) ADD_FAILURE() << *error;
  return std::get<v1::Command>(built);
}

std::string error_of(const std::string& verb, const option_values& values) {
  auto built = build_command(verb_named(verb), values);
  auto* error = std::get_if<std::string>(&built);
  return error ? *error : std::string();
}

// Field paths a verb must offer: every scalar field, and the fields of nested messages.
void collect_paths(const Descriptor& type, const std::string& prefix, std::set<std::string>& out) {
  for (int i = 0; i < type.field_count(); ++i) {
    const auto* field = type.field(i);
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE)
      collect_paths(*field->message_type(), prefix + field->name() + ".", out);
    else
      out.insert(prefix + field->name());
  }
}

TEST(CommandVerbs, OneVerbPerCommandCase) {
  const auto* command = v1::Command::descriptor();
  std::set<std::string> cases;
  for (const auto& verb : command_verbs()) {
    EXPECT_TRUE(cases.insert(verb.command_field).second) << verb.command_field << " twice";
    EXPECT_NE(command->FindFieldByName(verb.command_field), nullptr) << verb.command_field;
  }
  // System commands (120 and up) are never sent by a client: no verb.
  constexpr int first_system_command = 120;
  for (int i = 0; i < command->field_count(); ++i) {
    if (command->field(i)->number() >= first_system_command) continue;
    EXPECT_EQ(cases.count(command->field(i)->name()), 1u) << "no verb for " << command->field(i)->name();
  }
}

TEST(CommandVerbs, EveryFieldHasExactlyOneOptionAndFlagsAreUnique) {
  std::set<std::string> names;
  for (const auto& verb : command_verbs()) {
    EXPECT_TRUE(names.insert(verb.name).second) << verb.name;
    const auto* type = v1::Command::descriptor()->FindFieldByName(verb.command_field)->message_type();
    std::set<std::string> wanted;
    collect_paths(*type, "", wanted);
    std::set<std::string> offered;
    std::set<std::string> flags;
    for (const auto& option : verb.options) {
      EXPECT_TRUE(offered.insert(option.field).second) << verb.name << " " << option.field;
      EXPECT_TRUE(flags.insert(option.flag).second) << verb.name << " " << option.flag;
      EXPECT_EQ(option.flag.rfind("--", 0), 0u) << option.flag;
      EXPECT_FALSE(option.help.empty()) << verb.name << " " << option.flag;
      EXPECT_NO_THROW(shape_of(verb, option)) << verb.name << " " << option.field;
    }
    EXPECT_EQ(offered, wanted) << verb.name;
    EXPECT_FALSE(verb.help.empty()) << verb.name;
  }
}

TEST(CommandVerbs, EmptyCommandsStillNameTheirCase) {
  EXPECT_EQ(build("start-meeting", {}).kind_case(), v1::Command::kStartMeeting);
  EXPECT_EQ(build("end-turn", {}).kind_case(), v1::Command::kEndTurn);
}

TEST(CommandVerbs, RequestFloorOnBehalfOfSomeone) {
  const auto command = build("request-floor", {{"kind", {"point_of_order"}}, {"participant_id", {"p7"}}});
  ASSERT_TRUE(command.has_request_floor());
  EXPECT_EQ(command.request_floor().kind(), v1::REQUEST_KIND_POINT_OF_ORDER);
  EXPECT_EQ(command.request_floor().participant_id(), "p7");
}

TEST(CommandVerbs, RequestFloorDefaultsToSpeak) {
  EXPECT_EQ(build("request-floor", {}).request_floor().kind(), v1::REQUEST_KIND_SPEAK);
}

TEST(CommandVerbs, AddItemAppendsUnlessAPositionIsGiven) {
  EXPECT_EQ(build("add-item", {{"title", {"Budget"}}}).add_agenda_item().position(), -1);
  const auto command = build("add-item", {{"title", {"Budget"}}, {"position", {"0"}}, {"planned_minutes", {"15"}}});
  EXPECT_EQ(command.add_agenda_item().position(), 0);
  EXPECT_EQ(command.add_agenda_item().planned_minutes(), 15u);
}

TEST(CommandVerbs, CreatePollWithRepeatedValues) {
  const auto command = build("create-poll", {{"question", {"Adopt?"}},
                                             {"kind", {"multiple"}},
                                             {"secrecy", {"secret"}},
                                             {"visibility", {"on-publish"}},
                                             {"options", {"A", "B", "C"}},
                                             {"max_choices", {"2"}},
                                             {"eligible_roles", {"participant", "moderator"}}});
  const auto& poll = command.create_poll();
  EXPECT_EQ(poll.kind(), v1::POLL_KIND_MULTIPLE);
  EXPECT_EQ(poll.secrecy(), v1::POLL_SECRECY_SECRET);
  EXPECT_EQ(poll.visibility(), v1::RESULTS_VISIBILITY_ON_PUBLISH);
  EXPECT_EQ(poll.options_size(), 3);
  EXPECT_EQ(poll.max_choices(), 2u);
  ASSERT_EQ(poll.eligible_roles_size(), 2);
  EXPECT_EQ(poll.eligible_roles(1), v1::ROLE_MODERATOR);
}

TEST(CommandVerbs, VoteAndNestedPolicyFlags) {
  const auto vote = build("vote", {{"poll_id", {"poll1"}}, {"choices", {"0", "2"}}});
  EXPECT_EQ(vote.cast_ballot().poll_id(), "poll1");
  ASSERT_EQ(vote.cast_ballot().choices_size(), 2);
  EXPECT_EQ(vote.cast_ballot().choices(1), 2u);

  const auto policy = build("set-queue-policy", {{"policy.first_time_first", {"true"}},
                                                 {"policy.stakeholder_balance", {"false"}}});
  EXPECT_TRUE(policy.set_queue_policy().policy().first_time_first());
  EXPECT_FALSE(policy.set_queue_policy().policy().stakeholder_balance());
}

TEST(CommandVerbs, VerificationAndCheckIn) {
  auto verify = build("verify", {{"participant_id", {"amina"}}});
  EXPECT_EQ(verify.verify_participant().participant_id(), "amina");
  auto accept = build("answer-request", {{"participant_id", {"amina"}}, {"accept", {"true"}}});
  EXPECT_TRUE(accept.answer_participant_request().accept());
  auto decline = build("answer-request", {{"participant_id", {"amina"}}});
  EXPECT_FALSE(decline.answer_participant_request().accept());
  EXPECT_TRUE(build("check-in", {{"open", {"true"}}}).set_check_in().open());
  EXPECT_EQ(build("check-in", {}).kind_case(), v1::Command::kSetCheckIn);
  EXPECT_EQ(build("check-in-code", {{"code", {"042137"}}}).check_in().code(), "042137");
  EXPECT_NE(error_of("check-in-code", {}), "");
}

TEST(CommandVerbs, ShowContributionAndTakeItOff) {
  EXPECT_EQ(build("show-contribution", {{"contribution_id", {"c1"}}})
                .show_contribution()
                .contribution_id(),
            "c1");
  const auto off = build("show-contribution", {});
  ASSERT_TRUE(off.has_show_contribution());
  EXPECT_TRUE(off.show_contribution().contribution_id().empty());
}

TEST(CommandVerbs, SaysWhatIsWrong) {
  EXPECT_EQ(error_of("add-item", {}), "--title is required");
  EXPECT_EQ(error_of("request-floor", {{"kind", {"shout"}}}),
            "--kind must be one of speak, point_of_order, reply, not \"shout\"");
  EXPECT_EQ(error_of("move-item", {{"item_id", {"i1"}}, {"position", {"two"}}}),
            "--position expects an integer, not \"two\"");
  EXPECT_EQ(error_of("vote", {{"poll_id", {"p"}}, {"choices", {"-1"}}}),
            "--choice expects a whole number >= 0, not \"-1\"");
  EXPECT_EQ(error_of("start-item", {{"item_id", {"a", "b"}}}), "--item may be given only once");
}

TEST(EnumNames, ShortNamesFromTheDescriptor) {
  const auto& kinds = *v1::RequestKind_descriptor();
  EXPECT_EQ(enum_choices(kinds), (std::vector<std::string>{"speak", "point_of_order", "reply"}));
  EXPECT_EQ(parse_enum_choice(kinds, "point-of-order"), v1::REQUEST_KIND_POINT_OF_ORDER);
  EXPECT_EQ(parse_enum_choice(kinds, "REPLY"), v1::REQUEST_KIND_REPLY);
  EXPECT_EQ(parse_enum_choice(kinds, "REQUEST_KIND_SPEAK"), v1::REQUEST_KIND_SPEAK);
  EXPECT_FALSE(parse_enum_choice(kinds, "unspecified"));
  EXPECT_FALSE(parse_enum_choice(kinds, ""));
  EXPECT_EQ(enum_choices(*v1::Attendance_descriptor()),
            (std::vector<std::string>{"in_room", "remote"}));
}

}  // namespace
}  // namespace majlis::ctl

// The meeting of the first paragraph, end to end: a national digital-policy consultation run on a
// real majlisd through the C++ client. A chair, a room display, 22 participants from the six
// stakeholder groups (in the room and remote, Arabic and Latin names, binary and JSON clients)
// and two walk-ins the chair registers. Three agenda items: the speaking queue under every
// ordering policy, a named and a secret poll, written contributions, a decision and an action
// item. At the end every client must hold the same state as a fresh client of its audience, and
// nobody may ever have been sent a secret choice or an unpublished result.
#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "meeting_fixture.hpp"

namespace majlis::testing {
namespace {

using client::frame_format;

constexpr auto speak = v1::REQUEST_KIND_SPEAK;
constexpr auto point_of_order = v1::REQUEST_KIND_POINT_OF_ORDER;
constexpr auto reply = v1::REQUEST_KIND_REPLY;

// The reasons the domain documents for each place in the list (server/domain/queue_order.hpp).
const std::string reason_point_of_order = "point of order";
const std::string reason_reply = "reply to the current speaker";
const std::string reason_first_time = "first time on this item";
const std::string reason_alternates = "alternates room and remote";
const std::string reason_in_order = "in order of request";
std::string least(const std::string& group) { return group + " has spoken least"; }

const std::string government = "government";
const std::string private_sector = "private_sector";
const std::string civil_society = "civil_society";
const std::string academia = "academia";
const std::string technical = "technical_community";
const std::string international = "international_organisations";

struct person {
  const char* name;
  const std::string* group;
  const char* attendance;  // "in_room" or "remote"
  bool self_registered;    // POST /register with the invite code, else POST /tokens (admin)
  bool json;               // text frames with the protobuf JSON mapping
};

// Index names used by the script below.
enum who : int {
  omar = 0,     // عمر المختار — government, in the room
  layla,        // ليلى بن علي — academia, remote
  amina,        // Amina Haddad — private sector, remote
  fatima,       // فاطمة الزهراء — civil society, in the room
  tarek,        // technical community, in the room
  sara,         // international organisations, in the room
  salem,        // سالم الورفلي — government, remote
  nadia,        // international organisations, remote
  youssef,      // technical community, remote
  omar_buzaid,  // academia, remote
  maryam,       // مريم الفيتوري — private sector, in the room
  khaled,       // خالد التاجوري — civil society, remote
};

const std::vector<person>& people() {
  static const std::vector<person> list = {
      {"عمر المختار", &government, "in_room", true, false},
      {"ليلى بن علي", &academia, "remote", true, true},
      {"Amina Haddad", &private_sector, "remote", true, false},
      {"فاطمة الزهراء", &civil_society, "in_room", true, false},
      {"Tarek Zlitni", &technical, "in_room", false, true},
      {"Sara Mahmoud", &international, "in_room", false, false},
      {"سالم الورفلي", &government, "remote", true, false},
      {"Nadia Ben Ammar", &international, "remote", false, true},
      {"Youssef El-Mansouri", &technical, "remote", false, false},
      {"Omar Buzaid", &academia, "remote", true, false},
      {"مريم الفيتوري", &private_sector, "in_room", false, true},
      {"خالد التاجوري", &civil_society, "remote", true, false},
      {"Hana Ghariani", &academia, "in_room", false, false},
      {"أحمد الشريف", &government, "in_room", false, true},
      {"Rania Kabir", &civil_society, "remote", true, false},
      {"نور الهدى", &private_sector, "remote", true, false},
      {"Karim Sassi", &technical, "remote", false, true},
      {"Lina Farouk", &international, "remote", false, false},
      {"إبراهيم الفقي", &civil_society, "in_room", true, false},
      {"Dalia Nasser", &government, "remote", false, true},
      {"Mustafa Ali", &academia, "in_room", true, false},
      {"هدى العبيدي", &technical, "in_room", false, false},
  };
  return list;
}

const char* walk_in_1_name = "الحاج محمود الزوي";  // civil society, in the room, no device
const char* walk_in_2_name = "Zainab Idris";        // academia, in the room, no device

struct queued {
  std::string participant_id;
  std::string reason;
  v1::RequestKind kind = speak;
};

const char* kind_label(v1::RequestKind kind) {
  switch (kind) {
    case speak: return "speak";
    case point_of_order: return "point-of-order";
    case reply: return "reply";
    default: return "?";
  }
}

class consultation {
 public:
  consultation(asio::io_context& io, const majlisd_process& server)
      : io_(io), port_(server.port_string()) {
    client::http_api_config config;
    config.port = port_;
    config.admin_key = majlisd_process::admin_key;
    http_ = std::make_unique<client::http_api>(io.get_executor(), config);
  }

  asio::awaitable<void> run() {
    co_await gather();
    co_await item_one_the_speaking_queue();
    co_await item_two_polls();
    co_await item_two_contributions();
    co_await item_three_and_close();
    co_await everyone_agrees();
  }

 private:
  // --- who is here ---

  std::vector<test_client*> everyone() const {
    std::vector<test_client*> all{chair_.get(), display_.get()};
    for (const auto& p : people_) all.push_back(p.get());
    return all;
  }
  test_client& p(int index) { return *people_.at(static_cast<std::size_t>(index)); }
  const std::string& id(int index) { return p(index).participant_id; }
  std::string name_of(const std::string& participant_id) const {
    if (const auto* found = participant_by_id(chair_->state(), participant_id)) {
      return found->display_name();
    }
    return participant_id;
  }
  // The mirrors whose lists of speakers are checked: the chair, the room display, and a
  // participant of each frame format.
  std::vector<test_client*> queue_viewers() { return {chair_.get(), display_.get(), &p(layla), &p(omar)}; }

  asio::awaitable<void> settle(std::uint64_t seq) { co_await wait_all(everyone(), seq); }

  asio::awaitable<std::uint64_t> chair_does(v1::Command command, const std::string& what) {
    const auto result = co_await must(*chair_, std::move(command), what);
    co_return result.seq();
  }

  // --- setting up ---

  asio::awaitable<void> gather() {
    client::meeting_spec spec;
    spec.title = "المشاورة الوطنية حول إصلاح السياسات الرقمية — National digital-policy consultation";
    spec.languages = {"ar", "en"};
    const auto created = co_await http_->create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_code() + " " +
                               created.reply.error_message());
    meeting_id_ = created.value->meeting_id;
    invite_ = created.value->invite_code;
    require(!invite_.empty(), "no invite code in the created meeting");

    chair_ = std::make_unique<test_client>(io_, "chair", "", created.value->tokens.moderator,
                                           v1::ROLE_MODERATOR, config(frame_format::binary));
    display_ = std::make_unique<test_client>(io_, "room display", "", created.value->tokens.display,
                                             v1::ROLE_DISPLAY, config(frame_format::json));

    // A self-registration with a group the meeting does not have is refused.
    client::registration wrong{invite_, "Someone", "press", "remote"};
    const auto refused_registration = co_await http_->register_participant(meeting_id_, wrong);
    require(!refused_registration && refused_registration.reply.status == 400,
            "registering with an unknown stakeholder group should answer 400");
    // And so is a wrong invite code.
    client::registration forged{"not-the-invite", "Someone", civil_society, "remote"};
    const auto forged_registration = co_await http_->register_participant(meeting_id_, forged);
    require(!forged_registration && forged_registration.reply.status == 401,
            "registering with a wrong invite code should answer 401");

    for (const auto& person : people()) {
      // Named requests, not braced temporaries: GCC 12 destroys a braced temporary argument of
      // a coroutine call inside co_await twice (GCC PR 101367).
      client::http_result<client::issued_token> issued;
      if (person.self_registered) {
        client::registration request{invite_, person.name, *person.group, person.attendance};
        issued = co_await http_->register_participant(meeting_id_, request);
      } else {
        client::token_request request{"participant", person.name, *person.group, person.attendance, ""};
        issued = co_await http_->issue_token(meeting_id_, request);
      }
      require(bool(issued), std::string("no token for ") + person.name + ": " +
                                issued.reply.error_code() + " " + issued.reply.error_message());
      people_.push_back(std::make_unique<test_client>(
          io_, person.name, issued.value->participant_id, issued.value->token,
          v1::ROLE_PARTICIPANT, config(person.json ? frame_format::json : frame_format::binary)));
    }

    co_await connect_and_join(*chair_, port_, meeting_id_);
    co_await connect_and_join(*display_, port_, meeting_id_);
    for (auto& person : people_) co_await connect_and_join(*person, port_, meeting_id_);
    for (auto* who : everyone()) {
      require(who->welcomes.size() == 1 && who->welcomes[0].has_snapshot(),
              who->name + ": the first join must bring a snapshot");
    }

    // Two people in the room without a device: the chair registers them.
    auto seq = co_await chair_does(cmd::add_walk_in(walk_in_1_name, civil_society), "add a walk-in");
    seq = co_await chair_does(cmd::add_walk_in(walk_in_2_name, academia), "add a walk-in");
    co_await settle(seq);
    for (const auto& participant : chair_->state().participants()) {
      if (participant.display_name() == walk_in_1_name) walk_in_1_ = participant.id();
      if (participant.display_name() == walk_in_2_name) walk_in_2_ = participant.id();
    }
    require(!walk_in_1_.empty() && !walk_in_2_.empty(), "the walk-ins are not on the roster");

    // People who registered through the invite link said their own group and attendance: the
    // fairness rules ignore both until the chair confirms them (admin-issued people are
    // verified by their token).
    for (std::size_t i = 0; i < people().size(); ++i) {
      const auto* on_roster = participant_by_id(chair_->state(), people_[i]->participant_id);
      require(on_roster != nullptr, std::string("the chair misses ") + people()[i].name);
      const bool verified = on_roster->group_verified() && on_roster->attendance_verified();
      require(verified != people()[i].self_registered,
              std::string(people()[i].name) + " has the wrong verification: " + on_roster->ShortDebugString());
      if (people()[i].self_registered)
        seq = co_await chair_does(cmd::verify_participant(people_[i]->participant_id),
                                  std::string("verify ") + people()[i].name);
    }
    co_await settle(seq);

    // The roster as everyone sees it: 22 participants online with their group and attendance,
    // the chair online, the walk-ins in the room and offline; the display counted in the
    // audience, not listed.
    for (auto* viewer : everyone()) {
      const auto& state = viewer->state();
      require(state.participants_size() == 1 + static_cast<int>(people().size()) + 2,
              viewer->name + " sees " + std::to_string(state.participants_size()) +
                  " people on the roster");
      for (std::size_t i = 0; i < people().size(); ++i) {
        const auto* on_roster = participant_by_id(state, people_[i]->participant_id);
        require(on_roster != nullptr, viewer->name + " misses " + people()[i].name);
        require(on_roster->display_name() == people()[i].name &&
                    on_roster->stakeholder_group() == *people()[i].group &&
                    on_roster->attendance() == (std::string(people()[i].attendance) == "in_room"
                                                    ? v1::ATTENDANCE_IN_ROOM
                                                    : v1::ATTENDANCE_REMOTE) &&
                    on_roster->role() == v1::ROLE_PARTICIPANT && on_roster->online() &&
                    on_roster->connection_count() == 1,
                viewer->name + " sees a wrong roster entry: " + on_roster->ShortDebugString());
      }
      for (const std::string* walk_in : {&walk_in_1_, &walk_in_2_}) {
        const auto* entry = participant_by_id(state, *walk_in);
        require(entry != nullptr && entry->walk_in() && !entry->online() &&
                    entry->attendance() == v1::ATTENDANCE_IN_ROOM,
                viewer->name + " sees a wrong walk-in");
      }
      require(participant_by_id(state, display_->participant_id) == nullptr,
              viewer->name + " sees the display on the roster");
      std::uint32_t displays = 0;
      for (const auto& count : state.audience()) displays += count.displays();
      require(displays == 1, viewer->name + " does not count the display: " +
                                 std::to_string(displays));
    }

    // Displays are read-only.
    co_await refused(*display_, cmd::request(speak), v1::ERROR_CODE_PERMISSION_DENIED,
                     "a display asking for the floor");

    // The agenda, then the meeting starts.
    seq = co_await chair_does(cmd::add_item("قانون الهوية الرقمية وحماية البيانات",
                                            "Digital identity law and data protection", 45,
                                            "وزارة الاتصالات"),
                              "add item 1");
    seq = co_await chair_does(cmd::add_item("أولويات الإصلاح: التصويت",
                                            "Reform priorities: polls and written input", 30),
                              "add item 2");
    seq = co_await chair_does(cmd::add_item("خطة العمل والمتابعة", "Action plan and follow-up", 20),
                              "add item 3");
    co_await settle(seq);
    require(chair_->state().agenda_size() == 3, "the agenda does not have three items");
    item1_ = chair_->state().agenda(0).id();
    item2_ = chair_->state().agenda(1).id();
    item3_ = chair_->state().agenda(2).id();

    co_await refused(p(omar), cmd::request(speak), v1::ERROR_CODE_FAILED_PRECONDITION,
                     "asking for the floor before the meeting starts");
    co_await refused(p(omar), cmd::start_meeting(), v1::ERROR_CODE_PERMISSION_DENIED,
                     "a participant starting the meeting");
    co_await chair_does(cmd::start_meeting(), "start the meeting");
    seq = co_await chair_does(cmd::start_item(item1_), "start item 1");
    co_await settle(seq);
    for (auto* viewer : everyone()) {
      require(viewer->state().status() == v1::MEETING_STATUS_LIVE &&
                  viewer->state().current_item_id() == item1_,
              viewer->name + " does not see the meeting live on item 1");
    }
  }

  // --- item 1: the list of speakers ---

  void check_queue(const std::string& when, const std::vector<queued>& expected) {
    std::string want;
    for (const auto& entry : expected) {
      want += name_of(entry.participant_id) + "/" + kind_label(entry.kind) + " «" + entry.reason + "» | ";
    }
    for (auto* viewer : queue_viewers()) {
      const auto* item = item_by_id(viewer->state(), item1_);
      require(item != nullptr, viewer->name + " has no item 1");
      std::string got;
      for (const auto& entry : item->speakers().waiting()) {
        got += name_of(entry.participant_id()) + "/" + kind_label(entry.kind()) + " «" +
               entry.reason() + "» | ";
      }
      require(got == want, when + ": " + viewer->name + " sees\n  " + got + "\nexpected\n  " + want);
    }
  }

  void check_floor(const std::string& when, const std::string& participant_id,
                   v1::RequestKind kind, bool paused = false) {
    for (auto* viewer : queue_viewers()) {
      const auto* item = item_by_id(viewer->state(), item1_);
      require(item != nullptr, viewer->name + " has no item 1");
      const auto& list = item->speakers();
      require(list.floor_taken() && list.floor().participant_id() == participant_id &&
                  list.floor().kind() == kind && list.floor().paused() == paused,
              when + ": " + viewer->name + " sees the floor as " + list.floor().ShortDebugString() +
                  " (taken " + std::to_string(list.floor_taken()) + "), expected " +
                  name_of(participant_id));
    }
  }

  void check_floor_free(const std::string& when) {
    for (auto* viewer : queue_viewers()) {
      const auto* item = item_by_id(viewer->state(), item1_);
      require(item != nullptr && !item->speakers().floor_taken(),
              when + ": " + viewer->name + " still sees someone on the floor");
    }
  }

  asio::awaitable<std::uint64_t> ask(int index, v1::RequestKind kind) {
    const auto result = co_await must(p(index), cmd::request(kind),
                                      std::string("request the floor (") + kind_label(kind) + ")");
    co_return result.seq();
  }

  std::int64_t group_ms(const v1::MeetingState& state, const std::string& group) {
    for (const auto& figure : state.equity().by_group()) {
      if (figure.key() == group) return figure.speaking_ms();
    }
    return 0;
  }

  asio::awaitable<void> item_one_the_speaking_queue() {
    // Hands go up; the chair puts the first walk-in on the list on his behalf. No policy yet:
    // first come, first served.
    co_await ask(omar, speak);
    co_await ask(layla, speak);
    auto seq = co_await chair_does(cmd::request(speak, walk_in_1_), "queue the first walk-in");
    seq = co_await ask(amina, speak);
    co_await settle(seq);
    check_queue("four hands up", {{id(omar), reason_in_order},
                                  {id(layla), reason_in_order},
                                  {walk_in_1_, reason_in_order},
                                  {id(amina), reason_in_order}});
    {
      const auto& waiting = item_by_id(display_->state(), item1_)->speakers().waiting();
      require(waiting.Get(2).added_by_chair() && !waiting.Get(0).added_by_chair(),
              "the walk-in's entry should say the chair added it");
    }
    co_await refused(p(omar), cmd::request(speak), v1::ERROR_CODE_ALREADY_EXISTS,
                     "a second waiting request to speak");
    co_await refused(p(omar), cmd::request(speak, id(layla)), v1::ERROR_CODE_PERMISSION_DENIED,
                     "a participant queueing someone else");
    co_await refused(p(layla), cmd::request(reply), v1::ERROR_CODE_FAILED_PRECONDITION,
                     "a reply while nobody has the floor");

    // Points of order go before every request to speak, first come first served among them.
    co_await ask(tarek, point_of_order);
    seq = co_await ask(sara, point_of_order);
    co_await settle(seq);
    check_queue("two points of order", {{id(tarek), reason_point_of_order, point_of_order},
                                        {id(sara), reason_point_of_order, point_of_order},
                                        {id(omar), reason_in_order},
                                        {id(layla), reason_in_order},
                                        {walk_in_1_, reason_in_order},
                                        {id(amina), reason_in_order}});

    // The floor: the points of order first, then the first speaker.
    seq = co_await chair_does(cmd::next_speaker(), "call the next speaker");
    co_await settle(seq);
    check_floor("first point of order", id(tarek), point_of_order);
    co_await sleep_for(20ms);
    seq = co_await chair_does(cmd::next_speaker(), "call the next speaker");
    co_await settle(seq);
    check_floor("second point of order", id(sara), point_of_order);
    co_await sleep_for(20ms);
    seq = co_await chair_does(cmd::next_speaker(), "call the next speaker");
    const auto omar_turn_start = std::chrono::steady_clock::now();
    co_await settle(seq);
    check_floor("first speaker", id(omar), speak);
    check_queue("Omar speaks", {{id(layla), reason_in_order},
                                {walk_in_1_, reason_in_order},
                                {id(amina), reason_in_order}});

    // A direct reply to Omar goes right after him; a point of order still goes first.
    co_await refused(p(omar), cmd::request(reply), v1::ERROR_CODE_FAILED_PRECONDITION,
                     "the speaker replying to himself");
    seq = co_await ask(salem, reply);
    co_await settle(seq);
    check_queue("a reply to Omar", {{id(salem), reason_reply, reply},
                                    {id(layla), reason_in_order},
                                    {walk_in_1_, reason_in_order},
                                    {id(amina), reason_in_order}});
    seq = co_await ask(nadia, point_of_order);
    co_await settle(seq);
    check_queue("a point of order during the reply", {{id(nadia), reason_point_of_order, point_of_order},
                                                      {id(salem), reason_reply, reply},
                                                      {id(layla), reason_in_order},
                                                      {walk_in_1_, reason_in_order},
                                                      {id(amina), reason_in_order}});

    // Pause and resume: the paused stretch does not count as spoken time.
    seq = co_await chair_does(cmd::pause_floor(), "pause the speaker");
    co_await settle(seq);
    check_floor("paused", id(omar), speak, /*paused=*/true);
    co_await refused(p(omar), cmd::pause_floor(), v1::ERROR_CODE_PERMISSION_DENIED,
                     "a participant pausing the floor");
    co_await sleep_for(150ms);
    seq = co_await chair_does(cmd::resume_floor(), "resume the speaker");
    co_await settle(seq);
    check_floor("resumed", id(omar), speak);
    co_await refused(p(layla), cmd::end_turn(), v1::ERROR_CODE_PERMISSION_DENIED,
                     "ending someone else's turn");
    // Government speaks longest in this item (the stakeholder balance below relies on it).
    co_await sleep_for(900ms);
    seq = co_await chair_does(cmd::end_turn(), "end Omar's turn");
    co_await settle(seq);
    check_floor_free("after Omar");
    {
      const auto& interventions = chair_->state().interventions();
      require(interventions.size() == 3, "three turns should be recorded after Omar");
      const auto& omar_turn = interventions.Get(2);
      const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - omar_turn_start)
                            .count();
      require(omar_turn.participant_id() == id(omar) && omar_turn.item_id() == item1_ &&
                  omar_turn.kind() == speak && omar_turn.stakeholder_group() == government &&
                  omar_turn.attendance() == v1::ATTENDANCE_IN_ROOM &&
                  omar_turn.time_limit_ms() == 3 * 60 * 1000,
              "Omar's intervention is wrong: " + omar_turn.ShortDebugString());
      // The 150 ms pause is left out of the spoken time.
      require(omar_turn.ended_at_ms() - omar_turn.started_at_ms() - omar_turn.duration_ms() >= 150,
              "the pause was counted as spoken time: " + omar_turn.ShortDebugString());
      require(omar_turn.duration_ms() >= 900 && omar_turn.duration_ms() < wall + 5000,
              "Omar's spoken time is implausible: " + omar_turn.ShortDebugString());
    }

    // Nadia's point of order, then Salem's reply, then Layla, who ends her own turn.
    seq = co_await chair_does(cmd::next_speaker(), "call the next speaker");
    co_await settle(seq);
    check_floor("point of order after Omar", id(nadia), point_of_order);
    co_await sleep_for(20ms);
    seq = co_await chair_does(cmd::next_speaker(), "call the next speaker");
    co_await settle(seq);
    check_floor("the reply", id(salem), reply);
    co_await sleep_for(500ms);
    seq = co_await chair_does(cmd::next_speaker(), "call the next speaker");
    co_await settle(seq);
    check_floor("Layla", id(layla), speak);
    co_await sleep_for(300ms);
    seq = (co_await must(p(layla), cmd::end_turn(), "end her own turn")).seq();
    co_await settle(seq);
    check_floor_free("Layla ended her turn");

    // The chair gives the floor directly to the second walk-in, who had not asked.
    seq = co_await chair_does(cmd::grant_floor(walk_in_2_), "grant the floor to a walk-in");
    co_await settle(seq);
    check_floor("walk-in granted", walk_in_2_, speak);
    co_await sleep_for(300ms);
    seq = co_await chair_does(cmd::end_turn(), "end the walk-in's turn");
    co_await settle(seq);
    check_floor_free("after the walk-in");
    check_queue("after the first round", {{walk_in_1_, reason_in_order}, {id(amina), reason_in_order}});

    // New hands: some have spoken on this item already (Omar, Tarek, the second walk-in), some
    // have not. The chair queues the second walk-in again.
    co_await ask(omar, speak);
    co_await ask(tarek, speak);
    co_await ask(youssef, speak);
    co_await chair_does(cmd::request(speak, walk_in_2_), "queue the second walk-in");
    co_await ask(fatima, speak);
    co_await ask(omar_buzaid, speak);
    seq = co_await ask(maryam, speak);
    co_await settle(seq);
    check_queue("fifo", {{walk_in_1_, reason_in_order},
                         {id(amina), reason_in_order},
                         {id(omar), reason_in_order},
                         {id(tarek), reason_in_order},
                         {id(youssef), reason_in_order},
                         {walk_in_2_, reason_in_order},
                         {id(fatima), reason_in_order},
                         {id(omar_buzaid), reason_in_order},
                         {id(maryam), reason_in_order}});

    // Who spoke how long so far, as the mirrors say: technical community (one short point of
    // order) < academia (Layla and the walk-in) < government (Omar and Salem); private sector
    // and civil society have not spoken. The expected orders below rest on this.
    {
      const auto& state = chair_->state();
      const auto t = group_ms(state, technical);
      const auto a = group_ms(state, academia);
      const auto g = group_ms(state, government);
      require(t > 0 && t < a && a < g && group_ms(state, private_sector) == 0 &&
                  group_ms(state, civil_society) == 0,
              "speaking times do not have the planned shape: " + state.equity().ShortDebugString());
      require(state.interventions(state.interventions_size() - 1).attendance() ==
                  v1::ATTENDANCE_IN_ROOM,
              "the last turn on item 1 should have been in the room");
    }

    // first_time_first: those who have not spoken on this item go first, in request order.
    seq = co_await chair_does(cmd::set_policy(true, false, false), "switch on first_time_first");
    co_await settle(seq);
    check_queue("first_time_first", {{walk_in_1_, reason_first_time},
                                     {id(amina), reason_first_time},
                                     {id(youssef), reason_first_time},
                                     {id(fatima), reason_first_time},
                                     {id(omar_buzaid), reason_first_time},
                                     {id(maryam), reason_first_time},
                                     {id(omar), reason_in_order},
                                     {id(tarek), reason_in_order},
                                     {walk_in_2_, reason_in_order}});

    // alternate_attendance: the last turn was in the room, so remote first, then room, ...
    // while both wait; when only the room is left, request order.
    seq = co_await chair_does(cmd::set_policy(false, true, false), "switch on alternate_attendance");
    co_await settle(seq);
    check_queue("alternate_attendance", {{id(amina), reason_alternates},
                                         {walk_in_1_, reason_alternates},
                                         {id(youssef), reason_alternates},
                                         {id(omar), reason_alternates},
                                         {id(omar_buzaid), reason_alternates},
                                         {id(tarek), reason_in_order},
                                         {walk_in_2_, reason_in_order},
                                         {id(fatima), reason_in_order},
                                         {id(maryam), reason_in_order}});

    // stakeholder_balance: the group with the least speaking time goes next; each placed
    // speaker adds a default turn (3 minutes) to their group; ties go by the meeting's order
    // of groups (private sector before civil society).
    seq = co_await chair_does(cmd::set_policy(false, false, true), "switch on stakeholder_balance");
    co_await settle(seq);
    check_queue("stakeholder_balance", {{id(amina), least(private_sector)},
                                        {walk_in_1_, least(civil_society)},
                                        {id(tarek), least(technical)},
                                        {walk_in_2_, least(academia)},
                                        {id(omar), least(government)},
                                        {id(maryam), least(private_sector)},
                                        {id(fatima), least(civil_society)},
                                        {id(youssef), least(technical)},
                                        {id(omar_buzaid), reason_in_order}});

    // All three: first-timers, then among them alternate, then balance; the reason names the
    // last rule that decided.
    seq = co_await chair_does(cmd::set_policy(true, true, true), "switch on every policy");
    co_await settle(seq);
    check_queue("all policies", {{id(amina), least(private_sector)},
                                 {walk_in_1_, least(civil_society)},
                                 {id(youssef), least(technical)},
                                 {id(maryam), least(private_sector)},
                                 {id(omar_buzaid), reason_alternates},
                                 {id(fatima), reason_first_time},
                                 {id(omar), least(government)},
                                 {id(tarek), least(technical)},
                                 {walk_in_2_, reason_in_order}});

    // The chair moves the second walk-in to the top: it stays there whatever the policy says.
    {
      const auto& waiting = item_by_id(chair_->state(), item1_)->speakers().waiting();
      std::string entry;
      for (const auto& e : waiting) {
        if (e.participant_id() == walk_in_2_) entry = e.id();
      }
      v1::Command move;
      move.mutable_move_request()->set_entry_id(entry);
      move.mutable_move_request()->set_position(0);
      seq = co_await chair_does(move, "move the walk-in to the top");
      co_await settle(seq);
      const auto* item = item_by_id(display_->state(), item1_);
      require(item->speakers().waiting(0).participant_id() == walk_in_2_ &&
                  item->speakers().waiting(0).pinned() &&
                  item->speakers().waiting(0).reason() == "moved by the chair",
              "the moved entry is not at the top: " + item->speakers().ShortDebugString());
    }

    // Next speaker: the head of the list takes the floor and leaves the list.
    seq = co_await chair_does(cmd::next_speaker(), "call the next speaker");
    co_await settle(seq);
    check_floor("the moved walk-in speaks", walk_in_2_, speak);
    co_await sleep_for(50ms);
    std::set<std::string> waiting_before;
    for (const auto& e : item_by_id(chair_->state(), item1_)->speakers().waiting()) {
      waiting_before.insert(e.participant_id());
    }
    seq = co_await chair_does(cmd::next_speaker(), "call the next speaker");
    co_await settle(seq);
    {
      const auto& list = item_by_id(chair_->state(), item1_)->speakers();
      require(list.floor_taken() && waiting_before.contains(list.floor().participant_id()) &&
                  list.waiting_size() == 7,
              "the next speaker did not come from the list: " + list.ShortDebugString());
      for (const auto& e : list.waiting()) {
        require(e.participant_id() != list.floor().participant_id(),
                "the speaker is still on the list");
        require(!e.reason().empty(), "an entry without a reason");
      }
    }
    co_await sleep_for(50ms);
    seq = co_await chair_does(cmd::end_turn(), "end the turn");
    co_await settle(seq);

    // Interventions and equity figures: one intervention per turn, and the figures add them up
    // by group and by attendance.
    const auto& state = chair_->state();
    require(state.interventions_size() == 9,
            "expected 9 interventions, got " + std::to_string(state.interventions_size()));
    const std::vector<std::pair<std::string, v1::RequestKind>> turns = {
        {id(tarek), point_of_order}, {id(sara), point_of_order}, {id(omar), speak},
        {id(nadia), point_of_order}, {id(salem), reply},          {id(layla), speak},
        {walk_in_2_, speak},         {walk_in_2_, speak}};
    for (std::size_t i = 0; i < turns.size(); ++i) {
      const auto& intervention = state.interventions(static_cast<int>(i));
      require(intervention.participant_id() == turns[i].first &&
                  intervention.kind() == turns[i].second && intervention.item_id() == item1_ &&
                  intervention.duration_ms() > 0,
              "intervention " + std::to_string(i) + " is wrong: " + intervention.ShortDebugString());
    }
    std::map<std::string, std::pair<std::int64_t, std::uint32_t>> by_group, by_attendance;
    for (const auto& intervention : state.interventions()) {
      const auto* speaker = participant_by_id(state, intervention.participant_id());
      require(speaker != nullptr && intervention.stakeholder_group() == speaker->stakeholder_group() &&
                  intervention.attendance() == speaker->attendance(),
              "an intervention does not carry its speaker's group and attendance");
      auto& g = by_group[intervention.stakeholder_group()];
      g.first += intervention.duration_ms();
      g.second += 1;
      auto& a = by_attendance[intervention.attendance() == v1::ATTENDANCE_IN_ROOM ? "in_room" : "remote"];
      a.first += intervention.duration_ms();
      a.second += 1;
    }
    require(state.equity().by_group_size() == static_cast<int>(by_group.size()) &&
                state.equity().by_attendance_size() == 2,
            "equity figures have the wrong keys: " + state.equity().ShortDebugString());
    for (const auto& figure : state.equity().by_group()) {
      require(by_group.contains(figure.key()) && by_group[figure.key()].first == figure.speaking_ms() &&
                  by_group[figure.key()].second == figure.turns(),
              "equity for " + figure.key() + " does not add up: " + figure.ShortDebugString());
    }
    for (const auto& figure : state.equity().by_attendance()) {
      require(by_attendance.contains(figure.key()) &&
                  by_attendance[figure.key()].first == figure.speaking_ms() &&
                  by_attendance[figure.key()].second == figure.turns(),
              "equity for " + figure.key() + " does not add up: " + figure.ShortDebugString());
    }
    for (auto* viewer : everyone()) {
      require(differences(viewer->state().equity(), state.equity()).empty() &&
                  viewer->state().interventions_size() == 9,
              viewer->name + " sees other equity figures than the chair");
    }
  }

  // --- item 2: a named and a secret poll ---

  std::string poll_id_by_question(const std::string& question) {
    for (const auto& poll : chair_->state().polls()) {
      if (poll.question() == question) return poll.id();
    }
    return {};
  }

  asio::awaitable<void> item_two_polls() {
    auto seq = co_await chair_does(cmd::start_item(item2_), "start item 2");
    co_await settle(seq);
    require(item_by_id(display_->state(), item1_)->status() == v1::AGENDA_ITEM_STATUS_DONE &&
                display_->state().current_item_id() == item2_,
            "starting item 2 should close item 1");

    // A named poll with live results: everyone votes, one person changes their mind.
    const std::string named_question = "أي نموذج حوكمة تفضلون لهيئة حماية البيانات؟";
    // (Named locals, not braced lists: GCC 12 cannot hold an initializer_list of strings in a
    // coroutine frame.)
    std::vector<std::string> named_options;
    named_options.push_back("هيئة مستقلة");
    named_options.push_back("إدارة داخل الوزارة");
    named_options.push_back("شراكة متعددة الأطراف");
    seq = co_await chair_does(cmd::create_poll(named_question, v1::POLL_KIND_SINGLE,
                                               v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_LIVE,
                                               named_options),
                              "create the named poll");
    co_await settle(seq);
    named_poll_ = poll_id_by_question(named_question);
    require(!named_poll_.empty(), "the named poll is not in the chair's mirror");
    co_await refused(p(omar), cmd::cast(named_poll_, 0), v1::ERROR_CODE_FAILED_PRECONDITION,
                     "voting in a draft poll");
    co_await chair_does(cmd::open_poll(named_poll_), "open the named poll");
    for (std::size_t i = 0; i < people_.size(); ++i) {
      const std::uint32_t choice = static_cast<std::uint32_t>(i % 3);
      named_choice_[people_[i]->participant_id] = choice;
      co_await must(*people_[i], cmd::cast(named_poll_, choice), "vote in the named poll");
    }
    co_await refused(*display_, cmd::cast(named_poll_, 0), v1::ERROR_CODE_PERMISSION_DENIED,
                     "the display voting");
    co_await refused(p(omar), cmd::cast(named_poll_, 7), v1::ERROR_CODE_INVALID_ARGUMENT,
                     "voting for an option that does not exist");
    co_await must(*chair_, cmd::cast(named_poll_, 0), "vote in the named poll");
    named_choice_[chair_->participant_id] = 0;
    // Sara (choice 2) changes her named ballot to option 0.
    seq = (co_await must(p(sara), cmd::cast(named_poll_, 0), "change her named ballot")).seq();
    named_choice_[id(sara)] = 0;
    co_await settle(seq);
    std::vector<std::uint32_t> named_tally(3, 0);
    for (const auto& [voter, choice] : named_choice_) named_tally[choice]++;
    require(named_tally[0] + named_tally[1] + named_tally[2] == 23, "23 voters expected");
    // Live visibility: everyone follows the tally and the named ballots while the poll is open.
    for (auto* viewer : everyone()) {
      const auto* poll = poll_by_id(viewer->state(), named_poll_);
      require(poll != nullptr && poll->status() == v1::POLL_STATUS_OPEN && poll->tally_visible() &&
                  std::vector<std::uint32_t>(poll->tally().begin(), poll->tally().end()) == named_tally &&
                  poll->voter_ids_size() == 23 && poll->ballots_size() == 23,
              viewer->name + " does not see the live named poll right: " + poll->ShortDebugString());
      for (const auto& ballot : poll->ballots()) {
        require(ballot.choices_size() == 1 && ballot.choices(0) == named_choice_[ballot.voter_id()],
                viewer->name + " sees a wrong named ballot for " + name_of(ballot.voter_id()));
      }
    }
    seq = co_await chair_does(cmd::close_poll(named_poll_), "close the named poll");
    co_await refused(p(omar), cmd::cast(named_poll_, 1), v1::ERROR_CODE_FAILED_PRECONDITION,
                     "voting in a closed poll");
    seq = co_await chair_does(cmd::publish_poll(named_poll_), "publish the named poll");
    co_await settle(seq);
    for (auto* viewer : everyone()) {
      const auto* poll = poll_by_id(viewer->state(), named_poll_);
      require(poll->status() == v1::POLL_STATUS_PUBLISHED &&
                  std::vector<std::uint32_t>(poll->tally().begin(), poll->tally().end()) == named_tally &&
                  poll->eligible_online_at_close() == 23,
              viewer->name + " does not see the published named poll right: " + poll->ShortDebugString());
    }

    // A secret yes/no/abstain poll whose result waits for the chair to publish it.
    const std::string secret_question = "هل توافقون على إنشاء هيئة مستقلة لحماية البيانات؟";
    co_await refused(*chair_,
                     cmd::create_poll(secret_question, v1::POLL_KIND_YES_NO_ABSTAIN,
                                      v1::POLL_SECRECY_SECRET, v1::RESULTS_VISIBILITY_LIVE),
                     v1::ERROR_CODE_INVALID_ARGUMENT, "a secret poll with live results");
    seq = co_await chair_does(cmd::create_poll(secret_question, v1::POLL_KIND_YES_NO_ABSTAIN,
                                               v1::POLL_SECRECY_SECRET,
                                               v1::RESULTS_VISIBILITY_ON_PUBLISH),
                              "create the secret poll");
    co_await settle(seq);
    secret_poll_ = poll_id_by_question(secret_question);
    require(!secret_poll_.empty(), "the secret poll is not in the chair's mirror");
    co_await chair_does(cmd::open_poll(secret_poll_), "open the secret poll");
    std::vector<std::uint32_t> secret_tally(3, 0);
    for (std::size_t i = 0; i < people_.size(); ++i) {
      const std::uint32_t choice = i < 13 ? 0 : (i < 19 ? 1 : 2);  // 13 yes, 6 no, 3 abstain
      secret_tally[choice]++;
      co_await must(*people_[i], cmd::cast(secret_poll_, choice), "vote in the secret poll");
    }
    seq = (co_await must(*chair_, cmd::cast(secret_poll_, 2), "vote in the secret poll")).seq();
    secret_tally[2]++;
    // A secret ballot is final.
    co_await refused(p(omar), cmd::cast(secret_poll_, 1), v1::ERROR_CODE_ALREADY_EXISTS,
                     "a second secret ballot");
    co_await refused(*chair_, cmd::cast(secret_poll_, 0), v1::ERROR_CODE_ALREADY_EXISTS,
                     "the chair's second secret ballot");
    co_await settle(seq);
    // While it is open: turnout for everyone, the tally for nobody (the chair included).
    for (auto* viewer : everyone()) {
      const auto* poll = poll_by_id(viewer->state(), secret_poll_);
      require(poll != nullptr && poll->status() == v1::POLL_STATUS_OPEN && poll->tally().empty() &&
                  !poll->tally_visible() && poll->ballots().empty() && poll->voter_ids_size() == 23,
              viewer->name + " sees too much (or too little) of the open secret poll: " +
                  poll->ShortDebugString());
    }
    seq = co_await chair_does(cmd::close_poll(secret_poll_), "close the secret poll");
    co_await settle(seq);
    // Closed, not published: the chair learns the result, nobody else does yet.
    for (auto* viewer : everyone()) {
      const auto* poll = poll_by_id(viewer->state(), secret_poll_);
      const std::vector<std::uint32_t> tally(poll->tally().begin(), poll->tally().end());
      if (viewer == chair_.get()) {
        require(poll->status() == v1::POLL_STATUS_CLOSED && poll->tally_visible() && tally == secret_tally,
                "the chair should see the closed secret poll's tally: " + poll->ShortDebugString());
      } else {
        require(poll->status() == v1::POLL_STATUS_CLOSED && !poll->tally_visible() && tally.empty(),
                viewer->name + " sees the secret result before it is published: " + poll->ShortDebugString());
      }
      require(poll->ballots().empty() && poll->eligible_online_at_close() == 23,
              viewer->name + " sees a wrong closed secret poll: " + poll->ShortDebugString());
    }
    seq = co_await chair_does(cmd::publish_poll(secret_poll_), "publish the secret poll");
    co_await settle(seq);
    for (auto* viewer : everyone()) {
      const auto* poll = poll_by_id(viewer->state(), secret_poll_);
      require(poll->status() == v1::POLL_STATUS_PUBLISHED && poll->tally_visible() &&
                  std::vector<std::uint32_t>(poll->tally().begin(), poll->tally().end()) == secret_tally &&
                  poll->ballots().empty() && poll->voter_ids_size() == 23,
              viewer->name + " does not see the published secret poll right: " + poll->ShortDebugString());
    }
    secret_tally_ = secret_tally;
    named_tally_ = named_tally;
  }

  // --- item 2: written input ---

  std::string contribution_by_text(const std::string& text) {
    for (const auto& c : chair_->state().contributions()) {
      if (c.text() == text) return c.id();
    }
    return {};
  }

  asio::awaitable<void> item_two_contributions() {
    const std::vector<std::pair<int, std::string>> texts = {
        {fatima, "نطالب بضمانات واضحة لحماية البيانات الشخصية في قانون الهوية الرقمية."},
        {amina, "The private sector needs a clear compliance timeline — الجدول الزمني للامتثال ضروري."},
        {layla, "ينبغي إشراك الجامعات في تقييم الأثر قبل اعتماد القانون."},
        {khaled, "نرجو نشر مسودة القانون للتعليق العام لمدة ثلاثين يوماً."},
        {14, "إعلان تجاري لا علاقة له بالموضوع"},  // Rania: off topic, the chair hides it
    };
    std::uint64_t seq = 0;
    for (const auto& [author, text] : texts) {
      seq = (co_await must(p(author), cmd::submit(text), "submit a contribution")).seq();
    }
    co_await settle(seq);
    std::vector<std::string> ids;
    for (const auto& [author, text] : texts) {
      ids.push_back(contribution_by_text(text));
      require(!ids.back().empty(), "a contribution is missing from the chair's mirror");
    }
    // Upvotes: 10 for Fatima's, 3 for Layla's, 2 for Khaled's (one from the chair), 1 for the
    // off-topic one before it is hidden.
    for (int voter = 4; voter <= 12; ++voter) {
      if (voter == fatima) continue;
      co_await must(p(voter), cmd::upvote(ids[0]), "upvote");
    }
    co_await must(p(13), cmd::upvote(ids[0]), "upvote");
    for (int voter : {13, 15, 16}) co_await must(p(voter), cmd::upvote(ids[2]), "upvote");
    co_await must(*chair_, cmd::upvote(ids[3]), "upvote");
    co_await must(p(17), cmd::upvote(ids[3]), "upvote");
    co_await must(p(18), cmd::upvote(ids[4]), "upvote");
    co_await refused(p(fatima), cmd::upvote(ids[0]), v1::ERROR_CODE_FAILED_PRECONDITION,
                     "upvoting one's own contribution");
    co_await refused(p(13), cmd::upvote(ids[0]), v1::ERROR_CODE_ALREADY_EXISTS, "upvoting twice");
    co_await refused(p(omar), cmd::mark(ids[0], true, false), v1::ERROR_CODE_PERMISSION_DENIED,
                     "a participant marking a contribution");
    co_await chair_does(cmd::mark(ids[0], true, false), "mark a contribution answered");
    seq = co_await chair_does(cmd::mark(ids[4], false, true), "hide a contribution");
    co_await refused(p(19), cmd::upvote(ids[4]), v1::ERROR_CODE_NOT_FOUND,
                     "upvoting a hidden contribution");
    co_await settle(seq);
    const std::vector<std::uint32_t> upvotes = {10, 0, 3, 2, 1};
    for (auto* viewer : everyone()) {
      const bool moderator = viewer == chair_.get();
      for (std::size_t i = 0; i < ids.size(); ++i) {
        const v1::Contribution* found = nullptr;
        for (const auto& c : viewer->state().contributions()) {
          if (c.id() == ids[i]) found = &c;
        }
        require(found != nullptr, viewer->name + " misses contribution " + std::to_string(i));
        // A hidden contribution: the chair keeps all of it; everyone else only that it exists
        // and is hidden — no text, no upvotes.
        const bool blanked = i == 4 && !moderator;
        require(found->text() == (blanked ? std::string() : texts[i].second) &&
                    found->item_id() == item2_ && found->author_id() == id(texts[i].first) &&
                    found->upvotes() == (blanked ? 0u : upvotes[i]) &&
                    found->upvoter_ids_size() == (blanked ? 0 : static_cast<int>(upvotes[i])) &&
                    found->answered() == (i == 0) && found->hidden() == (i == 4),
                viewer->name + " sees a wrong contribution: " + found->ShortDebugString());
      }
    }
    hidden_contribution_ = ids[4];
  }

  // --- item 3 and the end ---

  asio::awaitable<void> item_three_and_close() {
    co_await chair_does(cmd::start_item(item3_), "start item 3");
    co_await chair_does(cmd::decision(item3_, "اعتماد مبدأ إنشاء هيئة مستقلة لحماية البيانات."),
                        "record a decision");
    co_await chair_does(cmd::action(item3_, "إعداد مسودة معدلة لقانون الهوية الرقمية ونشرها للتعليق العام",
                                    "وزارة الاتصالات والمعلوماتية", "2026-12-31"),
                        "record an action item");
    auto seq = co_await chair_does(cmd::end_meeting(), "end the meeting");
    co_await settle(seq);
    co_await refused(p(omar), cmd::request(speak), v1::ERROR_CODE_FAILED_PRECONDITION,
                     "asking for the floor after the end");
    for (auto* viewer : everyone()) {
      const auto& state = viewer->state();
      const auto* item3 = item_by_id(state, item3_);
      require(state.status() == v1::MEETING_STATUS_ENDED && item3 != nullptr &&
                  item3->status() == v1::AGENDA_ITEM_STATUS_DONE && item3->decisions_size() == 1 &&
                  item3->action_items_size() == 1 &&
                  item3->action_items(0).owner() == "وزارة الاتصالات والمعلوماتية" &&
                  item3->action_items(0).due_date() == "2026-12-31" &&
                  item_by_id(state, item2_)->status() == v1::AGENDA_ITEM_STATUS_DONE,
              viewer->name + " does not see the meeting's end right");
    }
  }

  // --- the end: every client holds the same state ---

  asio::awaitable<void> fresh_join(std::unique_ptr<test_client>& fresh, std::string name,
                                   std::string participant_id, std::string token, v1::Role role,
                                   frame_format format) {
    fresh = std::make_unique<test_client>(io_, std::move(name), std::move(participant_id),
                                          std::move(token), role, config(format));
    co_await connect_and_join(*fresh, port_, meeting_id_);
    require(fresh->welcomes.size() == 1 && fresh->welcomes[0].has_snapshot(),
            fresh->name + " should have joined with a snapshot");
  }

  asio::awaitable<void> everyone_agrees() {
    // A second connection of the chair, of the display and of Sara (who changed her named
    // ballot): each gets a fresh snapshot projected for its audience.
    client::token_request second_sara{"participant", people()[sara].name, *people()[sara].group,
                                      "in_room", id(sara)};
    const auto sara_token = co_await http_->issue_token(meeting_id_, second_sara);
    require(bool(sara_token), "no second token for Sara");
    co_await fresh_join(fresh_chair_, "fresh chair", chair_->participant_id, chair_->token,
                        v1::ROLE_MODERATOR, frame_format::json);
    co_await fresh_join(fresh_display_, "fresh display", display_->participant_id, display_->token,
                        v1::ROLE_DISPLAY, frame_format::binary);
    co_await fresh_join(fresh_participant_, "fresh Sara", id(sara), sara_token.value->token,
                        v1::ROLE_PARTICIPANT, frame_format::binary);

    // What each snapshot says about the viewer's own ballots: named ones come back, a secret
    // one never does.
    {
      const auto& sara_view = fresh_participant_->welcomes[0].snapshot();
      const auto* named = poll_by_id(sara_view, named_poll_);
      const auto* secret = poll_by_id(sara_view, secret_poll_);
      require(named != nullptr && named->my_choices_size() == 1 && named->my_choices(0) == 0,
              "Sara's snapshot should hold her changed named ballot: " + named->ShortDebugString());
      require(secret != nullptr && secret->my_choices().empty() && secret->ballots().empty(),
              "a snapshot reveals a secret ballot: " + secret->ShortDebugString());
      const auto& chair_view = fresh_chair_->welcomes[0].snapshot();
      require(poll_by_id(chair_view, secret_poll_)->my_choices().empty() &&
                  poll_by_id(chair_view, secret_poll_)->ballots().empty(),
              "the chair's snapshot reveals a secret ballot");
      // The hidden contribution: whole (flagged) for the chair, blanked for everyone else.
      auto hidden_text = [&](const v1::MeetingState& s) -> std::string {
        for (const auto& c : s.contributions()) {
          if (c.id() == hidden_contribution_ && c.hidden()) return c.text().empty() ? "blank" : c.text();
        }
        return "absent";
      };
      require(hidden_text(chair_view) == "إعلان تجاري لا علاقة له بالموضوع",
              "the chair's snapshot should keep the hidden contribution whole");
      require(hidden_text(sara_view) == "blank" &&
                  hidden_text(fresh_display_->welcomes[0].snapshot()) == "blank",
              "a non-moderator snapshot should carry the hidden contribution blanked");
    }

    // Wait until every fresh connection is on everyone's roster, then for the last seq.
    std::vector<test_client*> all = everyone();
    for (auto* fresh : {fresh_chair_.get(), fresh_display_.get(), fresh_participant_.get()}) {
      all.push_back(fresh);
    }
    std::uint64_t final_seq = 0;
    for (int round = 0; round < 200; ++round) {
      bool all_open = true;
      for (auto* fresh : {fresh_chair_.get(), fresh_display_.get(), fresh_participant_.get()}) {
        const auto* me = participant_by_id(fresh->state(), fresh->participant_id);
        all_open = all_open && me != nullptr &&
                   std::find(me->connection_ids().begin(), me->connection_ids().end(),
                             fresh->client->viewer().connection_id()) != me->connection_ids().end();
      }
      if (all_open) break;
      co_await sleep_for(20ms);
    }
    for (auto* c : all) final_seq = std::max(final_seq, c->seq());
    co_await wait_all(all, final_seq);
    const auto summary = co_await http_->meeting_summary(meeting_id_);
    require(summary.ok() && summary.body.find("\"seq\":" + std::to_string(final_seq)) != std::string::npos &&
                summary.body.find("\"status\":\"ended\"") != std::string::npos,
            "the server's summary does not end at seq " + std::to_string(final_seq) + ": " + summary.body);
    for (auto* c : all) {
      require(c->seq() == final_seq, c->name + " went past the final seq");
      require(c->client->status() == client::client_status::joined, c->name + " is not joined");
      const auto counters = c->client->counters();
      require(counters.gaps_seen == 0 && counters.duplicates_ignored == 0 &&
                  counters.reconnects == 0 && counters.snapshots_loaded == 1,
              c->name + " had gaps, duplicates or reconnects");
    }

    // Participants: all equal to each other (own choices aside) and to Sara's fresh snapshot.
    const auto reference = without_my_choices(p(0).state());
    for (const auto& person : people_) {
      const auto diff = differences(without_my_choices(person->state()), reference);
      EXPECT_TRUE(diff.empty()) << person->name << " differs from " << p(0).name << ":\n" << diff;
    }
    EXPECT_EQ(differences(without_my_choices(fresh_participant_->state()), without_my_choices(p(sara).state())), "")
        << "Sara's live mirror differs from her fresh snapshot";
    EXPECT_EQ(differences(without_my_choices(fresh_participant_->state()), reference), "")
        << "a participant's live mirror differs from a fresh participant snapshot";
    // The display: like the participants, and like a fresh display.
    EXPECT_EQ(differences(without_my_choices(display_->state()), reference), "")
        << "the display's mirror differs from the participants'";
    EXPECT_EQ(differences(without_my_choices(fresh_display_->state()), without_my_choices(display_->state())), "")
        << "the display's live mirror differs from a fresh display snapshot";
    // The chair: exactly a fresh moderator snapshot (hidden contribution included).
    EXPECT_EQ(differences(without_my_choices(fresh_chair_->state()), without_my_choices(chair_->state())), "")
        << "the chair's live mirror differs from a fresh moderator snapshot";
    // Across audiences, once the moderator-only parts are set aside: the same meeting.
    EXPECT_EQ(differences(as_non_moderators_see(chair_->state()), without_my_choices(display_->state())), "")
        << "the chair and the display do not see the same meeting";
    const auto& chair_state = chair_->state();
    const auto& display_state = display_->state();
    require(chair_state.agenda_size() == 3 && display_state.agenda_size() == 3,
            "the agenda should have three items");
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(differences(chair_state.agenda(i), display_state.agenda(i)), "") << "agenda item " << i;
    }
    EXPECT_EQ(chair_state.participants_size(), display_state.participants_size());
    for (int i = 0; i < std::min(chair_state.participants_size(), display_state.participants_size()); ++i) {
      EXPECT_EQ(differences(chair_state.participants(i), display_state.participants(i)), "") << "roster entry " << i;
    }
    for (const std::string* poll_id_ptr : {&named_poll_, &secret_poll_}) {
      const std::string& poll_id = *poll_id_ptr;
      for (auto* viewer : all) {
        const auto* poll = poll_by_id(viewer->state(), poll_id);
        require(poll != nullptr, viewer->name + " misses a poll");
        const std::vector<std::uint32_t> tally(poll->tally().begin(), poll->tally().end());
        EXPECT_EQ(tally, poll_id == named_poll_ ? named_tally_ : secret_tally_) << viewer->name;
      }
    }
    // The live chair kept the hidden contribution, flagged.
    EXPECT_TRUE(std::any_of(chair_state.contributions().begin(), chair_state.contributions().end(),
                            [&](const auto& c) { return c.id() == hidden_contribution_ && c.hidden(); }));

    // The minutes (chair's token): the outcome of item 3 and both published polls.
    const auto minutes = co_await http_->minutes(meeting_id_, chair_->token);
    require(minutes.ok(), "GET minutes failed: " + minutes.error_code());
    for (const std::string& piece :
         {std::string("اعتماد مبدأ إنشاء هيئة مستقلة لحماية البيانات."),
          std::string("وزارة الاتصالات والمعلوماتية"), std::string("2026-12-31"),
          std::string("أي نموذج حوكمة تفضلون لهيئة حماية البيانات؟"),
          std::string("هل توافقون على إنشاء هيئة مستقلة لحماية البيانات؟"), std::string("23 voted")}) {
      EXPECT_NE(minutes.body.find(piece), std::string::npos) << "the minutes miss: " << piece;
    }
    const auto refused_minutes = co_await http_->minutes(meeting_id_, p(omar).token);
    EXPECT_EQ(refused_minutes.status, 401u) << "a participant's token read the minutes";

    secrets_were_kept(all);
  }

  // Nobody was ever sent a secret choice, and no non-moderator got the on-publish result before
  // it was published — checked on every frame each client received.
  void secrets_were_kept(const std::vector<test_client*>& all) {
    const auto live = everyone();
    for (auto* viewer : all) {
      const bool moderator = viewer->role == v1::ROLE_MODERATOR;
      std::vector<v1::Event> seen = viewer->received;
      for (const auto& welcome : viewer->welcomes) {
        for (const auto& event : welcome.replay().events()) seen.push_back(event);
        for (const auto& poll : welcome.snapshot().polls()) {
          if (poll.id() == secret_poll_) {
            EXPECT_TRUE(poll.ballots().empty() && poll.my_choices().empty()) << viewer->name;
          }
        }
      }
      bool published = false;
      int secret_ballots = 0;
      int named_ballots = 0;
      bool closed_seen = false;
      for (const auto& event : seen) {
        if (event.has_ballot_cast() && event.ballot_cast().poll_id() == secret_poll_) {
          ++secret_ballots;
          EXPECT_EQ(event.ballot_cast().choices_size(), 0)
              << viewer->name << " was sent a secret choice: " << event.ShortDebugString();
        }
        if (event.has_ballot_cast() && event.ballot_cast().poll_id() == named_poll_) {
          ++named_ballots;
          EXPECT_EQ(event.ballot_cast().choices_size(), 1) << viewer->name << " (named, live)";
        }
        if (event.has_poll_closed() && event.poll_closed().poll_id() == secret_poll_) {
          closed_seen = true;
          if (moderator) {
            EXPECT_EQ(std::vector<std::uint32_t>(event.poll_closed().tally().begin(),
                                                 event.poll_closed().tally().end()),
                      secret_tally_)
                << viewer->name;
          } else {
            EXPECT_TRUE(event.poll_closed().tally().empty() && !published)
                << viewer->name << " was sent the on-publish result at close: " << event.ShortDebugString();
          }
        }
        if (event.has_poll_published() && event.poll_published().poll_id() == secret_poll_) {
          published = true;
          EXPECT_TRUE(closed_seen) << viewer->name;
          EXPECT_TRUE(event.poll_published().ballots().empty())
              << viewer->name << " was sent secret ballots: " << event.ShortDebugString();
        }
        if (event.has_poll_created() && event.poll_created().poll().id() == secret_poll_) {
          EXPECT_TRUE(event.poll_created().poll().tally().empty() &&
                      !event.poll_created().poll().tally_visible())
              << viewer->name;
        }
      }
      // The fresh clients joined after the votes; the others lived through them.
      if (std::find(live.begin(), live.end(), viewer) != live.end()) {
        EXPECT_EQ(secret_ballots, 23) << viewer->name << " should have seen 23 secret ballots";
        EXPECT_EQ(named_ballots, 24) << viewer->name << " should have seen 24 named ballots";
        EXPECT_TRUE(published) << viewer->name;
      }
    }
  }

  client::meeting_client_config config(frame_format format) const {
    client::meeting_client_config c;
    c.format = format;
    c.jitter_seed = 7;
    c.command_timeout = 10s;
    return c;
  }

  asio::io_context& io_;
  std::string port_;
  std::unique_ptr<client::http_api> http_;
  std::string meeting_id_;
  std::string invite_;
  std::unique_ptr<test_client> chair_;
  std::unique_ptr<test_client> display_;
  std::vector<std::unique_ptr<test_client>> people_;
  std::unique_ptr<test_client> fresh_chair_;
  std::unique_ptr<test_client> fresh_display_;
  std::unique_ptr<test_client> fresh_participant_;
  std::string walk_in_1_, walk_in_2_;
  std::string item1_, item2_, item3_;
  std::string named_poll_, secret_poll_;
  std::map<std::string, std::uint32_t> named_choice_;
  std::vector<std::uint32_t> named_tally_, secret_tally_;
  std::string hidden_contribution_;
};

TEST(integration_meeting, national_digital_policy_consultation) {
  // Generous command rates: the chair runs a whole meeting in seconds.
  majlisd_process server({"--commands-per-second", "1000", "--command-burst", "1000"});
  asio::io_context io;
  consultation meeting(io, server);
  const auto failure = run_scenario(io, meeting.run(), 60s);
  EXPECT_EQ(failure, "");
}

}  // namespace
}  // namespace majlis::testing

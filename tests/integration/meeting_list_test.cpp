// GET /api/meetings (issue 8): the admin key lists every meeting of the store — id, title,
// status, creation — newest first, so the console's "#key=" link can open the demo meeting
// instead of creating a second one. Only the admin key: a chair's token of one meeting must not
// learn the others. Read from the store, so a restart (nothing loaded yet) lists the same.
#include <filesystem>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "meeting_fixture.hpp"

namespace majlis::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

struct listed {
  std::string id;
  std::string title;
  std::string status;
  int64_t created_at_ms = 0;
  std::string chair_id;
};

std::vector<listed> parse_list(const std::string& body) {
  std::vector<listed> out;
  const auto value = json::parse(body);
  for (const auto& m : value.as_object().at("meetings").as_array()) {
    const auto& o = m.as_object();
    out.push_back({std::string(o.at("meetingId").as_string()), std::string(o.at("title").as_string()),
                   std::string(o.at("status").as_string()), o.at("createdAtMs").to_number<int64_t>(),
                   std::string(o.at("chairId").as_string())});
  }
  return out;
}

TEST(integration_meeting_list, admin_lists_every_meeting_newest_first_across_a_restart) {
  const fs::path data = make_temp_folder("majlis-list");
  std::string first_id, second_id;
  {
    majlisd_process server({"--data-dir", data.string()});
    const auto port = server.port_string();
    asio::io_context io;
    auto api = make_api(io, port);
    const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
      // Nothing yet: an empty list, not an error.
      auto empty = co_await api.request("GET", "/api/meetings", "", majlisd_process::admin_key);
      require(empty.status == 200, "empty list: " + std::to_string(empty.status) + " " + empty.body);
      require(parse_list(empty.body).empty(), "a fresh store lists meetings: " + empty.body);

      client::meeting_spec spec;
      spec.title = "Consultation الأولى";
      const auto first = co_await api.create_meeting(spec);
      require(bool(first), "create 1: " + first.reply.body);
      first_id = first.value->meeting_id;
      co_await sleep_for(5ms);  // distinct creation times, so "newest first" is observable
      spec.title = "Second";
      const auto second = co_await api.create_meeting(spec);
      require(bool(second), "create 2: " + second.reply.body);
      second_id = second.value->meeting_id;

      // The chair starts the first one: the list shows its status.
      test_client chair(io, "chair", "", first.value->tokens.moderator, v1::ROLE_MODERATOR);
      co_await connect_and_join(chair, port, first_id);
      co_await must(chair, cmd::start_meeting(), "start the meeting");

      const auto all = co_await api.request("GET", "/api/meetings", "", majlisd_process::admin_key);
      require(all.status == 200, "list: " + std::to_string(all.status) + " " + all.body);
      const auto list = parse_list(all.body);
      require(list.size() == 2, "two meetings expected: " + all.body);
      require(list[0].id == second_id && list[1].id == first_id, "not newest first: " + all.body);
      require(list[0].title == "Second" && list[1].title == "Consultation الأولى", "titles: " + all.body);
      require(list[0].status == "scheduled" && list[1].status == "live", "statuses: " + all.body);
      require(list[0].created_at_ms >= list[1].created_at_ms && list[1].created_at_ms > 0,
              "creation times: " + all.body);
      // The chair who joined, so a console opened with the admin key continues as them.
      require(list[1].chair_id == chair.participant_id && list[0].chair_id.empty(),
              "chair ids: " + all.body);

      // Anyone else: the chair's token of one meeting, no credential, a wrong key.
      const auto as_chair = co_await api.request("GET", "/api/meetings", "", first.value->tokens.moderator);
      require(as_chair.status == 401, "a moderator token lists meetings: " + std::to_string(as_chair.status));
      const auto anonymous = co_await api.request("GET", "/api/meetings", "", "");
      require(anonymous.status == 401, "no credential lists meetings: " + std::to_string(anonymous.status));
      const auto wrong = co_await api.request("GET", "/api/meetings", "", std::string(48, 'x'));
      require(wrong.status == 401, "a wrong key lists meetings: " + std::to_string(wrong.status));
      const auto put = co_await api.request("PUT", "/api/meetings", "", majlisd_process::admin_key);
      require(put.status == 405, "PUT /api/meetings: " + std::to_string(put.status));
      co_await chair.client->close();
    }(), 30s);
    ASSERT_EQ(failure, "");
  }
  {
    // After a restart nothing is loaded: the list comes from the store.
    majlisd_process server({"--data-dir", data.string()});
    asio::io_context io;
    auto api = make_api(io, server.port_string());
    const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
      const auto all = co_await api.request("GET", "/api/meetings", "", majlisd_process::admin_key);
      require(all.status == 200, "list after restart: " + std::to_string(all.status));
      const auto list = parse_list(all.body);
      require(list.size() == 2 && list[0].id == second_id && list[1].id == first_id &&
                  list[1].status == "live",
              "after a restart: " + all.body);
    }(), 30s);
    ASSERT_EQ(failure, "");
  }
  std::error_code ignored;
  fs::remove_all(data, ignored);
}

}  // namespace
}  // namespace majlis::testing

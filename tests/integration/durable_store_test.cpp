// The durable embedded store through a real majlisd: a restart (SIGTERM or SIGKILL) is a
// reconnect for clients, generated secrets outlive the process, bad data folders stop the start
// with a clear error, a full disk answers UNAVAILABLE and recovers, and a database restored from
// an older backup starts a new epoch instead of forking the history.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <cstdio>
#include <map>
#include <fcntl.h>
#include <fstream>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "meeting_fixture.hpp"

namespace majlis::testing {
namespace {

namespace fs = std::filesystem;
using steady = std::chrono::steady_clock;

// A temporary folder removed (and unmounted, if a test mounted one) at the end of the test.
struct temp_folder {
  fs::path path = make_temp_folder("majlis-durable");
  bool mounted = false;
  ~temp_folder() {
    if (mounted) ::umount2(path.c_str(), MNT_DETACH);
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// Runs majlisd to its exit (it must not start): the exit status and everything it printed.
struct finished {
  int status = -1;
  std::string output;
};

finished run_until_exit(const std::vector<std::string>& args) {
  std::string command = std::string("'") + MAJLISD_PATH + "' --listen 127.0.0.1:0";
  for (const auto& arg : args) command += " '" + arg + "'";
  command += " 2>&1 & pid=$!; ( sleep 10; kill -9 $pid ) >/dev/null 2>&1 & watchdog=$!; wait $pid;"
             " status=$?; kill $watchdog 2>/dev/null; exit $status";
  finished result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[512];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string file_content(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One majlisd on a data folder, restartable on the same port so clients reconnect by themselves.
class durable_server {
 public:
  explicit durable_server(fs::path data_dir, std::vector<std::string> extra = {})
      : data_dir_(std::move(data_dir)), extra_(std::move(extra)) {
    start();
  }

  void start() {
    std::vector<std::string> args{"--data-dir", data_dir_.string(), "--sync", "full"};
    if (port_ != 0) args.insert(args.end(), {"--listen", "127.0.0.1:" + std::to_string(port_)});
    args.insert(args.end(), extra_.begin(), extra_.end());
    process_ = std::make_unique<majlisd_process>(args);
    port_ = process_->port();
  }
  int stop() { return process_->stop(); }
  void kill() { process_->kill_now(); }
  void restart() {
    stop();
    start();
  }
  std::string port() const { return std::to_string(port_); }
  majlisd_process& process() { return *process_; }

 private:
  fs::path data_dir_;
  std::vector<std::string> extra_;
  uint16_t port_ = 0;
  std::unique_ptr<majlisd_process> process_;
};

// Waits until `who` rejoined after a loss (its reconnect counter passed `before`).
asio::awaitable<void> wait_rejoined(test_client& who, std::uint64_t before, std::chrono::milliseconds limit) {
  const auto deadline = steady::now() + limit;
  while (who.client->counters().reconnects <= before || who.client->status() != client::client_status::joined) {
    require(steady::now() < deadline, who.name + " did not rejoin (status " +
                                          client::to_string(who.client->status()) + ")");
    co_await sleep_for(20ms);
  }
}

asio::awaitable<client::created_meeting> create(client::http_api& api, std::string title) {
  client::meeting_spec spec;
  spec.title = std::move(title);
  const auto created = co_await api.create_meeting(spec);
  require(bool(created), "POST /api/meetings failed: " + created.reply.error_code() + " " +
                             created.reply.error_message());
  co_return *created.value;
}

asio::awaitable<client::issued_token> participant_token(client::http_api& api, const std::string& meeting,
                                                        std::string name, std::string group) {
  client::token_request request{"participant", std::move(name), std::move(group), "remote", ""};
  const auto issued = co_await api.issue_token(meeting, request);
  require(bool(issued), "no token: " + issued.reply.error_code() + " " + issued.reply.error_message());
  co_return *issued.value;
}

// Waits until two live clients hold the same seq (both receive every event), to compare them.
asio::awaitable<void> same_seq(test_client& a, test_client& b) {
  const auto deadline = steady::now() + 10s;
  while (a.seq() != b.seq()) {
    require(steady::now() < deadline, a.name + " and " + b.name + " never held the same seq");
    co_await sleep_for(10ms);
  }
}

// ---- a restart is a reconnect ----

void restart_scenario(bool kill) {
  temp_folder data;
  durable_server server(data.path);
  asio::io_context io;
  auto api = make_api(io, server.port());
  std::unique_ptr<test_client> chair, person;
  uint64_t epoch = 0, seq_before = 0;

  const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    const auto meeting = co_await create(api, "المشاورة الوطنية — restart");
    const auto token = co_await participant_token(api, meeting.meeting_id, "مريم الفيتوري", "academia");
    chair = std::make_unique<test_client>(io, std::string("chair"), std::string(""), meeting.tokens.moderator, v1::ROLE_MODERATOR, client_config(1));
    person = std::make_unique<test_client>(io, std::string("participant"), token.participant_id, token.token, v1::ROLE_PARTICIPANT, client_config(2));
    co_await connect_and_join(*chair, server.port(), meeting.meeting_id);
    co_await connect_and_join(*person, server.port(), meeting.meeting_id);
    co_await must(*chair, cmd::add_item("حماية البيانات", "Data protection law", 30), "add an item");
    co_await must(*chair, cmd::start_meeting(), "start");
    co_await must(*chair, cmd::start_item(chair->state().agenda(0).id()), "start the item");
    const auto hand = co_await must(*person, cmd::request(v1::REQUEST_KIND_SPEAK), "raise a hand");
    // (Named: GCC 12 cannot keep an initializer_list's array across a co_await.)
    const std::vector<test_client*> both{chair.get(), person.get()};
    co_await wait_all(both, hand.seq());
    epoch = person->client->mirror().epoch();
    seq_before = person->seq();
    const auto chair_reconnects = chair->client->counters().reconnects;
    const auto person_reconnects = person->client->counters().reconnects;
    const auto welcomes_before = person->welcomes.size();

    if (kill) server.kill(); else require(server.stop() == 0, "majlisd did not exit 0 on SIGTERM");
    server.start();

    co_await wait_rejoined(*chair, chair_reconnects, 20s);
    co_await wait_rejoined(*person, person_reconnects, 20s);
    require(person->welcomes.size() > welcomes_before, "no Welcome after the restart");
    const auto& welcome = person->welcomes.back();
    require(welcome.epoch() == epoch, "the epoch changed across the restart: " +
                                          std::to_string(epoch) + " -> " + std::to_string(welcome.epoch()));
    require(welcome.has_replay(), "the participant got a snapshot, not a replay, after the restart");
    require(person->client->mirror().epoch() == epoch, "the mirror's epoch changed");

    // The meeting carries on where it was.
    require(person->state().agenda_size() == 1 && person->state().agenda(0).title() == "حماية البيانات",
            "the agenda did not survive the restart");
    const auto next = co_await must(*chair, cmd::decision(chair->state().agenda(0).id(), "قرار: يُعتمد"), "record a decision");
    require(next.seq() > seq_before, "the seq went backwards after the restart");
    co_await wait_all(both, next.seq());

    // A fresh join agrees with the resumed mirrors.
    test_client fresh(io, "fresh chair", "", meeting.tokens.moderator, v1::ROLE_MODERATOR, client_config(3));
    co_await connect_and_join(fresh, server.port(), meeting.meeting_id);
    require(fresh.client->mirror().epoch() == epoch, "a fresh join sees another epoch");
    co_await same_seq(*chair, fresh);
    const auto diff = differences(without_my_choices(fresh.state()), without_my_choices(chair->state()));
    require(diff.empty(), "the resumed chair's mirror differs from a fresh snapshot: " + diff);
  }(), 90s);
  ASSERT_EQ(failure, "");
}

TEST(durable_store, after_sigterm_and_restart_clients_resume_by_replay_in_the_same_epoch) {
  restart_scenario(/*kill=*/false);
}

TEST(durable_store, after_sigkill_and_restart_clients_resume_by_replay_in_the_same_epoch) {
  restart_scenario(/*kill=*/true);
}

// ---- identity ----

TEST(durable_store, generated_secrets_are_stored_once_and_tokens_outlive_a_restart) {
  temp_folder data;
  // No keys given: majlisd generates them into the data folder.
  durable_server server(data.path, {"--admin-key", "", "--signing-secret", "", "--demo-meeting", "Demo — تجربة"});
  const auto admin_file = data.path / "admin-key", secret_file = data.path / "signing-secret";
  ASSERT_TRUE(fs::exists(admin_file));
  ASSERT_TRUE(fs::exists(secret_file));
  for (const auto& file : {admin_file, secret_file}) {
    struct stat info {};
    ASSERT_EQ(::stat(file.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
  }
  auto admin_key = file_content(admin_file);
  while (!admin_key.empty() && admin_key.back() == '\n') admin_key.pop_back();
  const auto secret = file_content(secret_file);
  ASSERT_GE(admin_key.size(), 24u);
  ASSERT_GE(secret.size(), 32u);

  asio::io_context io;
  std::string meeting_id, token;
  ASSERT_EQ(run_scenario(io, [&]() -> asio::awaitable<void> {
    auto api = make_api(io, server.port(), admin_key);
    const auto meeting = co_await create(api, "Identity");
    meeting_id = meeting.meeting_id;
    token = (co_await participant_token(api, meeting_id, "Ahmed", "academia")).token;
  }(), 30s), "");
  // The demo meeting is written down with its links.
  ASSERT_TRUE(fs::exists(data.path / "demo-meeting.json"));
  const auto demo = file_content(data.path / "demo-meeting.json");

  server.restart();
  EXPECT_EQ(file_content(secret_file), secret);
  EXPECT_EQ(file_content(data.path / "demo-meeting.json"), demo) << "a second demo meeting was created";

  asio::io_context io2;
  ASSERT_EQ(run_scenario(io2, [&]() -> asio::awaitable<void> {
    // The stored admin key still opens the API, and the old token still joins.
    auto api = make_api(io2, server.port(), admin_key);
    const auto again = co_await participant_token(api, meeting_id, "Salma", "civil_society");
    require(!again.token.empty(), "no token after the restart");
    test_client person(io2, "Ahmed", "", token, v1::ROLE_PARTICIPANT, client_config(4));
    co_await connect_and_join(person, server.port(), meeting_id);
  }(), 30s), "");
}

// ---- bad data folders ----

void expect_refused(const finished& run, const std::string& names, const std::string& says) {
  EXPECT_EQ(run.status, 1) << run.output;
  EXPECT_NE(run.output.find(names), std::string::npos) << "the error should name " << names << ":\n" << run.output;
  EXPECT_NE(run.output.find(says), std::string::npos) << "the error should say '" << says << "':\n" << run.output;
}

TEST(durable_store, a_missing_or_unusable_data_folder_stops_the_start_with_a_clear_error) {
  temp_folder data;
  const auto missing = data.path / "not-there";
  expect_refused(run_until_exit({"--data-dir", missing.string()}), missing.string(), "does not exist");

  const auto file = data.path / "a-file";
  std::ofstream(file) << "not a folder\n";
  expect_refused(run_until_exit({"--data-dir", file.string()}), file.string(), "is not a folder");

  // Read-only: a read-only mount (root ignores permission bits), else a folder without write bits.
  temp_folder read_only;
  if (::getuid() == 0) {
    ASSERT_EQ(::mount("tmpfs", read_only.path.c_str(), "tmpfs", MS_RDONLY, "size=1m"), 0) << std::strerror(errno);
    read_only.mounted = true;
  } else {
    ::chmod(read_only.path.c_str(), 0555);
  }
  expect_refused(run_until_exit({"--data-dir", read_only.path.string()}), read_only.path.string(), "cannot write");
  if (::getuid() != 0) ::chmod(read_only.path.c_str(), 0755);
}

TEST(durable_store, a_database_that_is_not_ours_or_is_damaged_stops_the_start_naming_the_file) {
  temp_folder text, foreign, damaged;
  std::ofstream(text.path / "majlis.db") << "these are someone's notes, not a database\n";
  expect_refused(run_until_exit({"--data-dir", text.path.string()}), (text.path / "majlis.db").string(), "majlis.db");

  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((foreign.path / "majlis.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL);"
                               "INSERT INTO invoices VALUES (1, 9.5);", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  expect_refused(run_until_exit({"--data-dir", foreign.path.string()}), (foreign.path / "majlis.db").string(), "another program");

  // A real database with a meeting, cut in half as a failed copy would leave it.
  {
    durable_server server(damaged.path, {"--commands-per-second", "1000", "--command-burst", "1000"});
    asio::io_context io;
    ASSERT_EQ(run_scenario(io, [&]() -> asio::awaitable<void> {
      auto api = make_api(io, server.port());
      const auto meeting = co_await create(api, "To be damaged");
      test_client chair(io, "chair", "", meeting.tokens.moderator, v1::ROLE_MODERATOR, client_config(5));
      co_await connect_and_join(chair, server.port(), meeting.meeting_id);
      for (int i = 0; i < 150; ++i)
        co_await must(chair, cmd::add_item("Item " + std::to_string(i), std::string(1500, 'x'), 5), "add an item");
    }(), 60s), "");
    ASSERT_EQ(server.stop(), 0);
  }
  const auto db = damaged.path / "majlis.db";
  ASSERT_GT(fs::file_size(db), 64u * 1024) << "the database should be large enough to cut";
  fs::resize_file(db, fs::file_size(db) / 2);
  expect_refused(run_until_exit({"--data-dir", damaged.path.string()}), db.string(), "majlis.db");
}

TEST(durable_store, a_second_majlisd_on_the_same_data_folder_refuses_to_start) {
  temp_folder data;
  durable_server first(data.path);
  expect_refused(run_until_exit({"--data-dir", data.path.string()}), data.path.string(), "in use by another majlisd");
  // The first one is unharmed.
  EXPECT_TRUE(first.process().running());
}

// ---- disk full ----

TEST(durable_store, a_full_disk_answers_unavailable_then_recovers_once_there_is_space) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs (CI runs as root)";
  temp_folder data;
  ASSERT_EQ(::mount("tmpfs", data.path.c_str(), "tmpfs", 0, "size=4m"), 0) << std::strerror(errno);
  data.mounted = true;
  durable_server server(data.path);
  asio::io_context io;
  const auto filler = data.path / "filler";

  const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    auto api = make_api(io, server.port());
    const auto meeting = co_await create(api, "Disk full");
    test_client chair(io, "chair", "", meeting.tokens.moderator, v1::ROLE_MODERATOR, client_config(6));
    co_await connect_and_join(chair, server.port(), meeting.meeting_id);
    co_await must(chair, cmd::add_item("Before", "", 5), "add an item before the disk fills");

    // Fill the disk.
    {
      const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      require(fd >= 0, "cannot create the filler");
      const std::string block(64 * 1024, 'f');
      for (int i = 0; i < 1000; ++i)
        if (::write(fd, block.data(), block.size()) <= 0) break;
      ::close(fd);
    }
    // Commands now fail with UNAVAILABLE (the WAL may still have room for a few).
    int refused = 0;
    const std::string big(1500, 'y');
    for (int i = 0; i < 200 && refused == 0; ++i) {
      auto result = co_await chair.client->send(cmd::add_item("Full " + std::to_string(i), big, 5), 10s);
      if (!result.ok()) {
        require(result.error().code() == v1::ERROR_CODE_UNAVAILABLE,
                "a command on a full disk should be UNAVAILABLE, got " + describe(result));
        ++refused;
      }
    }
    require(refused > 0, "no command was refused on a full disk");
    const auto refused_at = chair.seq();
    const auto not_ready = co_await api.request("GET", "/readyz", "", "");
    require(not_ready.status == 503, "/readyz should say 503 on a full disk, said " + std::to_string(not_ready.status));

    // Space again: commands work, readiness returns.
    fs::remove(filler);
    const auto after = co_await must(chair, cmd::add_item("After", "", 5), "add an item once there is space");
    require(after.seq() == refused_at + 1, "a refused command left events behind: seq " +
                                               std::to_string(after.seq()) + " after " + std::to_string(refused_at));
    const auto ready = co_await api.request("GET", "/readyz", "", "");
    require(ready.status == 200, "/readyz should say 200 again, said " + std::to_string(ready.status));
    test_client fresh(io, "fresh", "", meeting.tokens.moderator, v1::ROLE_MODERATOR, client_config(7));
    co_await connect_and_join(fresh, server.port(), meeting.meeting_id);
    co_await same_seq(chair, fresh);
    const auto diff = differences(without_my_choices(fresh.state()), without_my_choices(chair.state()));
    require(diff.empty(), "after the full disk a fresh snapshot differs from the chair's mirror: " + diff);
  }(), 90s);
  server.stop();
  ASSERT_EQ(failure, "");
}

// ---- SIGKILL during a vote burst ----

TEST(durable_store, sigkill_during_a_300_voter_burst_keeps_every_acknowledged_ballot_once) {
  constexpr std::size_t voters = 300;
  temp_folder data;
  durable_server server(data.path, {"--commands-per-second", "1000", "--command-burst", "1000"});
  asio::io_context io;
  auto api = make_api(io, server.port());
  std::unique_ptr<test_client> chair;
  std::vector<std::unique_ptr<test_client>> people(voters);
  std::vector<int> acknowledged(voters, -1);  // the choice whose Result said ok
  std::string poll_id;

  const auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    const auto meeting = co_await create(api, "Vote during a crash");
    chair = std::make_unique<test_client>(io, std::string("chair"), std::string(""), meeting.tokens.moderator, v1::ROLE_MODERATOR, client_config(8));
    co_await connect_and_join(*chair, server.port(), meeting.meeting_id);
    for (std::size_t i = 0; i < voters; ++i) {
      const auto token = co_await participant_token(api, meeting.meeting_id, "Voter " + std::to_string(i), "academia");
      people[i] = std::make_unique<test_client>(io, std::string("voter ") + std::to_string(i), token.participant_id,
                                                token.token, v1::ROLE_PARTICIPANT, client_config(100 + i));
      co_await connect_and_join(*people[i], server.port(), meeting.meeting_id);
    }
    co_await must(*chair, cmd::start_meeting(), "start");
    const std::vector<std::string> options{"yes", "no", "abstain"};
    co_await must(*chair, cmd::create_poll("Adopt the draft?", v1::POLL_KIND_SINGLE, v1::POLL_SECRECY_NAMED,
                                           v1::RESULTS_VISIBILITY_LIVE, options), "create a poll");
    poll_id = chair->state().polls(0).id();
    const auto opened = co_await must(*chair, cmd::open_poll(poll_id), "open the poll");
    std::vector<test_client*> everyone{chair.get()};
    for (auto& p : people) everyone.push_back(p.get());
    co_await wait_all(everyone, opened.seq());

    // Everyone votes at once; majlisd is killed once a third of the ballots are acknowledged.
    std::size_t finished = 0, acked = 0;
    for (std::size_t i = 0; i < voters; ++i) {
      asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
        const auto choice = static_cast<std::uint32_t>(i % 3);
        const auto result = co_await people[i]->client->send(cmd::cast(poll_id, choice), 15s);
        if (result.ok()) {
          acknowledged[i] = static_cast<int>(choice);
          ++acked;
        }
        ++finished;
      }, asio::detached);
    }
    const auto deadline = steady::now() + 30s;
    while (acked < voters / 3 && finished < voters && steady::now() < deadline) co_await sleep_for(1ms);
    const auto acked_at_kill = acked;
    const auto chair_before = chair->client->counters().reconnects;
    server.kill();
    while (finished < voters && steady::now() < deadline) co_await sleep_for(10ms);
    require(finished == voters, "not every vote got an answer");
    require(acked_at_kill > 0, "no ballot was acknowledged before the kill");
    std::printf("[ metric ] durable.burst_acked_before_kill=%zu of %zu\n", acked_at_kill, voters);

    server.start();
    co_await wait_rejoined(*chair, chair_before, 30s);
    // Voters whose ballot was not acknowledged vote again (they may find theirs did land).
    for (std::size_t i = 0; i < voters; ++i) {
      require(co_await people[i]->client->wait_for_status(client::client_status::joined, 30s),
              people[i]->name + " did not rejoin after the restart");
      if (acknowledged[i] >= 0) continue;
      const auto choice = static_cast<std::uint32_t>(i % 3);
      const auto result = co_await people[i]->client->send(cmd::cast(poll_id, choice), 15s);
      require(result.ok() || result.error().code() == v1::ERROR_CODE_ALREADY_EXISTS ||
                  result.error().code() == v1::ERROR_CODE_FAILED_PRECONDITION,
              people[i]->name + ": voting again: " + describe(result));
    }
    test_client fresh(io, "fresh chair", "", meeting.tokens.moderator, v1::ROLE_MODERATOR, client_config(9));
    co_await connect_and_join(fresh, server.port(), meeting.meeting_id);
    const auto& poll = *poll_by_id(fresh.state(), poll_id);
    std::map<std::string, std::uint32_t> ballot_of;
    for (const auto& ballot : poll.ballots()) {
      require(!ballot_of.contains(ballot.voter_id()), "a ballot of " + ballot.voter_id() + " counted twice");
      require(ballot.choices_size() == 1, "a ballot with " + std::to_string(ballot.choices_size()) + " choices");
      ballot_of[ballot.voter_id()] = ballot.choices(0);
    }
    for (std::size_t i = 0; i < voters; ++i) {
      const auto it = ballot_of.find(people[i]->participant_id);
      require(it != ballot_of.end(), people[i]->name + (acknowledged[i] >= 0 ? "'s acknowledged" : "'s") +
                                         " ballot is missing after the restart");
      require(it->second == i % 3, people[i]->name + "'s ballot has another choice");
    }
    require(ballot_of.size() == voters, "ballots from people who did not vote");
    // Every client converges on the same state.
    const auto head = fresh.seq();
    co_await wait_all(everyone, head);
    for (auto* who : everyone) {
      if (who->role != v1::ROLE_MODERATOR) continue;
      co_await same_seq(*who, fresh);  // the previous run's connections may still be closing
      const auto diff = differences(without_my_choices(who->state()), without_my_choices(fresh.state()));
      require(diff.empty(), who->name + " differs from a fresh snapshot: " + diff);
    }
    require(poll_by_id(people[0]->state(), poll_id)->voter_ids_size() == static_cast<int>(voters),
            "a resumed voter does not see every vote");
  }(), 180s);
  ASSERT_EQ(failure, "");
}

// ---- a database restored from an older backup ----

TEST(durable_store, a_database_restored_from_an_older_backup_starts_a_new_epoch_for_everyone) {
  temp_folder data;
  const auto db = data.path / "majlis.db", backup = data.path / "backup.db";
  durable_server server(data.path);
  // One io_context for every phase: the chair's client lives on between them and reconnects by
  // itself whenever majlisd is back.
  asio::io_context io;
  auto api = make_api(io, server.port());
  std::unique_ptr<test_client> chair;
  uint64_t old_epoch = 0, backup_seq = 0;

  auto failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    const auto meeting = co_await create(api, "Restored backup");
    chair = std::make_unique<test_client>(io, std::string("chair"), std::string(""), meeting.tokens.moderator, v1::ROLE_MODERATOR, client_config(10));
    co_await connect_and_join(*chair, server.port(), meeting.meeting_id);
    for (int i = 0; i < 5; ++i) co_await must(*chair, cmd::add_item("Kept " + std::to_string(i), "", 5), "add an item");
    backup_seq = chair->seq();
    old_epoch = chair->client->mirror().epoch();
  }(), 30s);
  ASSERT_EQ(failure, "");
  // A clean stop checkpoints the WAL into the file: copy it as a backup.
  auto reconnects = chair->client->counters().reconnects;
  ASSERT_EQ(server.stop(), 0);
  fs::copy_file(db, backup);
  server.start();

  io.restart();
  failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    co_await wait_rejoined(*chair, reconnects, 20s);
    for (int i = 0; i < 5; ++i) co_await must(*chair, cmd::add_item("Lost " + std::to_string(i), "", 5), "add an item");
  }(), 30s);
  ASSERT_EQ(failure, "");
  reconnects = chair->client->counters().reconnects;
  ASSERT_EQ(server.stop(), 0);
  // The operator restores the older backup.
  fs::copy_file(backup, db, fs::copy_options::overwrite_existing);
  fs::remove(data.path / "majlis.db-wal");
  fs::remove(data.path / "majlis.db-shm");
  server.start();

  io.restart();
  failure = run_scenario(io, [&]() -> asio::awaitable<void> {
    // The chair resumes with a seq the log no longer has: a new epoch starts, the chair is told
    // to reconnect and gets a fresh snapshot without the lost items.
    const auto welcomes_before = chair->welcomes.size();
    co_await wait_rejoined(*chair, reconnects, 20s);
    const auto deadline = steady::now() + 20s;
    while (chair->client->mirror().epoch() == old_epoch) {
      require(steady::now() < deadline, "the epoch did not change after the restored backup was found");
      co_await sleep_for(20ms);
    }
    require(co_await chair->client->wait_for_status(client::client_status::joined, 20s), "the chair did not rejoin");
    for (size_t i = welcomes_before; i < chair->welcomes.size(); ++i)
      require(!chair->welcomes[i].has_replay(), "a replay was offered from a history that no longer exists");
    const auto& agenda = chair->state().agenda();
    require(agenda.size() == 5, "the restored meeting should hold the 5 kept items, holds " + std::to_string(agenda.size()));
    for (const auto& item : agenda) require(item.title().starts_with("Kept"), "a lost item is back: " + item.title());
    // The new history goes on from the restored head, under the new epoch only.
    const auto more = co_await must(*chair, cmd::add_item("New after restore", "", 5), "add an item after the restore");
    require(more.seq() > backup_seq, "the seq went backwards");
    auto metrics = co_await api.request("GET", "/metrics", "", "");
    require(metrics.body.find("log_regressions_total 1") != std::string::npos,
            "/metrics should count one log regression:\n" + metrics.body.substr(0, 2000));
  }(), 60s);
  ASSERT_EQ(failure, "");
}

}  // namespace
}  // namespace majlis::testing

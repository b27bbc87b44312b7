// Several majlisd instances side by side through one real redis-server (DESIGN §5, issue 3).
// Every test starts its own redis-server on a free loopback port and its own majlisd processes
// pointed at it, and drives them through the C++ client from one io_context in the test thread.
//
//   1. one meeting over three instances: a chair and a display on A, participants on B and C;
//      every client ends with the same state as the others of its audience and as a fresh
//      snapshot, and was sent the same events in the same order;
//   2. contention: 300 participants over three instances vote in the same second while 100 of
//      them raise their hands: exact tallies, every request exactly once, one queue order;
//   3. SIGKILL of an instance: its participants go offline on the survivors within the heartbeat
//      TTL plus two sweeps; their clients come back through a survivor and resume with no event
//      missed and none repeated;
//   4. redis-server (AOF, appendfsync always) killed and restarted mid-meeting: commands fail fast
//      with UNAVAILABLE, /readyz says 503, nothing acknowledged is lost, and the meeting carries
//      on without anyone reconnecting;
//   5. a replica that drops every third published batch (test hook) fills each gap from the
//      stream before it applies anything later: its clients see consecutive seqs only;
//   9. SIGTERM of an instance: its people are offline on the survivors as soon as it has exited,
//      not a heartbeat TTL later — also when a client of it never answers the close.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <fcntl.h>
#include <google/protobuf/descriptor.h>
#include <gtest/gtest.h>

#include "meeting_fixture.hpp"
#include "redis_server_process.hpp"

namespace majlis::testing {
namespace {

using client::client_status;
using steady = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

constexpr auto speak = v1::REQUEST_KIND_SPEAK;
constexpr auto point_of_order = v1::REQUEST_KIND_POINT_OF_ORDER;
constexpr auto reply = v1::REQUEST_KIND_REPLY;

// Short, so that a dead instance is noticed quickly: a survivor closes its connections after
// two sweeps (every ttl/5) past the expiry, i.e. within ttl + 2*ttl/5 = 2.8 s of the last beat.
constexpr int heartbeat_ttl_ms = 2000;

const std::string reason_point_of_order = "point of order";
const std::string reason_reply = "reply to the current speaker";
const std::string reason_in_order = "in order of request";

long long ms_since(steady::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
}

std::string kind_name(const v1::Event& event) {
  if (event.kind_case() == v1::Event::KIND_NOT_SET) return "stub";
  const auto* field = v1::Event::descriptor()->FindFieldByNumber(event.kind_case());
  return field ? field->name() : "?";
}

// Figures go to stdout (ctest -V, or the test binary run by hand) and into the test's XML.
void report(const std::string& key, long long value, const std::string& unit) {
  std::printf("[cluster] %s = %lld %s\n", key.c_str(), value, unit.c_str());
  std::fflush(stdout);
  ::testing::Test::RecordProperty(key, std::to_string(value));
}

// ---------------------------------------------------------------------------------------------
// The processes: one redis-server and N majlisd instances sharing it.

class cluster {
 public:
  cluster(std::vector<std::string> ids, redis_server_process::options redis_options = {},
          std::map<std::string, std::vector<std::string>> extra_args = {},
          int ttl_ms = heartbeat_ttl_ms)
      : redis_(std::move(redis_options)), ids_(std::move(ids)) {
    for (const auto& id : ids_) {
      std::vector<std::string> args = {"--redis",       redis_.url(), "--instance-id",
                                       id,              "--heartbeat-ttl-ms",
                                       std::to_string(ttl_ms)};
      if (auto it = extra_args.find(id); it != extra_args.end())
        args.insert(args.end(), it->second.begin(), it->second.end());
      args_.push_back(args);
      instances_.push_back(std::make_unique<majlisd_process>(std::move(args)));
    }
  }

  // Stops instance i (SIGTERM: its clients are told to reconnect) and starts it again with the
  // same options on the same port, so they find it there.
  void restart(std::size_t i) {
    const auto port = instances_.at(i)->port();
    instances_.at(i)->stop();
    auto args = args_.at(i);
    args.insert(args.end(), {"--listen", "127.0.0.1:" + std::to_string(port)});
    instances_.at(i) = std::make_unique<majlisd_process>(std::move(args));
  }

  redis_server_process& redis() { return redis_; }
  majlisd_process& instance(std::size_t i) { return *instances_.at(i); }
  std::string port(std::size_t i) const { return instances_.at(i)->port_string(); }
  const std::string& id(std::size_t i) const { return ids_.at(i); }

  // The meeting's head seq as Redis holds it, read over a connection of its own (0: unknown).
  std::uint64_t head(const std::string& meeting_id) const {
    const auto answer = redis_.command("GET {m:" + meeting_id + "}:head");
    if (!answer.starts_with("$")) return 0;
    const auto line = answer.find("\r\n");
    if (line == std::string::npos) return 0;
    try {
      return std::stoull(answer.substr(line + 2));
    } catch (const std::exception&) {
      return 0;
    }
  }

 private:
  redis_server_process redis_;  // declared first: it outlives the instances
  std::vector<std::string> ids_;
  std::vector<std::vector<std::string>> args_;
  std::vector<std::unique_ptr<majlisd_process>> instances_;
};

// ---------------------------------------------------------------------------------------------
// A TCP forwarder on loopback, the test's stand-in for a load balancer: every accepted
// connection is relayed to the target port of the moment; when either side closes, both do.
// Runs on the scenario's io_context.

class tcp_forwarder {
 public:
  tcp_forwarder(asio::io_context& io, std::uint16_t target)
      : acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0)), target_(target) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  ~tcp_forwarder() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }
  tcp_forwarder(const tcp_forwarder&) = delete;
  tcp_forwarder& operator=(const tcp_forwarder&) = delete;

  std::string port_string() const { return std::to_string(acceptor_.local_endpoint().port()); }
  // New connections go to `target` from now on; open ones stay where they are.
  void retarget(std::uint16_t target) { target_ = target; }

 private:
  asio::awaitable<void> accept_loop() {
    for (int accepted = 0; accepted < 100000; ++accepted) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      auto down = std::make_shared<tcp::socket>(std::move(socket));
      asio::co_spawn(acceptor_.get_executor(), relay(down, target_), asio::detached);
    }
  }

  static asio::awaitable<void> relay(std::shared_ptr<tcp::socket> down, std::uint16_t target) {
    auto up = std::make_shared<tcp::socket>(down->get_executor());
    auto [ec] = co_await up->async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), target),
                                           asio::as_tuple(asio::use_awaitable));
    if (ec) {
      boost::system::error_code ignored;
      down->close(ignored);
      co_return;
    }
    asio::co_spawn(down->get_executor(), pump(down, up), asio::detached);
    co_await pump(up, down);
  }

  static asio::awaitable<void> pump(std::shared_ptr<tcp::socket> from,
                                    std::shared_ptr<tcp::socket> to) {
    std::vector<char> buffer(16384);
    for (;;) {
      auto [read_ec, n] =
          co_await from->async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (read_ec) break;
      auto [write_ec, written] = co_await asio::async_write(*to, asio::buffer(buffer.data(), n),
                                                            asio::as_tuple(asio::use_awaitable));
      if (write_ec) break;
    }
    boost::system::error_code ignored;
    from->close(ignored);
    to->close(ignored);
  }

  tcp::acceptor acceptor_;
  std::uint16_t target_;
};

// ---------------------------------------------------------------------------------------------
// Awaitable helpers, all bounded in time.

struct task_group {
  explicit task_group(const asio::any_io_executor& executor) : done(executor) {}
  std::size_t remaining = 0;
  std::exception_ptr failure;
  asio::steady_timer done;
};

// Starts every task at once and waits until all have finished (at most `limit`); rethrows the
// first failure.
asio::awaitable<void> all_at_once(std::vector<asio::awaitable<void>> tasks,
                                  std::chrono::milliseconds limit, std::string what) {
  auto executor = co_await asio::this_coro::executor;
  auto group = std::make_shared<task_group>(executor);
  const std::size_t total = tasks.size();
  group->remaining = total;
  group->done.expires_after(limit);
  for (auto& task : tasks) {
    asio::co_spawn(executor, std::move(task), [group](std::exception_ptr error) {
      if (error && !group->failure) group->failure = error;
      if (--group->remaining == 0) group->done.cancel();
    });
  }
  if (group->remaining > 0) co_await group->done.async_wait(asio::as_tuple(asio::use_awaitable));
  require(group->remaining == 0, what + ": " + std::to_string(group->remaining) + " of " +
                                     std::to_string(total) + " tasks did not finish within " +
                                     std::to_string(limit.count()) + " ms");
  if (group->failure) std::rethrow_exception(group->failure);
}

// The harness forks processes without closing this process's descriptors: a redis-server
// started while clients are connected would inherit their sockets and keep them open after the
// clients close them (the servers never see those connections end). Marks every descriptor
// close-on-exec before such a fork.
void close_on_exec_everything() {
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    const int fd = std::atoi(entry.path().filename().c_str());
    if (fd <= 2) continue;
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

asio::awaitable<client::http_reply> http_get(std::string port, std::string target) {
  client::http_api_config config;
  config.port = std::move(port);
  config.admin_key = majlisd_process::admin_key;
  config.timeout = 2s;
  client::http_api api(co_await asio::this_coro::executor, config);
  co_return co_await api.request("GET", std::move(target), "", "");
}

// The value of a Prometheus counter in /metrics text (-1 when absent).
long long metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + name.size() + 2));
}

// ---------------------------------------------------------------------------------------------
// A meeting client that records, in arrival order, the seq of every event it was given after its
// first Welcome: the events of later Welcomes' replays and of every batch.

struct recorded : test_client {
  std::vector<std::uint64_t> arrivals;
  std::vector<v1::Event> replayed;
  std::uint64_t first_seq = 0;  // the seq of the first Welcome's snapshot
  int later_snapshots = 0;      // Welcomes after the first that carried a snapshot
  std::vector<client_status> statuses;

  recorded(asio::io_context& io, std::string who, std::string participant, std::string join_token,
           v1::Role as, client::meeting_client_config config)
      : test_client(io, std::move(who), std::move(participant), std::move(join_token), as,
                    std::move(config)) {
    client->on_events([this](const v1::EventBatch& batch, const client::state_mirror&) {
      for (const auto& event : batch.events()) {
        received.push_back(event);
        arrivals.push_back(event.seq());
      }
    });
    client->on_welcome([this](const v1::Welcome& welcome, const client::state_mirror&) {
      welcomes.push_back(welcome);
      if (welcomes.size() == 1) {
        first_seq = welcome.seq();
        return;
      }
      if (welcome.has_snapshot()) ++later_snapshots;
      for (const auto& event : welcome.replay().events()) {
        replayed.push_back(event);
        arrivals.push_back(event.seq());
      }
    });
    client->on_status(
        [this](client_status status, const v1::Error&) { statuses.push_back(status); });
  }
};

// It was given every seq after its first snapshot up to `final_seq` once, in order, and its
// mirror never saw a gap or a duplicate.
void require_continuous(const recorded& who, std::uint64_t final_seq) {
  require(!who.welcomes.empty() && who.welcomes.front().has_snapshot(),
          who.name + ": the first Welcome should carry a snapshot");
  require(who.later_snapshots == 0, who.name + " had to reload a snapshot after its first one");
  std::uint64_t expected = who.first_seq + 1;
  for (std::size_t i = 0; i < who.arrivals.size(); ++i) {
    require(who.arrivals[i] == expected,
            who.name + ": event " + std::to_string(i) + " after the snapshot at seq " +
                std::to_string(who.first_seq) + " has seq " + std::to_string(who.arrivals[i]) +
                ", expected " + std::to_string(expected) +
                (who.arrivals[i] < expected ? " (a repeat)" : " (a gap)"));
    ++expected;
  }
  require(expected == final_seq + 1, who.name + " was given seqs up to " +
                                         std::to_string(expected - 1) + ", the log is at " +
                                         std::to_string(final_seq));
  const auto counters = who.client->counters();
  require(counters.duplicates_ignored == 0 && counters.gaps_seen == 0,
          who.name + ": duplicates_ignored=" + std::to_string(counters.duplicates_ignored) +
              " gaps_seen=" + std::to_string(counters.gaps_seen));
  require(who.client->mirror().seq() == final_seq, who.name + ": the mirror is not at the head");
}

// Same audience, same bytes: over the seqs two clients were both sent, event for event equal.
void require_same_events(const std::vector<recorded*>& group, const std::string& audience) {
  const auto* reference = group.front();
  std::map<std::uint64_t, const v1::Event*> by_seq;
  for (const auto& event : reference->received) by_seq[event.seq()] = &event;
  for (const auto* who : group) {
    std::size_t common = 0;
    for (const auto& event : who->received) {
      const auto it = by_seq.find(event.seq());
      if (it == by_seq.end()) continue;
      ++common;
      const auto diff = differences(event, *it->second);
      require(diff.empty(), audience + ": " + who->name + " and " + reference->name +
                                " were sent different events at seq " +
                                std::to_string(event.seq()) + ":\n" + diff);
    }
    require(common > 0 || who->received.empty() || reference->received.empty(),
            audience + ": " + who->name + " shares no seq with " + reference->name);
  }
}

// Across audiences the events differ only in what is projected away: the kind at every seq is
// the chair's, or a stub.
void require_same_kinds(const recorded& chair, const std::vector<recorded*>& others,
                        int& stubs_seen) {
  std::map<std::uint64_t, v1::Event::KindCase> kinds;
  for (const auto& event : chair.received) kinds[event.seq()] = event.kind_case();
  for (const auto* who : others) {
    for (const auto& event : who->received) {
      const auto it = kinds.find(event.seq());
      if (it == kinds.end()) continue;
      if (event.kind_case() == v1::Event::KIND_NOT_SET) {
        ++stubs_seen;
        continue;
      }
      require(event.kind_case() == it->second,
              who->name + " got a " + kind_name(event) + " at seq " + std::to_string(event.seq()) +
                  " where the chair got another kind");
    }
  }
}

// Every mirror of a group equals the first one, the viewers' own choices aside (a snapshot
// carries them, events do not).
void require_same_state(const std::vector<test_client*>& group, const std::string& audience) {
  const auto reference = without_my_choices(group.front()->state());
  for (auto* who : group) {
    const auto diff = differences(without_my_choices(who->state()), reference);
    require(diff.empty(), audience + ": " + who->name + " holds another state than " +
                              group.front()->name + ":\n" + diff);
  }
}

std::string describe_queue(const v1::AgendaItem& item) {
  std::string out;
  for (const auto& entry : item.speakers().waiting())
    out += entry.participant_id() + "/" + std::to_string(entry.kind()) + " «" + entry.reason() + "» | ";
  return out;
}

// ---------------------------------------------------------------------------------------------
// What every scenario needs: the cluster, an admin API, the meeting, clients, settling.

class cluster_scenario {
 public:
  cluster_scenario(asio::io_context& io, cluster& nodes) : io_(io), nodes_(nodes) {}

 protected:

  client::http_api& api(std::size_t instance) {
    auto& slot = apis_[instance];
    if (!slot) {
      client::http_api_config config;
      config.port = nodes_.port(instance);
      config.admin_key = majlisd_process::admin_key;
      config.timeout = 20s;
      slot = std::make_unique<client::http_api>(io_.get_executor(), config);
    }
    return *slot;
  }

  static client::meeting_client_config config(std::uint64_t seed) {
    client::meeting_client_config c;
    c.jitter_seed = seed;
    c.command_timeout = 10s;
    c.connect_timeout = 10s;
    c.join_timeout = 10s;
    return c;
  }

  asio::awaitable<void> create_meeting(std::string title) {
    client::meeting_spec spec;
    spec.title = std::move(title);
    const auto created = co_await api(0).create_meeting(spec);
    require(bool(created), "POST /api/meetings failed: " + created.reply.error_code() + " " +
                               created.reply.error_message());
    meeting_id_ = created.value->meeting_id;
    moderator_token_ = created.value->tokens.moderator;
    display_token_ = created.value->tokens.display;
  }

  asio::awaitable<client::issued_token> token(std::string name, std::string group,
                                              std::string attendance, std::size_t instance = 0) {
    client::token_request request{"participant", std::move(name), std::move(group),
                                  std::move(attendance), ""};
    const auto issued = co_await api(instance).issue_token(meeting_id_, request);
    require(bool(issued), "no token for " + request.name + ": " + issued.reply.error_code() +
                              " " + issued.reply.error_message());
    co_return *issued.value;
  }

  asio::awaitable<std::unique_ptr<recorded>> participant(std::string name, std::string group,
                                                         std::string attendance,
                                                         client::meeting_client_config c) {
    const auto issued = co_await token(name, std::move(group), std::move(attendance), admin_instance_);
    co_return std::make_unique<recorded>(io_, std::move(name), issued.participant_id, issued.token,
                                         v1::ROLE_PARTICIPANT, std::move(c));
  }

  std::unique_ptr<recorded> chair(std::string name, client::meeting_client_config c) {
    return std::make_unique<recorded>(io_, std::move(name), "", moderator_token_,
                                      v1::ROLE_MODERATOR, std::move(c));
  }
  std::unique_ptr<recorded> display(std::string name, client::meeting_client_config c) {
    return std::make_unique<recorded>(io_, std::move(name), "", display_token_, v1::ROLE_DISPLAY,
                                      std::move(c));
  }

  // Waits until every client's mirror holds the log's head, and the head stays put meanwhile.
  asio::awaitable<std::uint64_t> settle(std::vector<client::meeting_client*> clients,
                                        std::chrono::milliseconds limit = 20s) {
    for (int round = 0; round < 50; ++round) {
      const auto head = nodes_.head(meeting_id_);
      require(head > 0, "cannot read the meeting's head from Redis");
      for (std::size_t i = 0; i < clients.size(); ++i) {
        const bool reached = co_await clients[i]->wait_for_seq(head, limit);
        require(reached, "client " + std::to_string(i) + " did not reach the head seq " +
                             std::to_string(head) + " (at " +
                             std::to_string(clients[i]->mirror().seq()) + ", " +
                             client::to_string(clients[i]->status()) + ")");
      }
      if (nodes_.head(meeting_id_) == head) co_return head;
    }
    require(false, "the log did not stop growing");
    co_return 0;
  }

  asio::awaitable<std::uint64_t> settle(const std::vector<test_client*>& clients,
                                        std::chrono::milliseconds limit = 20s) {
    std::vector<client::meeting_client*> raw;
    for (auto* who : clients) raw.push_back(who->client.get());
    co_return co_await settle(std::move(raw), limit);
  }

  asio::io_context& io_;
  cluster& nodes_;
  std::map<std::size_t, std::unique_ptr<client::http_api>> apis_;
  std::size_t admin_instance_ = 0;  // where participant() asks for tokens
  std::string meeting_id_;
  std::string moderator_token_;
  std::string display_token_;
};

// A command that must succeed, recording the seq of its last event.
asio::awaitable<void> must_into(test_client& who, v1::Command command, std::string what,
                                std::uint64_t& seq) {
  const auto result = co_await must(who, std::move(command), what);
  seq = result.seq();
}

const std::vector<std::string>& groups() {
  static const std::vector<std::string> list = {"government",    "private_sector",
                                                "civil_society", "academia",
                                                "technical_community", "international_organisations"};
  return list;
}

// =============================================================================================
// 1. One meeting over three instances.

class one_meeting_three_instances : public cluster_scenario {
 public:
  using cluster_scenario::cluster_scenario;

  asio::awaitable<void> run() {
    co_await gather();
    co_await agenda_and_hands();
    co_await floor_and_reply();
    co_await named_poll();
    co_await written_input();
    co_await everyone_agrees();
  }

 private:
  std::vector<test_client*> everyone() const {
    std::vector<test_client*> all{chair_.get(), display_.get()};
    for (const auto& p : people_) all.push_back(p.get());
    for (auto* fresh : {fresh_chair_.get(), fresh_display_.get(), fresh_participant_.get()})
      if (fresh) all.push_back(fresh);
    return all;
  }
  recorded& p(int i) { return *people_.at(static_cast<std::size_t>(i)); }

  asio::awaitable<void> gather() {
    co_await create_meeting("الحوار الوطني حول البنية التحتية الرقمية — three instances");
    chair_ = chair("chair (A)", config(1));
    display_ = display("display (A)", config(2));
    const char* names[] = {"عمر المختار", "Layla Ben Ali", "فاطمة الزهراء",
                           "Tarek Zlitni", "سالم الورفلي", "Nadia Ben Ammar"};
    for (int i = 0; i < 6; ++i) {
      const std::string where = i % 2 == 0 ? " (B)" : " (C)";
      people_.push_back(co_await participant(std::string(names[i]) + where,
                                             groups()[static_cast<std::size_t>(i)],
                                             i % 3 == 0 ? "in_room" : "remote", config(10 + i)));
    }
    co_await connect_and_join(*chair_, nodes_.port(0), meeting_id_);
    co_await connect_and_join(*display_, nodes_.port(0), meeting_id_);
    for (int i = 0; i < 6; ++i)
      co_await connect_and_join(p(i), nodes_.port(i % 2 == 0 ? 1 : 2), meeting_id_);
    const auto seq = co_await settle(everyone());
    // Everyone is on every roster, online, whichever instance they joined; the display is
    // counted in the audience, not listed.
    for (auto* viewer : everyone()) {
      std::uint32_t displays = 0;
      for (const auto& count : viewer->state().audience()) displays += count.displays();
      require(displays == 1, viewer->name + " does not count the display");
      require(viewer->state().participants_size() == 7,
              viewer->name + " sees " + std::to_string(viewer->state().participants_size()) +
                  " people on the roster at seq " + std::to_string(seq));
      for (const auto& who : viewer->state().participants())
        require(who.online() && who.connection_count() == 1,
                viewer->name + " sees " + who.display_name() + " offline or doubled");
    }
  }

  asio::awaitable<void> agenda_and_hands() {
    co_await must(*chair_, cmd::add_item("شبكات الألياف في الجنوب", "Fibre in the south", 30), "add item 1");
    co_await must(*chair_, cmd::add_item("الهوية الرقمية", "Digital identity", 30), "add item 2");
    co_await must(*chair_, cmd::start_meeting(), "start the meeting");
    item_ = chair_->state().agenda(0).id();
    co_await must(*chair_, cmd::start_item(item_), "start item 1");

    // Six hands at once from B and C: the instances race for the same seqs.
    std::vector<asio::awaitable<void>> hands;
    hand_seq_.resize(people_.size());
    for (std::size_t i = 0; i < people_.size(); ++i)
      hands.push_back(must_into(*people_[i], cmd::request(speak), "raise a hand", hand_seq_[i]));
    co_await all_at_once(std::move(hands), 20s, "raising hands");
    // A point of order from C goes before every hand.
    co_await must_into(p(3), cmd::request(point_of_order), "raise a point of order", order_seq_);
    co_await settle(everyone());

    std::vector<std::size_t> by_commit(people_.size());
    for (std::size_t i = 0; i < by_commit.size(); ++i) by_commit[i] = i;
    std::sort(by_commit.begin(), by_commit.end(),
              [&](std::size_t a, std::size_t b) { return hand_seq_[a] < hand_seq_[b]; });
    std::set<std::uint64_t> distinct(hand_seq_.begin(), hand_seq_.end());
    require(distinct.size() == people_.size(), "two hands were acknowledged with the same seq");
    std::vector<std::pair<std::string, std::string>> expected;
    expected.emplace_back(p(3).participant_id, reason_point_of_order);
    for (auto i : by_commit) expected.emplace_back(people_[i]->participant_id, reason_in_order);
    check_queue("after six hands and a point of order", expected);
  }

  void check_queue(const std::string& when,
                   const std::vector<std::pair<std::string, std::string>>& expected) {
    std::string want;
    for (const auto& [id, reason] : expected) want += id + " «" + reason + "» | ";
    for (auto* viewer : everyone()) {
      const auto* item = item_by_id(viewer->state(), item_);
      require(item != nullptr, viewer->name + " has no item 1");
      std::string got;
      for (const auto& entry : item->speakers().waiting())
        got += entry.participant_id() + " «" + entry.reason() + "» | ";
      require(got == want, when + ": " + viewer->name + " sees\n  " + got + "\nexpected\n  " + want);
    }
  }

  void check_floor(const std::string& when, const std::string& participant_id,
                   v1::RequestKind kind) {
    for (auto* viewer : everyone()) {
      const auto& list = item_by_id(viewer->state(), item_)->speakers();
      require(list.floor_taken() && list.floor().participant_id() == participant_id &&
                  list.floor().kind() == kind,
              when + ": " + viewer->name + " sees the floor as " + list.floor().ShortDebugString());
    }
  }

  asio::awaitable<void> floor_and_reply() {
    co_await must(*chair_, cmd::next_speaker(), "give the floor");
    co_await settle(everyone());
    check_floor("the point of order", p(3).participant_id, point_of_order);
    co_await must(p(3), cmd::end_turn(), "end the point of order");
    co_await must(*chair_, cmd::next_speaker(), "give the floor");
    co_await settle(everyone());
    const auto first = *std::min_element(hand_seq_.begin(), hand_seq_.end());
    std::size_t speaker = 0;
    while (hand_seq_[speaker] != first) ++speaker;
    check_floor("the first hand", people_[speaker]->participant_id, speak);

    // A direct reply from someone on the other instance than the speaker goes right after them.
    const std::size_t replier = (speaker + 1) % people_.size();
    co_await must(*people_[replier], cmd::request(reply), "ask to reply");
    co_await settle(everyone());
    {
      const auto& waiting = item_by_id(display_->state(), item_)->speakers().waiting();
      require(waiting.size() == 6 && waiting.Get(0).participant_id() == people_[replier]->participant_id &&
                  waiting.Get(0).reason() == reason_reply,
              "the reply is not at the top: " + describe_queue(*item_by_id(display_->state(), item_)));
    }
    co_await must(*people_[speaker], cmd::end_turn(), "end their own turn");
    co_await must(*chair_, cmd::next_speaker(), "give the floor to the reply");
    co_await settle(everyone());
    check_floor("the reply", people_[replier]->participant_id, reply);
    co_await must(*chair_, cmd::end_turn(), "end the reply");
    co_await settle(everyone());
    require(chair_->state().interventions_size() == 3, "three turns should be on record");
  }

  asio::awaitable<void> vote(recorded& who, std::uint32_t choice) {
    co_await must(who, cmd::cast(poll_, choice), "vote");
  }

  asio::awaitable<void> named_poll() {
    std::vector<std::string> options;  // not a braced list: GCC 12 (see meeting_test.cpp)
    options.push_back("الألياف أولاً");
    options.push_back("الجيل الخامس أولاً");
    options.push_back("كلاهما معاً");
    co_await must(*chair_, cmd::create_poll("ما الأولوية؟", v1::POLL_KIND_SINGLE,
                                            v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_LIVE,
                                            options),
                  "create the poll");
    poll_ = chair_->state().polls(0).id();
    co_await must(*chair_, cmd::open_poll(poll_), "open the poll");
    // People vote once their screen shows the poll open: on B and C that is after the replica
    // there applied it (a command is decided against the replica of the instance it reaches).
    co_await settle(everyone());
    std::vector<asio::awaitable<void>> votes;
    for (std::size_t i = 0; i < people_.size(); ++i)
      votes.push_back(vote(*people_[i], static_cast<std::uint32_t>(i % 3)));
    co_await all_at_once(std::move(votes), 20s, "voting");
    // A named ballot may change while the poll is open: participant 0 moves to option 2.
    co_await must(p(0), cmd::cast(poll_, 2), "change a named ballot");
    co_await must(*chair_, cmd::close_poll(poll_), "close the poll");
    co_await must(*chair_, cmd::publish_poll(poll_), "publish the poll");
    co_await settle(everyone());
    // 0→2, 1→1, 2→2, 3→0, 4→1, 5→2
    std::vector<std::uint32_t> expected = {1, 2, 3};
    for (auto* viewer : everyone()) {
      const auto* poll = poll_by_id(viewer->state(), poll_);
      require(poll != nullptr && poll->status() == v1::POLL_STATUS_PUBLISHED &&
                  std::vector<std::uint32_t>(poll->tally().begin(), poll->tally().end()) == expected &&
                  poll->voter_ids_size() == 6,
              viewer->name + " sees the poll as " + (poll ? poll->ShortDebugString() : "missing"));
    }
  }

  asio::awaitable<void> upvote(recorded& who) {
    co_await must(who, cmd::upvote(contribution_), "upvote");
  }

  asio::awaitable<void> written_input() {
    co_await must(p(1), cmd::submit("نريد الألياف في كل مدرسة قبل 2027."), "submit a contribution");
    co_await settle(everyone());
    contribution_ = chair_->state().contributions(0).id();
    std::vector<asio::awaitable<void>> upvotes;
    upvotes.push_back(upvote(p(2)));
    upvotes.push_back(upvote(p(4)));
    upvotes.push_back(upvote(p(5)));
    co_await all_at_once(std::move(upvotes), 20s, "upvoting");
    co_await must(*chair_, cmd::mark(contribution_, true, false), "mark it answered");
    co_await must(*chair_, cmd::decision(item_, "Fibre first, in every school by 2027."), "record a decision");
  }

  asio::awaitable<void> everyone_agrees() {
    // Fresh clients on other instances than the originals of their audience: their snapshots
    // come from those instances' replicas.
    fresh_chair_ = chair("fresh chair (B)", config(30));
    fresh_display_ = display("fresh display (C)", config(31));
    fresh_participant_ = co_await participant("Fresh participant (B)", "academia", "remote", config(32));
    co_await connect_and_join(*fresh_chair_, nodes_.port(1), meeting_id_);
    co_await connect_and_join(*fresh_display_, nodes_.port(2), meeting_id_);
    co_await connect_and_join(*fresh_participant_, nodes_.port(1), meeting_id_);
    const auto final_seq = co_await settle(everyone());

    // One state per audience, equal to a fresh snapshot of that audience.
    std::vector<test_client*> moderators{chair_.get(), fresh_chair_.get()};
    std::vector<test_client*> publics{display_.get(), fresh_display_.get()};
    std::vector<test_client*> participants;
    for (auto& who : people_) participants.push_back(who.get());
    participants.push_back(fresh_participant_.get());
    require_same_state(moderators, "moderators");
    require_same_state(publics, "display");
    require_same_state(participants, "participants");
    // The state is really shared: the same roster, agenda and queue whatever the audience.
    require(differences(chair_->state().agenda(0), display_->state().agenda(0)).empty() &&
                differences(chair_->state().agenda(0), p(0).state().agenda(0)).empty(),
            "the agenda differs between audiences");
    // The chair, six people, the fresh participant (the fresh chair is a second connection of
    // the first one); the displays are counted, not listed.
    require(chair_->state().participants_size() == 8, "the roster should hold 8 people");

    // The same events in the same order: identical per audience, same kinds across audiences.
    std::vector<recorded*> all{chair_.get(), display_.get(), fresh_chair_.get(), fresh_display_.get(),
                               fresh_participant_.get()};
    for (auto& who : people_) all.push_back(who.get());
    for (auto* who : all) require_continuous(*who, final_seq);
    for (auto* who : all)
      require(who->client->counters().reconnects == 0, who->name + " had to reconnect");
    std::vector<recorded*> recorded_moderators{chair_.get(), fresh_chair_.get()};
    std::vector<recorded*> recorded_publics{display_.get(), fresh_display_.get()};
    std::vector<recorded*> recorded_participants;
    for (auto& who : people_) recorded_participants.push_back(who.get());
    recorded_participants.push_back(fresh_participant_.get());
    require_same_events(recorded_moderators, "moderators");
    require_same_events(recorded_publics, "display");
    require_same_events(recorded_participants, "participants");
    int stubs = 0;
    require_same_kinds(*chair_, all, stubs);
    require(stubs == 0, "nothing in this meeting is hidden from anyone, yet " +
                            std::to_string(stubs) + " stubs were sent");
    // The slice of the meeting every original client saw whole, in one order.
    std::uint64_t latest_join = 0;
    for (auto* who : {display_.get(), &p(0), &p(1), &p(2), &p(3), &p(4), &p(5)})
      latest_join = std::max(latest_join, who->first_seq);
    std::string order;
    for (const auto& event : chair_->received)
      if (event.seq() > latest_join) order += std::to_string(event.seq()) + ":" + kind_name(event) + " ";
    require(final_seq - latest_join >= 30, "the shared slice is too short: " + order);
    std::printf("[cluster] events every client saw in one order: %s\n", order.c_str());
  }

  std::unique_ptr<recorded> chair_, display_, fresh_chair_, fresh_display_, fresh_participant_;
  std::vector<std::unique_ptr<recorded>> people_;
  std::string item_, poll_, contribution_;
  std::vector<std::uint64_t> hand_seq_;
  std::uint64_t order_seq_ = 0;
};

TEST(cluster, one_meeting_over_three_instances_ends_in_one_state_and_one_order) {
  cluster nodes({"a", "b", "c"});
  asio::io_context io;
  one_meeting_three_instances scenario(io, nodes);
  ASSERT_EQ(run_scenario(io, scenario.run(), 120s), "");
}

// =============================================================================================
// 2. Contention: 300 voters over three instances, all at once; 100 hands at once.

class contention : public cluster_scenario {
 public:
  static constexpr std::size_t voters = 300;
  static constexpr std::size_t hands = 100;
  static constexpr std::uint32_t option_count = 4;

  using cluster_scenario::cluster_scenario;

  asio::awaitable<void> run() {
    co_await gather();
    co_await open_the_poll();
    co_await the_burst();
    co_await check_everywhere();
  }

 private:
  struct voter {
    std::string participant_id;
    std::string token;
    std::size_t instance = 0;
    std::unique_ptr<client::meeting_client> client;
    std::uint64_t vote_seq = 0;
    std::uint64_t hand_seq = 0;
  };

  static std::uint32_t choice_of(std::size_t i) { return static_cast<std::uint32_t>((i * 7 + i / 5) % option_count); }

  std::vector<client::meeting_client*> all_clients() {
    std::vector<client::meeting_client*> all{chair_->client.get()};
    for (auto& v : voters_) all.push_back(v.client.get());
    for (auto& d : displays_) all.push_back(d->client.get());
    return all;
  }

  asio::awaitable<void> issue(std::size_t i) {
    const auto issued = co_await token("Voter " + std::to_string(i), groups()[i % groups().size()],
                                       i % 2 ? "remote" : "in_room", i % 3);
    voters_[i].participant_id = issued.participant_id;
    voters_[i].token = issued.token;
  }

  asio::awaitable<void> join_voter(std::size_t i) {
    auto& v = voters_[i];
    const auto ec = co_await v.client->connect("127.0.0.1", nodes_.port(v.instance));
    require(!ec, "voter " + std::to_string(i) + ": connect failed: " + ec.message());
    const auto joined = co_await v.client->join(meeting_id_, v.token);
    require(joined.ok, "voter " + std::to_string(i) + ": join failed: " + joined.error.ShortDebugString());
  }

  asio::awaitable<void> gather() {
    co_await create_meeting("Contention: 300 voters on three instances");
    chair_ = chair("chair (A)", config(1));
    co_await connect_and_join(*chair_, nodes_.port(0), meeting_id_);

    voters_.resize(voters);
    auto started = steady::now();
    for (std::size_t first = 0; first < voters; first += 50) {
      std::vector<asio::awaitable<void>> batch;
      for (std::size_t i = first; i < std::min(voters, first + 50); ++i) batch.push_back(issue(i));
      co_await all_at_once(std::move(batch), 30s, "issuing tokens");
    }
    report("contention.tokens_ms", ms_since(started), "ms");

    started = steady::now();
    for (std::size_t i = 0; i < voters; ++i) {
      auto c = config(100 + i);
      c.connect_timeout = 30s;
      c.join_timeout = 30s;
      c.command_timeout = 30s;
      voters_[i].instance = i % 3;
      voters_[i].client = std::make_unique<client::meeting_client>(io_.get_executor(), c);
    }
    for (std::size_t first = 0; first < voters; first += 50) {
      std::vector<asio::awaitable<void>> batch;
      for (std::size_t i = first; i < std::min(voters, first + 50); ++i) batch.push_back(join_voter(i));
      co_await all_at_once(std::move(batch), 60s, "joining voters");
    }
    const auto seq = co_await settle(all_clients(), 60s);
    report("contention.join_300_ms", ms_since(started), "ms");
    require(chair_->state().participants_size() == static_cast<int>(voters) + 1,
            "the chair sees " + std::to_string(chair_->state().participants_size()) +
                " people at seq " + std::to_string(seq));
  }

  asio::awaitable<void> open_the_poll() {
    co_await must(*chair_, cmd::add_item("أولويات الميزانية الرقمية", "Digital budget priorities", 60), "add an item");
    co_await must(*chair_, cmd::start_meeting(), "start the meeting");
    item_ = chair_->state().agenda(0).id();
    co_await must(*chair_, cmd::start_item(item_), "start the item");
    std::vector<std::string> options;  // not a braced list: GCC 12
    options.push_back("الاتصال");
    options.push_back("المهارات");
    options.push_back("الخدمات الحكومية");
    options.push_back("الأمن السيبراني");
    co_await must(*chair_, cmd::create_poll("Where should the first dinar go?", v1::POLL_KIND_SINGLE,
                                            v1::POLL_SECRECY_NAMED,
                                            v1::RESULTS_VISIBILITY_AFTER_CLOSE, options),
                  "create the poll");
    poll_ = chair_->state().polls(0).id();
    co_await must(*chair_, cmd::open_poll(poll_), "open the poll");
    opened_seq_ = co_await settle(all_clients(), 30s);
  }

  // One command, retried only when the store said ABORTED (concurrent appends kept winning:
  // nothing was applied); any other failure fails the test.
  asio::awaitable<void> command(std::size_t i, v1::Command c, std::string what, std::uint64_t& seq) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      const auto result = co_await voters_[i].client->send(c, 30s);
      if (result.ok()) {
        seq = result.seq();
        co_return;
      }
      require(result.error().code() == v1::ERROR_CODE_ABORTED,
              "voter " + std::to_string(i) + " could not " + what + ": " + describe(result));
      ++aborted_;
    }
    require(false, "voter " + std::to_string(i) + ": " + what + " was ABORTED ten times");
  }

  asio::awaitable<void> the_burst() {
    // Every vote and every hand goes out in the same instant, over the three instances.
    std::vector<asio::awaitable<void>> burst;
    for (std::size_t i = 0; i < voters; ++i)
      burst.push_back(command(i, cmd::cast(poll_, choice_of(i)), "vote", voters_[i].vote_seq));
    for (std::size_t i = 0; i < hands; ++i)
      burst.push_back(command(i, cmd::request(speak), "raise a hand", voters_[i].hand_seq));
    const auto started = steady::now();
    co_await all_at_once(std::move(burst), 60s, "the burst");
    const auto burst_ms = ms_since(started);
    // Acknowledged here: bounded by this process, which mirrors every event 301 times.
    report("contention.burst_400_commands_acknowledged_ms", burst_ms, "ms");
    report("contention.aborted_retries", aborted_, "commands");
    // Decided there: the span of the servers' own timestamps on the burst's events.
    std::int64_t first_at = 0, last_at = 0;
    for (const auto& event : chair_->received) {
      if (event.seq() <= opened_seq_) continue;
      if (!event.has_ballot_cast() && !event.has_floor_requested()) continue;
      if (first_at == 0 || event.at_ms() < first_at) first_at = event.at_ms();
      last_at = std::max(last_at, event.at_ms());
    }
    report("contention.burst_decided_by_the_servers_within_ms", last_at - first_at, "ms");
    long long conflicts = 0, appends = 0;
    for (std::size_t k = 0; k < 3; ++k) {
      const auto metrics = co_await http_get(nodes_.port(k), "/metrics");
      conflicts += metric(metrics.body, "majlis_append_conflicts_total");
      appends += metric(metrics.body, "majlis_appends_total");
    }
    report("contention.append_conflicts_all_instances", conflicts, "appends");
    report("contention.appends_all_instances", appends, "appends");
    co_await must(*chair_, cmd::close_poll(poll_), "close the poll");
    const auto settle_started = steady::now();
    final_seq_ = co_await settle(all_clients(), 60s);
    report("contention.settle_after_close_ms", ms_since(settle_started), "ms");
  }

  void check_poll(const test_client& viewer, const std::map<std::string, std::uint32_t>& expected_ballots,
                  const std::vector<std::uint32_t>& expected_tally, bool ballots_visible) {
    const auto* poll = poll_by_id(viewer.state(), poll_);
    require(poll != nullptr && poll->status() == v1::POLL_STATUS_CLOSED,
            viewer.name + ": the poll is not closed");
    const std::vector<std::uint32_t> tally(poll->tally().begin(), poll->tally().end());
    std::string got, want;
    for (auto n : tally) got += std::to_string(n) + " ";
    for (auto n : expected_tally) want += std::to_string(n) + " ";
    require(tally == expected_tally, viewer.name + " counts " + got + "expected " + want);
    const std::set<std::string> voter_ids(poll->voter_ids().begin(), poll->voter_ids().end());
    require(poll->voter_ids_size() == static_cast<int>(voters) && voter_ids.size() == voters,
            viewer.name + ": " + std::to_string(poll->voter_ids_size()) + " votes recorded, " +
                std::to_string(voter_ids.size()) + " distinct voters");
    for (const auto& [id, choice] : expected_ballots)
      require(voter_ids.contains(id), viewer.name + ": the vote of " + id + " is missing");
    if (!ballots_visible) return;
    require(poll->ballots_size() == static_cast<int>(voters), viewer.name + ": ballots missing");
    for (const auto& ballot : poll->ballots()) {
      const auto it = expected_ballots.find(ballot.voter_id());
      require(it != expected_ballots.end() && ballot.choices_size() == 1 &&
                  ballot.choices(0) == it->second,
              viewer.name + ": wrong ballot " + ballot.ShortDebugString());
    }
  }

  void check_queue(const std::string& who, const v1::MeetingState& state,
                   const std::vector<std::string>& expected_order) {
    const auto* item = item_by_id(state, item_);
    require(item != nullptr, who + ": the item is missing");
    const auto& waiting = item->speakers().waiting();
    std::set<std::string> seen, entry_ids;
    std::uint64_t last_order = 0;
    for (int k = 0; k < waiting.size(); ++k) {
      const auto& entry = waiting.Get(k);
      require(seen.insert(entry.participant_id()).second,
              who + ": " + entry.participant_id() + " is twice in the queue");
      require(entry_ids.insert(entry.id()).second, who + ": entry id " + entry.id() + " twice");
      require(entry.kind() == speak && entry.reason() == reason_in_order &&
                  (k == 0 || entry.request_order() > last_order),
              who + ": entry " + std::to_string(k) + " is out of order: " + entry.ShortDebugString());
      last_order = entry.request_order();
    }
    require(waiting.size() == static_cast<int>(expected_order.size()),
            who + ": " + std::to_string(waiting.size()) + " requests in the queue, expected " +
                std::to_string(expected_order.size()));
    for (int k = 0; k < waiting.size(); ++k)
      require(waiting.Get(k).participant_id() == expected_order[static_cast<std::size_t>(k)],
              who + ": position " + std::to_string(k) + " holds " + waiting.Get(k).participant_id() +
                  ", expected " + expected_order[static_cast<std::size_t>(k)] +
                  " (the request committed " + std::to_string(k + 1) + "th)");
  }

  asio::awaitable<void> check_everywhere() {
    // What was acknowledged: one seq per vote and per hand, all distinct.
    std::map<std::string, std::uint32_t> expected_ballots;
    std::vector<std::uint32_t> expected_tally(option_count, 0);
    std::set<std::uint64_t> seqs;
    for (std::size_t i = 0; i < voters; ++i) {
      expected_ballots[voters_[i].participant_id] = choice_of(i);
      ++expected_tally[choice_of(i)];
      require(voters_[i].vote_seq > 0 && seqs.insert(voters_[i].vote_seq).second,
              "vote " + std::to_string(i) + " was acknowledged with seq " +
                  std::to_string(voters_[i].vote_seq) + ", not a seq of its own");
    }
    std::vector<std::pair<std::uint64_t, std::string>> hands_by_seq;
    for (std::size_t i = 0; i < hands; ++i) {
      require(voters_[i].hand_seq > 0 && seqs.insert(voters_[i].hand_seq).second,
              "hand " + std::to_string(i) + " was not acknowledged with a seq of its own");
      hands_by_seq.emplace_back(voters_[i].hand_seq, voters_[i].participant_id);
    }
    std::sort(hands_by_seq.begin(), hands_by_seq.end());
    std::vector<std::string> expected_order;
    for (const auto& [seq, id] : hands_by_seq) expected_order.push_back(id);

    // Exact tallies in the chair's mirror (it sees ballots), and in a participant's on each
    // instance (after close they see the tally, not the ballots).
    check_poll(*chair_, expected_ballots, expected_tally, true);
    // The queue: every hand exactly once, in commit order, on the chair's mirror.
    check_queue(chair_->name, chair_->state(), expected_order);

    // Fresh snapshots from each instance's replica: the same poll and the same queue.
    for (std::size_t k = 0; k < 3; ++k) {
      displays_.push_back(display("fresh display (" + nodes_.id(k) + ")", config(50 + k)));
      co_await connect_and_join(*displays_.back(), nodes_.port(k), meeting_id_);
      const auto& snapshot = displays_.back()->welcomes.front().snapshot();
      check_queue(displays_.back()->name + " snapshot", snapshot, expected_order);
      require(differences(item_by_id(snapshot, item_)->speakers(),
                          item_by_id(chair_->state(), item_)->speakers())
                  .empty(),
              displays_.back()->name + ": the snapshot's queue differs from the chair's mirror");
      check_poll(*displays_.back(), expected_ballots, expected_tally, false);
    }
    final_seq_ = co_await settle(all_clients(), 30s);

    // Every participant's mirror, on every instance, holds one and the same state.
    const auto reference = without_my_choices(voters_[0].client->mirror().state());
    for (std::size_t i = 0; i < voters; ++i) {
      const auto& c = *voters_[i].client;
      const auto counters = c.counters();
      require(counters.gaps_seen == 0 && counters.duplicates_ignored == 0 && counters.reconnects == 0,
              "voter " + std::to_string(i) + ": gaps " + std::to_string(counters.gaps_seen) +
                  ", duplicates " + std::to_string(counters.duplicates_ignored) + ", reconnects " +
                  std::to_string(counters.reconnects));
      const auto diff = differences(without_my_choices(c.mirror().state()), reference);
      require(diff.empty(), "voter " + std::to_string(i) + " (instance " +
                                nodes_.id(voters_[i].instance) + ") differs from voter 0:\n" + diff);
    }
    for (std::size_t k = 0; k < 3; ++k) {
      // A participant on each instance: the queue as the chair sees it.
      check_queue("voter " + std::to_string(k) + " on " + nodes_.id(k),
                  voters_[k].client->mirror().state(), expected_order);
      require(differences(item_by_id(voters_[k].client->mirror().state(), item_)->speakers(),
                          item_by_id(chair_->state(), item_)->speakers())
                  .empty(),
              "voter " + std::to_string(k) + ": the queue differs from the chair's");
    }
    for (auto& d : displays_) {
      const auto diff = differences(d->state(), displays_.front()->state());
      require(diff.empty(), d->name + " differs from " + displays_.front()->name + ":\n" + diff);
    }
    require_continuous(*chair_, final_seq_);
  }

  std::unique_ptr<recorded> chair_;
  std::vector<std::unique_ptr<recorded>> displays_;
  std::vector<voter> voters_;
  std::string item_, poll_;
  long long aborted_ = 0;
  std::uint64_t opened_seq_ = 0;
  std::uint64_t final_seq_ = 0;
};

TEST(cluster, three_hundred_voters_on_three_instances_in_the_same_second) {
  cluster nodes({"a", "b", "c"});
  asio::io_context io;
  contention scenario(io, nodes);
  const auto started = steady::now();
  ASSERT_EQ(run_scenario(io, scenario.run(), 180s), "");
  report("contention.total_ms", ms_since(started), "ms");
}

// =============================================================================================
// 3. SIGKILL of one instance mid-meeting.

class instance_dies : public cluster_scenario {
 public:
  using cluster_scenario::cluster_scenario;

  asio::awaitable<void> run() {
    co_await gather();
    co_await before_the_kill();
    co_await kill_and_watch();
    co_await come_back_through_survivors();
    co_await carry_on_and_agree();
  }

 private:
  std::vector<test_client*> everyone() const {
    std::vector<test_client*> all{chair_.get(), display_.get(), on_b_.get(), on_c_.get(),
                                  dual_on_c_.get()};
    for (const auto& v : victims_) all.push_back(v.get());
    if (fresh_) all.push_back(fresh_.get());
    return all;
  }
  std::vector<test_client*> survivors() const {
    return {chair_.get(), display_.get(), on_b_.get(), on_c_.get(), dual_on_c_.get()};
  }

  asio::awaitable<void> gather() {
    co_await create_meeting("جلسة الاستماع — an instance dies");
    chair_ = chair("chair (B)", config(1));
    display_ = display("display (C)", config(2));
    // The victims reach A through forwarders, as through a load balancer; after A dies the
    // forwarders send them to B and C, and they come back on their own.
    for (int i = 0; i < 3; ++i) {
      auto c = config(10 + i);
      c.reconnect_backoff.initial = 250ms;
      c.reconnect_backoff.max = 1000ms;
      c.reconnect_backoff.jitter = 0.2;
      c.reconnect_backoff.max_attempts = 60;
      victims_.push_back(co_await participant("Victim " + std::to_string(i) + " (A)",
                                              groups()[static_cast<std::size_t>(i)], "remote", c));
      forwarders_.push_back(std::make_unique<tcp_forwarder>(io_, nodes_.instance(0).port()));
    }
    on_b_ = co_await participant("سالم (B)", "government", "in_room", config(20));
    on_c_ = co_await participant("ليلى (C)", "academia", "remote", config(21));
    // One person on two devices: a phone on A (no reconnect) and a laptop on C.
    auto phone = config(22);
    phone.auto_reconnect = false;
    dual_on_c_ = co_await participant("مريم — laptop (C)", "civil_society", "in_room", config(23));
    dual_on_a_ = std::make_unique<recorded>(io_, "مريم — phone (A)", dual_on_c_->participant_id,
                                            dual_on_c_->token, v1::ROLE_PARTICIPANT, phone);

    co_await connect_and_join(*chair_, nodes_.port(1), meeting_id_);
    co_await connect_and_join(*display_, nodes_.port(2), meeting_id_);
    for (std::size_t i = 0; i < victims_.size(); ++i)
      co_await connect_and_join(*victims_[i], forwarders_[i]->port_string(), meeting_id_);
    co_await connect_and_join(*on_b_, nodes_.port(1), meeting_id_);
    co_await connect_and_join(*on_c_, nodes_.port(2), meeting_id_);
    co_await connect_and_join(*dual_on_c_, nodes_.port(2), meeting_id_);
    co_await connect_and_join(*dual_on_a_, nodes_.port(0), meeting_id_);
    co_await settle(everyone());
    for (const auto& v : victims_) {
      const auto* entry = participant_by_id(chair_->state(), v->participant_id);
      require(entry && entry->online() && entry->connection_ids_size() == 1 &&
                  entry->connection_ids(0).starts_with("a-"),
              v->name + " should be online through instance a: " +
                  (entry ? entry->ShortDebugString() : "missing"));
    }
    const auto* dual = participant_by_id(chair_->state(), dual_on_c_->participant_id);
    require(dual && dual->connection_count() == 2, "the person on two devices should have two connections");
  }

  asio::awaitable<void> before_the_kill() {
    co_await must(*chair_, cmd::add_item("التمويل", "Funding", 30), "add an item");
    co_await must(*chair_, cmd::start_meeting(), "start the meeting");
    item_ = chair_->state().agenda(0).id();
    co_await must(*chair_, cmd::start_item(item_), "start the item");
    co_await must(*victims_[0], cmd::request(speak), "raise a hand");
    co_await must(*on_c_, cmd::request(speak), "raise a hand");
    co_await must(*victims_[1], cmd::request(speak), "raise a hand");
    std::vector<std::string> options;
    options.push_back("نعم");
    options.push_back("لا");
    co_await must(*chair_, cmd::create_poll("Fund the regional hubs?", v1::POLL_KIND_SINGLE,
                                            v1::POLL_SECRECY_NAMED, v1::RESULTS_VISIBILITY_LIVE, options),
                  "create a poll");
    poll_ = chair_->state().polls(0).id();
    co_await must(*chair_, cmd::open_poll(poll_), "open the poll");
    co_await must(*victims_[2], cmd::cast(poll_, 0), "vote");
    co_await must(*on_b_, cmd::cast(poll_, 1), "vote");
    before_kill_seq_ = co_await settle(everyone());
  }

  // The survivors' view of the people who were on A: every victim offline, the person on two
  // devices online with one connection, no connection of instance a left anywhere.
  bool a_is_gone(const test_client& viewer) const {
    for (const auto& v : victims_) {
      const auto* entry = participant_by_id(viewer.state(), v->participant_id);
      if (!entry || entry->online() || entry->connection_count() != 0) return false;
    }
    const auto* dual = participant_by_id(viewer.state(), dual_on_c_->participant_id);
    if (!dual || !dual->online() || dual->connection_count() != 1) return false;
    for (const auto& who : viewer.state().participants())
      for (const auto& id : who.connection_ids())
        if (id.starts_with("a-")) return false;
    return true;
  }

  asio::awaitable<void> kill_and_watch() {
    // Processes are started and stopped from the test's own thread: the harness starts them
    // with PR_SET_PDEATHSIG, which fires when the thread that forked them ends.
    nodes_.instance(0).kill_now();
    const auto killed = steady::now();
    const auto limit = std::chrono::milliseconds(heartbeat_ttl_ms + 3000);
    std::map<std::string, long long> offline_after;
    while (offline_after.size() < survivors().size() && steady::now() < killed + limit + 2s) {
      for (auto* viewer : survivors())
        if (!offline_after.contains(viewer->name) && a_is_gone(*viewer))
          offline_after[viewer->name] = ms_since(killed);
      co_await sleep_for(10ms);
    }
    long long slowest = 0;
    for (auto* viewer : survivors()) {
      require(offline_after.contains(viewer->name),
              viewer->name + " still sees instance a's people online " +
                  std::to_string(ms_since(killed)) + " ms after the SIGKILL");
      slowest = std::max(slowest, offline_after[viewer->name]);
    }
    report("sigkill.offline_on_every_survivor_after_ms", slowest, "ms");
    require(slowest <= limit.count(), "offline only after " + std::to_string(slowest) +
                                          " ms; the documented bound is ttl + 2 sweeps (" +
                                          std::to_string(heartbeat_ttl_ms * 7 / 5) +
                                          " ms), the test allows " + std::to_string(limit.count()));
    // Not before the heartbeat could have expired: nobody is declared dead on a hunch.
    require(slowest >= heartbeat_ttl_ms / 2, "offline after only " + std::to_string(slowest) + " ms");
    for (const auto& v : victims_)
      require(v->client->status() == client_status::reconnecting,
              v->name + " should be trying to come back, is " + client::to_string(v->client->status()));
    require(dual_on_a_->client->status() == client_status::closed, "the phone on A should be closed");

    // Every connection of A left exactly once, whichever survivor noticed first.
    std::map<std::string, int> closed;
    for (const auto& event : chair_->received) {
      if (event.has_connection_closed() && event.connection_closed().connection_id().starts_with("a-"))
        ++closed[event.connection_closed().connection_id()];
      for (const auto& gone : event.presence_changed().closed())
        if (gone.connection_id().starts_with("a-")) ++closed[gone.connection_id()];
    }
    require(closed.size() == 4, std::to_string(closed.size()) + " connections of a were closed, expected 4");
    for (const auto& [id, count] : closed)
      require(count == 1, id + " was closed " + std::to_string(count) + " times");

    // The meeting goes on while the victims are away: they will have to catch up on this.
    co_await must(*chair_, cmd::next_speaker(), "give the floor");
    co_await must(*on_c_, cmd::cast(poll_, 0), "vote");
    co_await must(*chair_, cmd::decision(item_, "Hubs in Sabha, Misrata and Benghazi first."), "record a decision");
    co_await must(*chair_, cmd::end_turn(), "end the turn");
    away_seq_ = co_await settle(survivors());
  }

  asio::awaitable<void> come_back_through_survivors() {
    for (std::size_t i = 0; i < forwarders_.size(); ++i)
      forwarders_[i]->retarget(nodes_.instance(1 + i % 2).port());
    const auto switched = steady::now();
    admin_instance_ = 1;
    for (const auto& v : victims_) {
      const bool back = co_await v->client->wait_for_status(client_status::joined, 15s);
      require(back, v->name + " did not come back: " + v->client->last_error().ShortDebugString());
    }
    report("sigkill.victims_rejoined_after_ms", ms_since(switched), "ms");
    for (const auto& v : victims_) {
      require(v->welcomes.size() == 2 && v->welcomes.back().has_replay(),
              v->name + " should have resumed with a replay of what it missed");
      require(v->welcomes.back().seq() >= away_seq_,
              v->name + " resumed before the events it missed");
      const auto counters = v->client->counters();
      require(counters.reconnects == 1 && counters.snapshots_loaded == 1,
              v->name + ": reconnects " + std::to_string(counters.reconnects) + ", snapshots " +
                  std::to_string(counters.snapshots_loaded));
    }
    // Online again, now through b and c.
    co_await settle(everyone());
    for (std::size_t i = 0; i < victims_.size(); ++i) {
      const auto* entry = participant_by_id(chair_->state(), victims_[i]->participant_id);
      const std::string instance = nodes_.id(1 + i % 2) + "-";
      require(entry && entry->online() && entry->connection_ids_size() == 1 &&
                  entry->connection_ids(0).starts_with(instance),
              victims_[i]->name + " should be online through " + instance + ": " +
                  (entry ? entry->ShortDebugString() : "missing"));
    }
  }

  asio::awaitable<void> carry_on_and_agree() {
    // The victims act through their new instances.
    co_await must(*victims_[0], cmd::cast(poll_, 1), "vote after coming back");
    co_await must(*victims_[1], cmd::cast(poll_, 0), "vote after coming back");
    co_await must(*victims_[2], cmd::request(point_of_order), "raise a point of order");
    co_await must(*chair_, cmd::close_poll(poll_), "close the poll");
    fresh_ = co_await participant("Fresh (C)", "academia", "remote", config(40));
    co_await connect_and_join(*fresh_, nodes_.port(2), meeting_id_);
    const auto final_seq = co_await settle(everyone());

    std::vector<test_client*> participants{on_b_.get(), on_c_.get(), dual_on_c_.get(), fresh_.get()};
    for (const auto& v : victims_) participants.push_back(v.get());
    require_same_state(participants, "participants");
    const auto* poll = poll_by_id(chair_->state(), poll_);
    std::vector<std::uint32_t> expected = {3, 2};  // yes: v2, c, v1; no: b, v0
    require(poll && std::vector<std::uint32_t>(poll->tally().begin(), poll->tally().end()) == expected,
            "the poll should count 3 to 2: " + (poll ? poll->ShortDebugString() : "missing"));
    const auto& waiting = item_by_id(display_->state(), item_)->speakers().waiting();
    // The point of order, then the two hands still waiting from before the kill.
    require(waiting.size() == 3 && waiting.Get(0).participant_id() == victims_[2]->participant_id &&
                waiting.Get(0).reason() == reason_point_of_order,
            "the point of order from a victim should lead the queue: " +
                describe_queue(*item_by_id(display_->state(), item_)));

    // No event missed, none repeated: every seq after the first snapshot exactly once, the
    // resume's replay included.
    for (const auto& v : victims_) {
      require_continuous(*v, final_seq);
      std::set<std::uint64_t> replayed;
      for (const auto& event : v->replayed) replayed.insert(event.seq());
      require(!replayed.empty() && *replayed.begin() <= before_kill_seq_ + 1 &&
                  *replayed.rbegin() >= away_seq_,
              v->name + ": the replay should cover what happened while it was away");
    }
    for (auto* who : {chair_.get(), display_.get(), on_b_.get(), on_c_.get(), dual_on_c_.get(), fresh_.get()}) {
      require_continuous(*who, final_seq);
      require(who->client->counters().reconnects == 0, who->name + " should not have reconnected");
    }
  }

  std::unique_ptr<recorded> chair_, display_, on_b_, on_c_, dual_on_c_, dual_on_a_, fresh_;
  std::vector<std::unique_ptr<recorded>> victims_;
  std::vector<std::unique_ptr<tcp_forwarder>> forwarders_;
  std::string item_, poll_;
  std::uint64_t before_kill_seq_ = 0, away_seq_ = 0;
};

TEST(cluster, a_killed_instance_goes_offline_and_its_clients_resume_through_survivors) {
  cluster nodes({"a", "b", "c"});
  asio::io_context io;
  instance_dies scenario(io, nodes);
  ASSERT_EQ(run_scenario(io, scenario.run(), 120s), "");
}

// =============================================================================================
// 4. redis-server killed and restarted (AOF, appendfsync always) mid-meeting.

class redis_restart : public cluster_scenario {
 public:
  using cluster_scenario::cluster_scenario;

  asio::awaitable<void> run() {
    co_await gather();
    co_await outage();
    co_await afterwards();
  }

 private:
  struct failure {
    v1::ErrorCode code;
    long long latency_ms;
  };
  struct writer_log {
    std::vector<std::pair<std::string, std::uint64_t>> acked;  // text, seq
    std::vector<failure> failures;
    long long slowest_failure_ms = 0;
  };

  std::vector<test_client*> everyone() const {
    std::vector<test_client*> all{chair_.get(), display_.get()};
    for (const auto& p : people_) all.push_back(p.get());
    if (fresh_chair_) all.push_back(fresh_chair_.get());
    if (fresh_participant_) all.push_back(fresh_participant_.get());
    return all;
  }

  asio::awaitable<void> gather() {
    co_await create_meeting("المشاورة حول الحوسبة السحابية — Redis restarts");
    chair_ = chair("chair (A)", config(1));
    display_ = display("display (B)", config(2));
    for (int i = 0; i < 4; ++i)
      people_.push_back(co_await participant("Person " + std::to_string(i) + (i < 2 ? " (A)" : " (B)"),
                                             groups()[static_cast<std::size_t>(i)], "remote",
                                             config(10 + i)));
    co_await connect_and_join(*chair_, nodes_.port(0), meeting_id_);
    co_await connect_and_join(*display_, nodes_.port(1), meeting_id_);
    for (int i = 0; i < 4; ++i) co_await connect_and_join(*people_[i], nodes_.port(i < 2 ? 0 : 1), meeting_id_);
    co_await must(*chair_, cmd::add_item("Cloud first", "Cloud-first policy", 30), "add an item");
    co_await must(*chair_, cmd::start_meeting(), "start the meeting");
    item_ = chair_->state().agenda(0).id();
    co_await must(*chair_, cmd::start_item(item_), "start the item");
    co_await settle(everyone());
    epoch_ = chair_->client->mirror().epoch();
  }

  // Submits a contribution every 100 ms until told to stop, recording what was acknowledged.
  asio::awaitable<void> writer(test_client& who, std::string prefix, writer_log& log) {
    for (int n = 0; n < 600 && !stop_writers_; ++n) {
      const std::string text = prefix + " #" + std::to_string(n);
      const auto sent = steady::now();
      const auto result = co_await who.client->send(cmd::submit(text), 10s);
      const auto latency = ms_since(sent);
      if (result.ok()) {
        log.acked.emplace_back(text, result.seq());
      } else {
        log.failures.push_back({result.error().code(), latency});
        log.slowest_failure_ms = std::max(log.slowest_failure_ms, latency);
        require(result.error().code() == v1::ERROR_CODE_UNAVAILABLE,
                who.name + ": a contribution failed with " + describe(result));
      }
      co_await sleep_for(100ms);
    }
  }

  asio::awaitable<unsigned> readyz(std::size_t instance) {
    const auto answer = co_await http_get(nodes_.port(instance), "/readyz");
    co_return answer.status;
  }

  // Waits until /readyz answers `status` on both instances; returns the time it took.
  asio::awaitable<long long> readyz_becomes(unsigned status, std::chrono::milliseconds limit) {
    const auto started = steady::now();
    for (int round = 0; round < 10000; ++round) {
      const auto a = co_await readyz(0);
      const auto b = co_await readyz(1);
      if (a == status && b == status) co_return ms_since(started);
      require(steady::now() < started + limit,
              "/readyz answered " + std::to_string(a) + " and " + std::to_string(b) + ", not " +
                  std::to_string(status) + ", for " + std::to_string(limit.count()) + " ms");
      co_await sleep_for(20ms);
    }
    co_return -1;
  }

  // A command during the outage: UNAVAILABLE, fast.
  asio::awaitable<long long> unavailable(test_client& who, v1::Command command, std::string what) {
    const auto sent = steady::now();
    const auto result = co_await who.client->send(std::move(command), 10s);
    const auto latency = ms_since(sent);
    require(!result.ok() && result.error().code() == v1::ERROR_CODE_UNAVAILABLE,
            who.name + ": " + what + " during the outage should be UNAVAILABLE, got " + describe(result));
    require(latency < 2000, who.name + ": " + what + " took " + std::to_string(latency) +
                                " ms to fail; it should fail fast");
    co_return latency;
  }

  asio::awaitable<void> run_writers() {
    std::vector<asio::awaitable<void>> writers;
    writers.push_back(writer(*people_[0], "from A", writer_a_));
    writers.push_back(writer(*people_[2], "from B", writer_b_));
    co_await all_at_once(std::move(writers), 90s, "the writers");
  }

  asio::awaitable<void> outage() {
    // Two writers, one on each instance, keep submitting through everything below.
    asio::co_spawn(io_, run_writers(), [this](std::exception_ptr error) {
      writers_failure_ = error;
      writers_done_ = true;
    });
    co_await sleep_for(1000ms);
    const auto acked_before = writer_a_.acked.size() + writer_b_.acked.size();
    require(acked_before >= 10, "the writers should have been acknowledged before the outage");

    nodes_.redis().kill_now();  // from this thread: see instance_dies::kill_and_watch
    const auto killed = steady::now();
    const auto not_ready_after = co_await readyz_becomes(503, 5s);
    report("redis.readyz_503_after_ms", not_ready_after, "ms");

    // Commands from clients on both instances fail fast, and nobody is disconnected.
    long long slowest = 0;
    const auto probe_1 = co_await unavailable(*chair_, cmd::add_item("Lost", "never", 5), "adding an item");
    const auto probe_2 = co_await unavailable(*people_[1], cmd::request(speak), "raising a hand");
    const auto probe_3 = co_await unavailable(*people_[3], cmd::request(speak), "raising a hand");
    const auto probe_4 = co_await unavailable(*chair_, cmd::decision(item_, "lost"), "recording a decision");
    slowest = std::max({probe_1, probe_2, probe_3, probe_4});
    report("redis.unavailable_slowest_probe_ms", slowest, "ms");

    // Longer than the heartbeat TTL: every instance's heartbeat key expires meanwhile, yet no
    // instance may take the others for dead once Redis is back.
    while (ms_since(killed) < heartbeat_ttl_ms + 1000) {
      for (auto* who : everyone())
        require(who->client->status() == client_status::joined,
                who->name + " lost its connection during the outage");
      co_await sleep_for(50ms);
    }
    const auto still_a = co_await readyz(0);
    const auto still_b = co_await readyz(1);
    require(still_a == 503 && still_b == 503, "/readyz should stay 503 while Redis is down");
    const auto failures_during = writer_a_.failures.size() + writer_b_.failures.size();
    require(failures_during >= 10, "the writers should have been refused during the outage");

    // Blocks this thread until redis-server answers PING (it replays its AOF first). The new
    // redis-server is forked from this process: it must not inherit the clients' sockets.
    close_on_exec_everything();
    nodes_.redis().restart();
    report("redis.outage_ms", ms_since(killed), "ms");
    const auto ready_after = co_await readyz_becomes(200, 15s);
    report("redis.readyz_200_after_restart_ms", ready_after, "ms");
    report("redis.writer_slowest_failure_ms",
           std::max(writer_a_.slowest_failure_ms, writer_b_.slowest_failure_ms), "ms");
    report("redis.writer_failures", static_cast<long long>(failures_during), "commands");
    require(writer_a_.slowest_failure_ms < 2000 && writer_b_.slowest_failure_ms < 2000,
            "a writer's command took 2 s or more to fail");
  }

  asio::awaitable<void> afterwards() {
    // The meeting carries on: commands from both instances succeed again.
    const auto restarted = steady::now();
    const auto acked_at_restart = writer_a_.acked.size() + writer_b_.acked.size();
    while (writer_a_.acked.size() + writer_b_.acked.size() < acked_at_restart + 10) {
      require(ms_since(restarted) < 15000, "the writers are not acknowledged again after the restart");
      co_await sleep_for(20ms);
    }
    co_await must(*chair_, cmd::add_item("After the outage", "still here", 10), "add an item");
    co_await must(*people_[1], cmd::request(speak), "raise a hand");
    co_await must(*people_[3], cmd::request(speak), "raise a hand");
    co_await must(*chair_, cmd::next_speaker(), "give the floor");
    stop_writers_ = true;
    for (int i = 0; i < 500 && !writers_done_; ++i) co_await sleep_for(20ms);
    require(writers_done_, "the writers did not stop");
    if (writers_failure_) std::rethrow_exception(writers_failure_);

    // Fresh clients after the outage (from the restarted Redis, through both instances).
    fresh_chair_ = chair("fresh chair (B)", config(30));
    fresh_participant_ = co_await participant("Fresh (A)", "academia", "remote", config(31));
    co_await connect_and_join(*fresh_chair_, nodes_.port(1), meeting_id_);
    co_await connect_and_join(*fresh_participant_, nodes_.port(0), meeting_id_);
    co_await settle(everyone());

    // Nothing acknowledged was lost: every acked contribution is in the state, as the very
    // event its result named.
    std::map<std::uint64_t, const v1::Event*> chair_events;
    for (const auto& event : chair_->received) chair_events[event.seq()] = &event;
    std::set<std::string> texts;
    for (const auto& c : fresh_chair_->state().contributions()) texts.insert(c.text());
    std::size_t acked = 0;
    for (const auto* log : {&writer_a_, &writer_b_}) {
      for (const auto& [text, seq] : log->acked) {
        ++acked;
        require(texts.contains(text), "the acknowledged contribution '" + text + "' (seq " +
                                          std::to_string(seq) + ") is lost");
        const auto it = chair_events.find(seq);
        require(it != chair_events.end() && it->second->has_contribution_submitted() &&
                    it->second->contribution_submitted().contribution().text() == text,
                "seq " + std::to_string(seq) + " is not the contribution '" + text + "'");
      }
    }
    report("redis.acknowledged_contributions", static_cast<long long>(acked), "commands");
    // And what was refused with UNAVAILABLE while Redis was down left no trace.
    for (const auto& item : fresh_chair_->state().agenda()) {
      require(item.title() != "Lost", "an item refused during the outage is on the agenda");
      for (const auto& decision : item.decisions())
        require(decision.text() != "lost", "a decision refused during the outage was recorded");
    }
    require(chair_->client->mirror().epoch() == epoch_, "the log's epoch changed: Redis lost it");
    // Nobody was taken for gone: everyone still online, once.
    co_await sleep_for(std::chrono::milliseconds(heartbeat_ttl_ms));
    co_await settle(everyone());
    for (const auto& who : chair_->state().participants()) {
      std::string history;
      for (const auto& e : chair_->received)
        if (e.actor_id() == who.id() || e.ShortDebugString().find(who.id()) != std::string::npos)
          history += "\n  " + e.ShortDebugString();
      require(who.online() && who.connection_count() == (who.role() == v1::ROLE_MODERATOR ? 2u : 1u),
              who.display_name() + " is shown as " + who.ShortDebugString() + " after the restart; events:" + history);
    }

    // Every client converged without reconnecting: same state per audience and as a snapshot.
    std::vector<test_client*> moderators{chair_.get(), fresh_chair_.get()};
    std::vector<test_client*> participants{fresh_participant_.get()};
    for (const auto& p : people_) participants.push_back(p.get());
    require_same_state(moderators, "moderators");
    require_same_state(participants, "participants");
    const auto last = nodes_.head(meeting_id_);
    for (auto* who : {chair_.get(), display_.get(), people_[0].get(), people_[1].get(),
                      people_[2].get(), people_[3].get()}) {
      require_continuous(*who, last);
      require(who->client->counters().reconnects == 0 &&
                  std::count(who->statuses.begin(), who->statuses.end(), client_status::reconnecting) == 0,
              who->name + " had to reconnect");
    }

    // Connections that lived through the outage still end normally: once the clients close,
    // both instances let go of every member.
    for (auto* who : everyone()) co_await who->client->close();
    for (int round = 0;; ++round) {
      const auto a = co_await http_get(nodes_.port(0), "/metrics");
      const auto b = co_await http_get(nodes_.port(1), "/metrics");
      const auto members_a = metric(a.body, "majlis_members");
      const auto members_b = metric(b.body, "majlis_members");
      if (members_a == 0 && members_b == 0) break;
      require(round < 250, "the instances still hold " + std::to_string(members_a) + " and " +
                               std::to_string(members_b) + " members 5 s after every client closed");
      co_await sleep_for(20ms);
    }
  }

  std::unique_ptr<recorded> chair_, display_, fresh_chair_, fresh_participant_;
  std::vector<std::unique_ptr<recorded>> people_;
  std::string item_;
  std::uint64_t epoch_ = 0;
  writer_log writer_a_, writer_b_;
  bool stop_writers_ = false;
  bool writers_done_ = false;
  std::exception_ptr writers_failure_;
};

TEST(cluster, redis_restart_with_aof_loses_nothing_acknowledged_and_the_meeting_carries_on) {
  redis_server_process::options persistent;
  persistent.append_only = true;
  persistent.extra_args = {"--appendfsync", "always"};
  cluster nodes({"a", "b"}, persistent);
  asio::io_context io;
  redis_restart scenario(io, nodes);
  ASSERT_EQ(run_scenario(io, scenario.run(), 120s), "");
}

// =============================================================================================
// 5. A replica that misses published batches fills the gaps before it applies anything later.

class dropped_batches : public cluster_scenario {
 public:
  using cluster_scenario::cluster_scenario;

  asio::awaitable<void> run() {
    co_await create_meeting("Gap filling");
    chair_ = chair("chair (A)", config(1));
    on_a_ = co_await participant("Amina (A)", "private_sector", "remote", config(2));
    on_b_ = co_await participant("خالد (B, drops batches)", "civil_society", "remote", config(3));
    display_b_ = display("display (B, drops batches)", config(4));
    co_await connect_and_join(*chair_, nodes_.port(0), meeting_id_);
    co_await connect_and_join(*on_a_, nodes_.port(0), meeting_id_);
    co_await connect_and_join(*on_b_, nodes_.port(1), meeting_id_);
    co_await connect_and_join(*display_b_, nodes_.port(1), meeting_id_);
    const auto start_seq = co_await settle(everyone());

    // Thirty-odd appends from A, one batch each, and a few from B in between.
    co_await must(*chair_, cmd::start_meeting(), "start the meeting");
    for (int i = 0; i < 6; ++i)
      co_await must(*chair_, cmd::add_item("Item " + std::to_string(i), "", 10), "add an item");
    item_ = chair_->state().agenda(0).id();
    co_await must(*chair_, cmd::start_item(item_), "start the item");
    for (int round = 0; round < 6; ++round) {
      co_await must(*on_a_, cmd::request(speak), "raise a hand");
      co_await must(*on_b_, cmd::request(speak), "raise a hand");
      co_await must(*chair_, cmd::next_speaker(), "give the floor");
      co_await must(*chair_, cmd::end_turn(), "end the turn");
      co_await must(*chair_, cmd::next_speaker(), "give the floor");
      co_await must(*chair_, cmd::end_turn(), "end the turn");
      co_await must(*on_a_, cmd::submit("ملاحظة " + std::to_string(round)), "submit");
    }
    const auto final_seq = co_await settle(everyone());
    require(final_seq - start_seq >= 40, "too few events to drop some");

    // B really dropped batches, and filled every gap from the stream.
    const auto metrics = co_await http_get(nodes_.port(1), "/metrics");
    const auto filled = metric(metrics.body, "majlis_gaps_filled_total");
    report("drop.gaps_filled_on_b", filled, "gaps");
    require(filled >= 5, "instance b should have filled gaps, filled " + std::to_string(filled));

    // B's clients were given consecutive seqs only, never a gap or a repeat, and hold what A's
    // clients hold.
    for (auto* who : {on_b_.get(), display_b_.get(), chair_.get(), on_a_.get()}) {
      require_continuous(*who, final_seq);
      require(who->client->counters().reconnects == 0, who->name + " had to reconnect");
    }
    std::vector<test_client*> participants{on_a_.get(), on_b_.get()};
    require_same_state(participants, "participants");
    std::vector<recorded*> recorded_participants{on_a_.get(), on_b_.get()};
    require_same_events(recorded_participants, "participants");
    fresh_display_a_ = display("fresh display (A)", config(5));
    co_await connect_and_join(*fresh_display_a_, nodes_.port(0), meeting_id_);
    co_await settle(everyone());
    std::vector<test_client*> publics{display_b_.get(), fresh_display_a_.get()};
    require_same_state(publics, "display");
  }

 private:
  std::vector<test_client*> everyone() const {
    std::vector<test_client*> all{chair_.get(), on_a_.get(), on_b_.get(), display_b_.get()};
    if (fresh_display_a_) all.push_back(fresh_display_a_.get());
    return all;
  }

  std::unique_ptr<recorded> chair_, on_a_, on_b_, display_b_, fresh_display_a_;
  std::string item_;
};

TEST(cluster, a_replica_that_misses_published_batches_fills_the_gaps_in_order) {
  std::map<std::string, std::vector<std::string>> extra;
  extra["b"] = {"--test-drop-published-every", "3"};
  cluster nodes({"a", "b"}, {}, extra);
  asio::io_context io;
  dropped_batches scenario(io, nodes);
  ASSERT_EQ(run_scenario(io, scenario.run(), 90s), "");
}

// =============================================================================================
// 6. Redis loses its last writes (its AOF cut back, as a machine crash leaves it): the replicas
// find the head behind what they applied, one of them starts a new epoch, every client rejoins
// for a fresh snapshot, commands work again on both instances, and restarting an instance
// afterwards forks nothing.

class lost_writes : public cluster_scenario {
 public:
  using cluster_scenario::cluster_scenario;

  asio::awaitable<void> run() {
    co_await gather();
    co_await lose_the_last_writes();
    co_await carry_on();
    co_await restart_an_instance();
  }

 private:
  std::vector<test_client*> everyone() const {
    std::vector<test_client*> all{chair_.get(), display_.get(), person_a_.get(), person_b_.get()};
    for (const auto& f : fresh_) all.push_back(f.get());
    return all;
  }

  // The AOF file Redis appends to now (Redis 7: appendonlydir/<name>.<n>.incr.aof).
  std::filesystem::path incr_aof() const {
    std::filesystem::path newest;
    for (const auto& entry : std::filesystem::directory_iterator(nodes_.redis().folder() / "appendonlydir"))
      if (entry.path().string().ends_with(".incr.aof") &&
          (newest.empty() || entry.path().filename().string() > newest.filename().string()))
        newest = entry.path();
    require(!newest.empty(), "no incremental AOF file in " + nodes_.redis().folder().string());
    return newest;
  }

  asio::awaitable<void> gather() {
    co_await create_meeting("الحوار الوطني — Redis loses its last second");
    chair_ = chair("chair (A)", config(1));
    display_ = display("display (B)", config(2));
    person_a_ = co_await participant("Person (A)", "academia", "remote", config(3));
    person_b_ = co_await participant("Person (B)", "civil_society", "in_room", config(4));
    co_await connect_and_join(*chair_, nodes_.port(0), meeting_id_);
    co_await connect_and_join(*person_a_, nodes_.port(0), meeting_id_);
    co_await connect_and_join(*display_, nodes_.port(1), meeting_id_);
    co_await connect_and_join(*person_b_, nodes_.port(1), meeting_id_);
    co_await must(*chair_, cmd::add_item("Kept", "before the crash", 30), "add an item");
    co_await must(*chair_, cmd::start_meeting(), "start the meeting");
    co_await must(*chair_, cmd::start_item(chair_->state().agenda(0).id()), "start the item");
    kept_head_ = co_await settle(everyone());
    epoch_ = chair_->client->mirror().epoch();
  }

  asio::awaitable<void> lose_the_last_writes() {
    // Everything written to the AOF up to here survives the crash; what follows is lost.
    const auto aof = incr_aof();
    const auto kept_bytes = std::filesystem::file_size(aof);
    for (int i = 0; i < 5; ++i) {
      co_await must(*person_a_, cmd::submit("lost from A #" + std::to_string(i)), "submit");
      co_await must(*person_b_, cmd::submit("lost from B #" + std::to_string(i)), "submit");
    }
    co_await must(*chair_, cmd::add_item("Lost", "after the last fsync", 5), "add an item");
    const auto lost_head = co_await settle(everyone());
    require(lost_head > kept_head_, "no events to lose");

    nodes_.redis().kill_now();
    std::filesystem::resize_file(aof, kept_bytes);
    nodes_.redis().restart();
    require(nodes_.head(meeting_id_) == kept_head_,
            "Redis should come back at head " + std::to_string(kept_head_) + ", is at " +
                std::to_string(nodes_.head(meeting_id_)));

    // Every client ends up in a new epoch with the state Redis still holds.
    const auto started = steady::now();
    for (auto* who : everyone()) {
      while (who->client->mirror().epoch() == epoch_ ||
             who->client->status() != client_status::joined) {
        require(ms_since(started) < 20000, who->name + " is still in the old epoch (" +
                                               client::to_string(who->client->status()) + ")");
        co_await sleep_for(20ms);
      }
    }
    report("lost_writes.new_epoch_everywhere_ms", ms_since(started), "ms");
    new_epoch_ = chair_->client->mirror().epoch();
    for (auto* who : everyone()) {
      require(who->client->mirror().epoch() == new_epoch_, who->name + " is in another new epoch");
      require(who->state().contributions_size() == 0, who->name + " still shows lost contributions");
      require(who->state().agenda_size() == 1, who->name + " still shows the lost item");
    }
  }

  asio::awaitable<void> carry_on() {
    // Commands work again on both instances: never ABORTED for good.
    co_await must(*chair_, cmd::add_item("After", "the log went on", 10), "add an item after the loss");
    co_await must(*person_b_, cmd::request(speak), "raise a hand on B");
    co_await must(*person_a_, cmd::submit("after the loss, from A"), "submit on A");
    co_await must(*person_b_, cmd::submit("after the loss, from B"), "submit on B");
    co_await settle(everyone());
    co_await same_everywhere();
  }

  asio::awaitable<void> restart_an_instance() {
    nodes_.restart(1);
    co_await must(*chair_, cmd::add_item("After the restart", "from A", 10), "add an item on A");
    require(co_await person_b_->client->wait_for_status(client_status::joined, 20s), "Person (B) did not rejoin");
    co_await must(*person_b_, cmd::submit("after the restart, from B"), "submit on B");
    co_await settle(everyone());
    co_await same_everywhere();
    for (auto* who : everyone())
      require(who->client->mirror().epoch() == new_epoch_, who->name + " left the new epoch");
  }

  // Fresh clients on both instances agree with every live mirror: one history, not two.
  asio::awaitable<void> same_everywhere() {
    auto fresh_a = chair("fresh chair (A)", config(10 + fresh_.size()));
    auto fresh_b = chair("fresh chair (B)", config(20 + fresh_.size()));
    auto fresh_p = co_await participant("fresh participant (B)", "academia", "remote", config(30 + fresh_.size()));
    co_await connect_and_join(*fresh_a, nodes_.port(0), meeting_id_);
    co_await connect_and_join(*fresh_b, nodes_.port(1), meeting_id_);
    co_await connect_and_join(*fresh_p, nodes_.port(1), meeting_id_);
    std::vector<test_client*> moderators{chair_.get(), fresh_a.get(), fresh_b.get()};
    std::vector<test_client*> participants{person_a_.get(), person_b_.get(), fresh_p.get()};
    fresh_.push_back(std::move(fresh_a));
    fresh_.push_back(std::move(fresh_b));
    fresh_.push_back(std::move(fresh_p));
    co_await settle(everyone());
    require_same_state(moderators, "moderators");
    require_same_state(participants, "participants");
  }

  std::unique_ptr<recorded> chair_, display_, person_a_, person_b_;
  std::vector<std::unique_ptr<recorded>> fresh_;
  std::uint64_t kept_head_ = 0, epoch_ = 0, new_epoch_ = 0;
};

TEST(cluster, redis_losing_its_last_writes_starts_a_new_epoch_and_never_aborts_for_good) {
  redis_server_process::options persistent;
  persistent.append_only = true;
  persistent.extra_args = {"--appendfsync", "everysec"};
  cluster nodes({"a", "b"}, persistent);
  asio::io_context io;
  lost_writes scenario(io, nodes);
  ASSERT_EQ(run_scenario(io, scenario.run(), 120s), "");
}

// =============================================================================================
// 8. One participant token over two instances: --max-connections-per-participant counts the
// connections the roster shows on the other instance too.

class one_token_two_instances : public cluster_scenario {
 public:
  using cluster_scenario::cluster_scenario;

  asio::awaitable<void> run() {
    co_await create_meeting("One person, several devices");
    const auto issued = co_await token("Many Devices", "", "remote");
    participant_id_ = issued.participant_id;
    token_ = issued.token;
    chair_ = chair("chair", config(81));
    co_await connect_and_join(*chair_, nodes_.port(1), meeting_id_);
    chair_on_a_ = chair("chair on A", config(82));
    co_await connect_and_join(*chair_on_a_, nodes_.port(0), meeting_id_);

    // Two devices on A, then one on B once B's roster shows A's two: three is the limit.
    for (int i = 0; i < 2; ++i) {
      const auto result = co_await device(0);
      require(result.ok, "device " + std::to_string(i) + " on A was refused: " + result.error.message());
    }
    co_await wait_for_connections(*chair_, 2);
    const auto third = co_await device(1);
    require(third.ok, "the third device (on B) was refused: " + third.error.message());
    co_await wait_for_connections(*chair_, 3);
    co_await wait_for_connections(*chair_on_a_, 3);

    // A fourth is refused on either instance.
    for (std::size_t instance = 0; instance < 2; ++instance) {
      const auto refused = co_await device(instance);
      require(!refused.ok && refused.close_code == 4029 &&
                  refused.error.code() == v1::ERROR_CODE_RESOURCE_EXHAUSTED,
              "a fourth device on " + nodes_.id(instance) + " got close " +
                  std::to_string(refused.close_code) + " \"" + refused.error.message() + "\"");
    }
    for (auto& d : devices_) co_await d->close();
    co_await chair_->client->close();
    co_await chair_on_a_->client->close();
  }

 private:
  asio::awaitable<client::join_result> device(std::size_t instance) {
    auto c = client::meeting_client_config{};
    c.auto_reconnect = false;
    c.join_timeout = 10s;
    auto d = std::make_unique<client::meeting_client>(io_.get_executor(), c);
    const auto ec = co_await d->connect("127.0.0.1", nodes_.port(instance));
    require(!ec, "cannot connect to " + nodes_.id(instance) + ": " + ec.message());
    auto result = co_await d->join(meeting_id_, token_);
    if (result.ok) devices_.push_back(std::move(d));
    co_return result;
  }

  // Until `watcher` sees `count` connections of the participant.
  asio::awaitable<void> wait_for_connections(recorded& watcher, std::size_t count) {
    std::size_t seen = 0;
    for (int round = 0; round < 500; ++round) {
      seen = 0;
      for (const auto& p : watcher.client->mirror().state().participants()) {
        if (p.id() == participant_id_) seen = p.connection_count();
      }
      if (seen == count) co_return;
      co_await sleep_for(20ms);
    }
    require(false, "the roster shows " + std::to_string(seen) + " connections, not " +
                       std::to_string(count));
  }

  std::unique_ptr<recorded> chair_, chair_on_a_;
  std::vector<std::unique_ptr<client::meeting_client>> devices_;
  std::string participant_id_;
  std::string token_;
};

// =============================================================================================
// 9. A drained instance says goodbye: SIGTERM closes its sessions with 1001, and the "left" of
// every one of them is in the log before the process exits, so the survivors show those people
// offline at once, not a heartbeat TTL later. The heartbeat TTL here is long (30 s) and instance
// a coalesces presence over 1 s, so only the drain itself can have written the leaves in time.

class drained_instance : public cluster_scenario {
 public:
  using cluster_scenario::cluster_scenario;

  asio::awaitable<void> run() {
    co_await create_meeting("Drain says goodbye");
    chair_ = chair("chair on b", config(91));
    co_await connect_and_join(*chair_, nodes_.port(1), meeting_id_);
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
      auto c = config(92 + i);
      c.auto_reconnect = false;
      auto who = co_await participant("Delegate " + std::to_string(i), "academia", "remote", c);
      co_await connect_and_join(*who, nodes_.port(0), meeting_id_);
      ids.push_back(who->participant_id);
      on_a_.push_back(std::move(who));
    }
    co_await wait_until_online(ids, true, 10s);

    // SIGTERM a; the clients on a go on reading meanwhile.
    const auto stopped_at = co_await stop_a("drain_exit_ms");
    co_await wait_until_online(ids, false, 5s);
    report("drained_people_offline_ms", ms_since(stopped_at), "ms");
    co_await chair_->client->close();
  }

  // A client on a that stops reading after its Welcome never answers the close: a's drain drops
  // it at the close timeout (5 s) and still writes its "left" before exiting.
  asio::awaitable<void> run_with_a_silent_client() {
    namespace beast = boost::beast;
    co_await create_meeting("Drain past a silent client");
    chair_ = chair("chair on b", config(96));
    co_await connect_and_join(*chair_, nodes_.port(1), meeting_id_);
    const auto issued = co_await token("Silent delegate", "academia", "remote");
    beast::websocket::stream<beast::tcp_stream> silent(co_await asio::this_coro::executor);
    beast::get_lowest_layer(silent).expires_after(10s);
    co_await beast::get_lowest_layer(silent).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"),
                      static_cast<unsigned short>(std::stoi(nodes_.port(0)))),
        asio::use_awaitable);
    co_await silent.async_handshake("127.0.0.1", "/ws", asio::use_awaitable);
    silent.text(true);
    const std::string join = "{\"join\":{\"meetingId\":\"" + meeting_id_ + "\",\"token\":\"" +
                             issued.token + "\"}}";
    co_await silent.async_write(asio::buffer(join), asio::use_awaitable);
    beast::flat_buffer welcome;
    co_await silent.async_read(welcome, asio::use_awaitable);
    require(beast::buffers_to_string(welcome.data()).find("\"welcome\"") != std::string::npos,
            "the silent client got no Welcome");
    beast::get_lowest_layer(silent).expires_never();
    const std::vector<std::string> ids{issued.participant_id};
    co_await wait_until_online(ids, true, 10s);

    // From here on nobody reads `silent`: the close frame a sends it is never answered.
    const auto stopped_at = co_await stop_a("drain_exit_with_a_silent_client_ms");
    // The heartbeat TTL is 30 s: only a's drain can have written the leave this early.
    co_await wait_until_online(ids, false, 3s);
    report("silent_client_offline_ms", ms_since(stopped_at), "ms");
    co_await chair_->client->close();
  }

 private:
  // SIGTERMs a and waits for it to exit 0, reporting how long that took as `figure`; the stop
  // blocks a thread of its own, so this io_context goes on serving the clients meanwhile.
  asio::awaitable<steady::time_point> stop_a(std::string figure) {
    const auto stopped_at = steady::now();
    std::atomic<int> exit_status = -2;
    std::thread stopper([&] { exit_status = nodes_.instance(0).stop(15s); });
    for (int round = 0; round < 1000 && exit_status == -2; ++round) co_await sleep_for(20ms);
    stopper.join();
    require(exit_status == 0, "instance a exited with " + std::to_string(exit_status));
    report(figure, ms_since(stopped_at), "ms");
    co_return stopped_at;
  }

  // Until the chair on b sees every one of `ids` online (or every one offline).
  asio::awaitable<void> wait_until_online(const std::vector<std::string>& ids, bool online,
                                          std::chrono::milliseconds limit) {
    const auto deadline = steady::now() + limit;
    std::size_t matching = 0;
    while (true) {
      matching = 0;
      for (const auto& p : chair_->client->mirror().state().participants()) {
        if (std::find(ids.begin(), ids.end(), p.id()) == ids.end()) continue;
        if (online ? p.online() && p.connection_count() == 1 : !p.online() && p.connection_count() == 0)
          ++matching;
      }
      if (matching == ids.size() || steady::now() >= deadline) break;
      co_await sleep_for(20ms);
    }
    require(matching == ids.size(),
            std::to_string(matching) + " of " + std::to_string(ids.size()) + " people on a are " +
                (online ? "online" : "offline") + " on b's roster within " +
                std::to_string(limit.count()) + " ms");
  }

  std::unique_ptr<recorded> chair_;
  std::vector<std::unique_ptr<recorded>> on_a_;
};

TEST(cluster, a_drained_instance_has_written_its_people_left_before_it_exits) {
  std::map<std::string, std::vector<std::string>> extra;
  extra["a"] = {"--presence-interval-ms", "1000"};
  cluster nodes({"a", "b"}, {}, extra, 30'000);
  asio::io_context io;
  drained_instance scenario(io, nodes);
  ASSERT_EQ(run_scenario(io, scenario.run(), 90s), "");
}

TEST(cluster, a_drained_instance_writes_the_left_of_a_client_that_never_answers_the_close) {
  // The leave comes 5 s after the join's presence: with 10 s between presence events, only the
  // drain's flush can write it before a exits.
  std::map<std::string, std::vector<std::string>> extra;
  extra["a"] = {"--presence-interval-ms", "10000"};
  cluster nodes({"a", "b"}, {}, extra, 30'000);
  asio::io_context io;
  drained_instance scenario(io, nodes);
  ASSERT_EQ(run_scenario(io, scenario.run_with_a_silent_client(), 90s), "");
}

TEST(cluster, one_token_is_held_to_its_connections_across_instances) {
  std::map<std::string, std::vector<std::string>> extra;
  extra["a"] = {"--max-connections-per-participant", "3"};
  extra["b"] = {"--max-connections-per-participant", "3"};
  cluster nodes({"a", "b"}, {}, extra);
  asio::io_context io;
  one_token_two_instances scenario(io, nodes);
  ASSERT_EQ(run_scenario(io, scenario.run(), 90s), "");
}

}  // namespace
}  // namespace majlis::testing

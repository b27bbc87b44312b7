#include "store/redis_event_log.hpp"

#include <atomic>
#include <charconv>
#include <map>
#include <mutex>
#include <random>
#include <string_view>

#include <openssl/evp.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "majlis/asio/spawn_policy.hpp"
#include "majlis/v1/wire.pb.h"
#include "redis/error.hpp"
#include "redis/redis_subscriber.hpp"

namespace majlis::store {

namespace asio = boost::asio;

namespace {

// ---- The scripts. Each runs atomically in Redis; keys of one meeting share one hash slot. ----

// Appends a batch if the head is still the expected seq, and publishes it.
// KEYS: head, log, epoch. ARGV: expected seq, channel, then the events (serialized, their seqs
// already set to expected+1 …). Returns {status, head, epoch}: status ok | conflict | not_found.
constexpr std::string_view append_script = R"lua(
local head = redis.call('GET', KEYS[1])
if not head then return {'not_found', 0, '0'} end
local epoch = redis.call('GET', KEYS[3]) or '0'
if head ~= ARGV[1] then return {'conflict', tonumber(head), epoch} end
local seq = tonumber(head)
if #ARGV < 3 then return {'ok', seq, epoch} end
local function varint(n)
  local bytes = {}
  while n >= 128 do
    bytes[#bytes + 1] = string.char(n % 128 + 128)
    n = math.floor(n / 128)
  end
  bytes[#bytes + 1] = string.char(n)
  return table.concat(bytes)
end
local batch = {}
for i = 3, #ARGV do
  seq = seq + 1
  redis.call('XADD', KEYS[2], string.format('%d-0', seq), 'e', ARGV[i])
  -- v1.EventBatch field 1 (repeated Event): tag 0x0A, length, bytes.
  batch[#batch + 1] = '\10' .. varint(#ARGV[i]) .. ARGV[i]
end
redis.call('SET', KEYS[1], string.format('%d', seq))
redis.call('PUBLISH', ARGV[2], epoch .. '\n' .. table.concat(batch))
return {'ok', seq, epoch}
)lua";

// Starts a meeting's log with its first event unless the meeting exists.
// KEYS: head, log, epoch, snap. ARGV: new epoch, first event (seq 1), channel.
// Returns {status, head, epoch}: status ok | exists.
constexpr std::string_view create_script = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {'exists', tonumber(redis.call('GET', KEYS[1])), redis.call('GET', KEYS[3]) or '0'}
end
-- Leftovers of a log whose head was lost would refuse entry 1-0 or offer a stale snapshot.
redis.call('DEL', KEYS[2], KEYS[4])
redis.call('SET', KEYS[3], ARGV[1])
redis.call('XADD', KEYS[2], '1-0', 'e', ARGV[2])
redis.call('SET', KEYS[1], '1')
local n, size = #ARGV[2], {}
while n >= 128 do
  size[#size + 1] = string.char(n % 128 + 128)
  n = math.floor(n / 128)
end
size[#size + 1] = string.char(n)
redis.call('PUBLISH', ARGV[3], ARGV[1] .. '\n' .. '\10' .. table.concat(size) .. ARGV[2])
return {'ok', 1, ARGV[1]}
)lua";

// Stores a snapshot if it is newer than the stored one, then trims the stream behind it.
// KEYS: head, snap, log, epoch. ARGV: seq, state, first seq to keep, expected epoch ('0': any).
// Returns ok | stale | ahead | epoch_changed | not_found.
constexpr std::string_view snapshot_script = R"lua(
local head = redis.call('GET', KEYS[1])
if not head then return 'not_found' end
if ARGV[4] ~= '0' and redis.call('GET', KEYS[4]) ~= ARGV[4] then return 'epoch_changed' end
if tonumber(ARGV[1]) > tonumber(head) then return 'ahead' end
local stored = redis.call('HGET', KEYS[2], 'seq')
if stored and tonumber(stored) >= tonumber(ARGV[1]) then return 'stale' end
redis.call('HSET', KEYS[2], 'seq', ARGV[1], 'state', ARGV[2])
if tonumber(ARGV[3]) > 1 then redis.call('XTRIM', KEYS[3], 'MINID', ARGV[3] .. '-0') end
return 'ok'
)lua";

// Starts a new epoch when the log is still in the epoch a replica saw and its head is behind
// what that replica applied (Redis lost its last writes). KEYS: head, epoch. ARGV: seen epoch,
// replica seq, new epoch. Returns {status, head, epoch}: ok | not_found.
constexpr std::string_view new_epoch_script = R"lua(
local head = redis.call('GET', KEYS[1])
if not head then return {'not_found', 0, '0'} end
local epoch = redis.call('GET', KEYS[2]) or '0'
if epoch == ARGV[1] and tonumber(head) < tonumber(ARGV[2]) then
  epoch = ARGV[3]
  redis.call('SET', KEYS[2], epoch)
end
return {'ok', tonumber(head), epoch}
)lua";

struct lua_script {
  std::string_view source;
  std::string sha1;  // what EVALSHA names it by; Redis computes the same from the source
};

std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(digits[digest[i] >> 4]);
    hex.push_back(digits[digest[i] & 0xf]);
  }
  return hex;
}

// A meeting id becomes part of key names inside a hash tag: no braces, no control characters.
bool valid_meeting_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (c == '{' || c == '}' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

struct meeting_keys {
  explicit meeting_keys(std::string_view id)
      : head(key(id, "head")),
        log(key(id, "log")),
        epoch(key(id, "epoch")),
        snap(key(id, "snap")),
        channel(key(id, "events")) {}

  static std::string key(std::string_view id, std::string_view suffix) {
    std::string out = "{m:";
    out.append(id).append("}:").append(suffix);
    return out;
  }

  std::string head, log, epoch, snap, channel;
};

constexpr std::string_view channel_prefix = "{m:";
constexpr std::string_view channel_suffix = "}:events";

std::optional<std::string_view> meeting_of_channel(std::string_view channel) {
  if (!channel.starts_with(channel_prefix) || !channel.ends_with(channel_suffix) ||
      channel.size() <= channel_prefix.size() + channel_suffix.size())
    return std::nullopt;
  return channel.substr(channel_prefix.size(),
                        channel.size() - channel_prefix.size() - channel_suffix.size());
}

std::optional<uint64_t> parse_unsigned(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// A published batch: "<epoch>\n" followed by a serialized v1::EventBatch.
struct published_batch {
  uint64_t epoch = 0;
  std::vector<v1::Event> events;
};

std::optional<published_batch> decode_published(std::string_view payload) {
  const auto newline = payload.find('\n');
  if (newline == std::string_view::npos) return std::nullopt;
  auto epoch = parse_unsigned(payload.substr(0, newline));
  if (!epoch) return std::nullopt;
  v1::EventBatch batch;
  const auto body = payload.substr(newline + 1);
  if (!batch.ParseFromArray(body.data(), static_cast<int>(body.size()))) return std::nullopt;
  published_batch out{*epoch, {}};
  out.events.reserve(static_cast<size_t>(batch.events_size()));
  for (auto& event : *batch.mutable_events()) out.events.push_back(std::move(event));
  return out;
}

// The seq of a stream entry ID "<seq>-0".
std::optional<uint64_t> seq_of_entry_id(std::string_view id) {
  return parse_unsigned(id.substr(0, id.find('-')));
}

// The epoch of a new log: milliseconds since 1970 times 1024 plus 10 random bits. It grows with
// time, two instances creating logs in the same millisecond still differ, and it stays below
// 2^53, so JavaScript clients compare it exactly.
uint64_t fresh_epoch() {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  const auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  return (ms << 10) | (random() & 0x3ff);
}

append_result append_result_of(const redis::result& r) {
  append_result out;  // unavailable
  if (!r.ok() || !r.value.is_array() || r.value.elements.size() != 3) return out;
  const auto& status = r.value.elements[0].text;
  out.head_seq = r.value.elements[1].to_unsigned().value_or(0);
  out.epoch = r.value.elements[2].to_unsigned().value_or(0);
  if (status == "ok")
    out.status = append_status::ok;
  else if (status == "conflict")
    out.status = append_status::conflict;
  else if (status == "not_found")
    out.status = append_status::not_found;
  else if (status == "exists")
    out.status = append_status::exists;
  return out;
}

}  // namespace

class redis_event_log::impl : public std::enable_shared_from_this<impl> {
 public:
  impl(asio::any_io_executor executor, redis_log_config config)
      : executor_(executor),
        strand_(asio::make_strand(executor)),
        config_(std::move(config)),
        connection_(executor, config_.redis),
        subscriber_(executor, subscriber_config(config_.redis)),
        head_timer_(strand_),
        append_{append_script, sha1_hex(append_script)},
        create_{create_script, sha1_hex(create_script)},
        snapshot_{snapshot_script, sha1_hex(snapshot_script)},
        new_epoch_{new_epoch_script, sha1_hex(new_epoch_script)} {}

  static redis::config subscriber_config(redis::config cfg) {
    if (!cfg.client_name.empty()) cfg.client_name += "-pubsub";
    return cfg;
  }

  void start() {
    std::weak_ptr<impl> weak = weak_from_this();
    connection_.set_connect_handler([weak] {
      // Scripts may be gone (a restarted Redis) and batches may have been missed meanwhile.
      if (auto self = weak.lock())
        asio::co_spawn(self->executor_, self->on_connected(self),
                       log_failure("redis log reconnect"));
    });
    subscriber_.set_message_handler([weak](std::string_view channel, std::string_view payload) {
      if (auto self = weak.lock()) self->on_message(channel, payload);
    });
    subscriber_.set_subscribed_handler([weak](std::string_view channel) {
      // From now on batches arrive; anything published before is found through the head.
      auto self = weak.lock();
      auto meeting = meeting_of_channel(channel);
      if (self && meeting)
        asio::co_spawn(self->executor_, self->check_heads(self, {std::string(*meeting)}),
                       log_failure("redis head check"));
    });
    connection_.start();
    subscriber_.start();
    if (config_.head_check_interval.count() > 0)
      asio::co_spawn(strand_, check_heads_periodically(shared_from_this()),
                     log_failure("redis periodic head check"));
  }

  void stop() {
    stopped_ = true;
    // The timer belongs to the strand; stop() may come from any thread.
    asio::post(strand_, [self = shared_from_this()] { self->head_timer_.cancel(); });
    connection_.stop();
    subscriber_.stop();
  }

  // ---- event_log ----

  asio::awaitable<append_result> create(const std::string& meeting_id, v1::Event first) {
    if (!valid_meeting_id(meeting_id)) co_return append_result{append_status::not_found, 0, 0};
    const meeting_keys keys(meeting_id);
    first.set_seq(1);
    const uint64_t epoch = fresh_epoch();
    // Named, not braced in the call: GCC 12 rejects initializer lists inside co_await.
    std::vector<std::string> script_keys{keys.head, keys.log, keys.epoch, keys.snap};
    std::vector<std::string> args{std::to_string(epoch), first.SerializeAsString(), keys.channel};
    auto r = co_await run_script(create_, std::move(script_keys), std::move(args));
    auto out = append_result_of(r);
    if (out.status == append_status::ok) {
      // The registry lives in another hash slot, so it is not part of the script: a meeting is
      // defined by its head, the registry only lists it.
      co_await connection_.async_exec("SADD", config_.registry_key, meeting_id);
    }
    if (out.status == append_status::ok || out.status == append_status::exists)
      observe_epoch(meeting_id, out.epoch, out.head_seq);
    co_return out;
  }

  asio::awaitable<append_result> append(const std::string& meeting_id, uint64_t expected_seq,
                                        std::vector<v1::Event> events) {
    if (!valid_meeting_id(meeting_id)) co_return append_result{append_status::not_found, 0, 0};
    if (events.size() > config_.max_batch_events)
      co_return append_result{append_status::too_large, expected_seq, 0};
    const meeting_keys keys(meeting_id);
    std::vector<std::string> args{std::to_string(expected_seq), keys.channel};
    args.reserve(2 + events.size());
    size_t bytes = 0;
    uint64_t seq = expected_seq;
    for (auto& event : events) {
      event.set_seq(++seq);
      args.push_back(event.SerializeAsString());
      bytes += args.back().size();
    }
    if (bytes > config_.max_batch_bytes)
      co_return append_result{append_status::too_large, expected_seq, 0};
    std::vector<std::string> script_keys{keys.head, keys.log, keys.epoch};
    auto r = co_await run_script(append_, std::move(script_keys), std::move(args));
    auto out = append_result_of(r);
    if (out.status == append_status::not_found)
      observe_epoch(meeting_id, 0, 0);
    else if (out.status != append_status::unavailable)
      observe_epoch(meeting_id, out.epoch, out.head_seq);
    co_return out;
  }

  asio::awaitable<read_result> read(const std::string& meeting_id, uint64_t after_seq,
                                    size_t max_events) {
    read_result out;  // unavailable
    if (!valid_meeting_id(meeting_id)) {
      out.status = read_status::not_found;
      co_return out;
    }
    const meeting_keys keys(meeting_id);
    const size_t count = std::max<size_t>(1, std::min(max_events, config_.max_read_events));
    const auto entries = co_await read_at_head(
        meeting_id, keys,
        redis::make_command("XRANGE", keys.log, std::to_string(after_seq + 1) + "-0", "+", "COUNT",
                            count),
        out);
    if (!entries || !entries->is_array()) co_return out;
    for (const auto& entry : entries->elements) {
      if (!entry.is_array() || entry.elements.size() != 2) co_return out;
      const auto seq = seq_of_entry_id(entry.elements[0].text);
      const auto& fields = entry.elements[1].elements;
      const std::string* bytes = nullptr;
      for (size_t i = 0; i + 1 < fields.size(); i += 2)
        if (fields[i].text == "e") bytes = &fields[i + 1].text;
      v1::Event event;
      if (!seq || !bytes || !event.ParseFromString(*bytes)) co_return out;
      event.set_seq(*seq);  // the entry ID is the authority
      out.events.push_back(std::move(event));
    }
    observe_epoch(meeting_id, out.epoch, out.head_seq);
    // The next event we need is after_seq + 1; if the stream no longer starts there (or
    // earlier), it was trimmed behind a snapshot.
    const bool behind = out.head_seq > after_seq;
    const bool missing_next = out.events.empty() || out.events.front().seq() != after_seq + 1;
    out.status = behind && missing_next ? read_status::trimmed : read_status::ok;
    if (out.status == read_status::trimmed) out.events.clear();
    co_return out;
  }

  asio::awaitable<snapshot_result> load_snapshot(const std::string& meeting_id) {
    snapshot_result out;  // unavailable
    if (!valid_meeting_id(meeting_id)) {
      out.status = read_status::not_found;
      co_return out;
    }
    const meeting_keys keys(meeting_id);
    const auto state = co_await read_at_head(meeting_id, keys,
                                             redis::make_command("HGET", keys.snap, "state"), out);
    if (!state) co_return out;
    if (!state->is_nil()) {
      v1::MeetingState parsed;
      // A snapshot that does not parse is not "no snapshot": the events behind it may be gone.
      if (!parsed.ParseFromString(state->text)) co_return out;
      out.state = std::move(parsed);
    }
    out.status = read_status::ok;
    observe_epoch(meeting_id, out.epoch, out.head_seq);
    co_return out;
  }

  asio::awaitable<void> save_snapshot(const std::string& meeting_id, v1::MeetingState state) {
    if (!valid_meeting_id(meeting_id)) co_return;
    const meeting_keys keys(meeting_id);
    const uint64_t seq = state.seq();
    const uint64_t keep_from =
        seq > config_.retention_events ? seq - config_.retention_events + 1 : 1;
    const uint64_t epoch = known_epoch(meeting_id).value_or(0);
    std::vector<std::string> script_keys{keys.head, keys.snap, keys.log, keys.epoch};
    std::vector<std::string> args{std::to_string(seq), state.SerializeAsString(),
                                  std::to_string(keep_from), std::to_string(epoch)};
    co_await run_script(snapshot_, std::move(script_keys), std::move(args));
  }

  asio::awaitable<append_result> start_new_epoch(const std::string& meeting_id,
                                                 uint64_t seen_epoch, uint64_t replica_seq) {
    if (!valid_meeting_id(meeting_id)) co_return append_result{append_status::not_found, 0, 0};
    const meeting_keys keys(meeting_id);
    std::vector<std::string> script_keys{keys.head, keys.epoch};
    std::vector<std::string> args{std::to_string(seen_epoch), std::to_string(replica_seq),
                                  std::to_string(fresh_epoch())};
    auto r = co_await run_script(new_epoch_, std::move(script_keys), std::move(args));
    auto out = append_result_of(r);
    if (out.status == append_status::ok) observe_epoch(meeting_id, out.epoch, out.head_seq);
    co_return out;
  }

  asio::awaitable<bool> exists(const std::string& meeting_id) {
    if (!valid_meeting_id(meeting_id)) co_return false;
    auto r = co_await connection_.async_exec("EXISTS", meeting_keys(meeting_id).head);
    co_return r.ok() && r.value.integer == 1;
  }

  void subscribe(const std::string& meeting_id, batch_handler handler) {
    if (!valid_meeting_id(meeting_id)) return;
    {
      std::lock_guard lock(mutex_);
      auto& watched = watched_[meeting_id];
      watched.on_batch = std::make_shared<const batch_handler>(std::move(handler));
    }
    subscriber_.subscribe(meeting_keys(meeting_id).channel);
  }

  void unsubscribe(const std::string& meeting_id) {
    {
      std::lock_guard lock(mutex_);
      if (watched_.erase(meeting_id) == 0) return;
    }
    subscriber_.unsubscribe(meeting_keys(meeting_id).channel);
  }

  void watch(const std::string& meeting_id, change_handler handler) {
    {
      std::lock_guard lock(mutex_);
      auto it = watched_.find(meeting_id);
      if (it == watched_.end()) return;
      it->second.on_change = std::make_shared<const change_handler>(std::move(handler));
    }
    // The subscription may have been confirmed before this handler was there to hear it.
    asio::co_spawn(executor_, check_heads(shared_from_this(), {meeting_id}),
                   log_failure("redis head check"));
  }

  bool ready() const { return connection_.ready(); }

  asio::awaitable<std::optional<std::vector<std::string>>> meeting_ids() {
    auto r = co_await connection_.async_exec("SMEMBERS", config_.registry_key);
    if (!r.ok() || !r.value.is_array()) co_return std::nullopt;
    std::vector<std::string> ids;
    ids.reserve(r.value.elements.size());
    for (auto& element : r.value.elements) ids.push_back(std::move(element.text));
    co_return ids;
  }

  redis::redis_connection& connection() { return connection_; }

  asio::awaitable<bool> refresh_heartbeat(const std::string& instance_id,
                                          std::chrono::milliseconds ttl) {
    redis::request block;
    block.push("SET", config_.instance_key_prefix + instance_id, "alive", "PX",
               std::to_string(ttl.count()));
    block.push("SADD", config_.instances_key, instance_id);
    const auto results = co_await connection_.async_exec(std::move(block));
    for (const auto& r : results)
      if (!r.ok()) co_return false;
    co_return true;
  }

  asio::awaitable<std::optional<std::vector<std::string>>> live_instances() {
    auto members = co_await connection_.async_exec("SMEMBERS", config_.instances_key);
    if (!members.ok() || !members.value.is_array()) co_return std::nullopt;
    std::vector<std::string> known;
    for (auto& element : members.value.elements) known.push_back(std::move(element.text));
    if (known.empty()) co_return known;
    redis::request checks;
    for (const auto& id : known) checks.push("EXISTS", config_.instance_key_prefix + id);
    const auto results = co_await connection_.async_exec(std::move(checks));
    if (results.size() != known.size()) co_return std::nullopt;
    std::vector<std::string> alive, dead;
    for (size_t i = 0; i < known.size(); ++i) {
      if (!results[i].ok()) co_return std::nullopt;
      (results[i].value.integer == 1 ? alive : dead).push_back(known[i]);
    }
    // Expired instances leave the set; their connections are closed by whoever finds them.
    if (!dead.empty()) {
      redis::command forget{"SREM", config_.instances_key};
      forget.insert(forget.end(), dead.begin(), dead.end());
      co_await connection_.async_exec(std::move(forget));
    }
    co_return alive;
  }

 private:
  struct watched_meeting {
    std::shared_ptr<const batch_handler> on_batch;
    std::shared_ptr<const change_handler> on_change;
    std::optional<uint64_t> epoch;  // last seen; 0 = the meeting was gone; nullopt = not yet
  };

  // One MULTI block: `first`, the head and the epoch, so the three belong to the same moment.
  // If the meeting exists, sets out.head_seq and out.epoch (out.status stays as it was) and
  // returns the reply to `first`. Otherwise returns nothing: out.status is not_found if there
  // is no head (and the watcher learns the meeting is gone), unchanged if Redis gave no usable
  // answer.
  template <class Result>
  asio::awaitable<std::optional<redis::reply>> read_at_head(const std::string& meeting_id,
                                                            const meeting_keys& keys,
                                                            redis::command first, Result& out) {
    redis::request block;
    block.push("MULTI")
        .push(std::move(first))
        .push("GET", keys.head)
        .push("GET", keys.epoch)
        .push("EXEC");
    auto results = co_await connection_.async_exec(std::move(block));
    auto& exec = results.back();
    if (!exec.ok() || !exec.value.is_array() || exec.value.elements.size() != 3)
      co_return std::nullopt;
    const auto& head = exec.value.elements[1];
    if (head.is_nil()) {
      observe_epoch(meeting_id, 0, 0);
      out.status = read_status::not_found;
      co_return std::nullopt;
    }
    out.head_seq = head.to_unsigned().value_or(0);
    out.epoch = exec.value.elements[2].to_unsigned().value_or(0);
    co_return std::move(exec.value.elements[0]);
  }

  // EVALSHA, and on NOSCRIPT (a restarted or flushed Redis) SCRIPT LOAD and once more.
  asio::awaitable<redis::result> run_script(const lua_script& script, std::vector<std::string> keys,
                                            std::vector<std::string> args) {
    redis::command cmd{"EVALSHA", script.sha1, std::to_string(keys.size())};
    cmd.reserve(cmd.size() + keys.size() + args.size());
    for (auto& key : keys) cmd.push_back(std::move(key));
    for (auto& arg : args) cmd.push_back(std::move(arg));
    auto r = co_await connection_.async_exec(cmd);
    if (r.error == redis::error::server_error && r.value.text.starts_with("NOSCRIPT")) {
      auto loaded = co_await connection_.async_exec("SCRIPT", "LOAD", script.source);
      if (!loaded.ok()) co_return loaded;
      r = co_await connection_.async_exec(std::move(cmd));
    }
    co_return r;
  }

  asio::awaitable<void> on_connected(std::shared_ptr<impl> self) {
    redis::request load;
    for (const auto* script : {&append_, &create_, &snapshot_, &new_epoch_})
      load.push("SCRIPT", "LOAD", script->source);
    co_await connection_.async_exec(std::move(load));
    co_await check_heads(self, watched_ids());
  }

  std::vector<std::string> watched_ids() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    ids.reserve(watched_.size());
    for (const auto& [id, watched] : watched_) ids.push_back(id);
    return ids;
  }

  std::optional<uint64_t> known_epoch(const std::string& meeting_id) {
    std::lock_guard lock(mutex_);
    auto it = watched_.find(meeting_id);
    if (it == watched_.end()) return std::nullopt;
    return it->second.epoch;
  }

  // Records what an answer from Redis says about a subscribed meeting's epoch (0: the meeting
  // is gone) and reports a change to its watcher.
  void observe_epoch(const std::string& meeting_id, uint64_t epoch, uint64_t head_seq) {
    std::shared_ptr<const change_handler> notify;
    {
      std::lock_guard lock(mutex_);
      auto it = watched_.find(meeting_id);
      if (it == watched_.end()) return;
      auto& known = it->second.epoch;
      if (known && *known != epoch) notify = it->second.on_change;
      known = epoch;
    }
    if (notify && *notify) (*notify)(meeting_id, log_change::epoch_changed, epoch, head_seq);
  }

  // Reads the heads and epochs of `ids` and reports them to the watchers.
  asio::awaitable<void> check_heads(std::shared_ptr<impl> self, std::vector<std::string> ids) {
    (void)self;
    constexpr size_t per_request = 500;
    for (size_t first = 0; first < ids.size(); first += per_request) {
      const size_t last = std::min(ids.size(), first + per_request);
      redis::request heads;
      for (size_t i = first; i < last; ++i) {
        const meeting_keys keys(ids[i]);
        heads.push("MGET", keys.head, keys.epoch);
      }
      const auto results = co_await connection_.async_exec(std::move(heads));
      for (size_t i = first; i < last; ++i) {
        const auto& r = results[i - first];
        if (!r.ok() || !r.value.is_array() || r.value.elements.size() != 2) continue;
        const auto& meeting_id = ids[i];
        if (r.value.elements[0].is_nil()) {
          observe_epoch(meeting_id, 0, 0);
          continue;
        }
        const uint64_t head = r.value.elements[0].to_unsigned().value_or(0);
        const uint64_t epoch = r.value.elements[1].to_unsigned().value_or(0);
        observe_epoch(meeting_id, epoch, head);
        std::shared_ptr<const change_handler> notify;
        {
          std::lock_guard lock(mutex_);
          auto it = watched_.find(meeting_id);
          if (it != watched_.end()) notify = it->second.on_change;
        }
        if (notify && *notify) (*notify)(meeting_id, log_change::head_seen, epoch, head);
      }
    }
  }

  asio::awaitable<void> check_heads_periodically(std::shared_ptr<impl> self) {
    while (!stopped_) {
      head_timer_.expires_after(config_.head_check_interval);
      co_await head_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
      if (stopped_) break;
      if (connection_.ready()) co_await check_heads(self, watched_ids());
    }
  }

  // A published batch, on the subscriber's strand: decode, then hand over.
  void on_message(std::string_view channel, std::string_view payload) {
    const auto meeting = meeting_of_channel(channel);
    if (!meeting) return;
    auto decoded = decode_published(payload);
    if (!decoded || decoded->events.empty()) return;
    const std::string meeting_id(*meeting);
    std::shared_ptr<const batch_handler> deliver;
    {
      std::lock_guard lock(mutex_);
      auto it = watched_.find(meeting_id);
      if (it == watched_.end()) return;
      deliver = it->second.on_batch;
    }
    const uint64_t head = decoded->events.back().seq();
    observe_epoch(meeting_id, decoded->epoch, head);
    if (deliver && *deliver)
      (*deliver)(meeting_id, decoded->epoch,
                 std::make_shared<const std::vector<v1::Event>>(std::move(decoded->events)));
  }

  asio::any_io_executor executor_;
  asio::strand<asio::any_io_executor> strand_;  // the periodic head check
  redis_log_config config_;
  redis::redis_connection connection_;
  redis::redis_subscriber subscriber_;
  asio::steady_timer head_timer_;
  const lua_script append_;
  const lua_script create_;
  const lua_script snapshot_;
  const lua_script new_epoch_;
  std::atomic<bool> stopped_{false};
  // Subscribed meetings, reached from callers' strands and the subscriber's; the lock covers
  // map edits only, never a handler call.
  std::mutex mutex_;
  std::map<std::string, watched_meeting, std::less<>> watched_;
};

redis_event_log::redis_event_log(asio::any_io_executor executor, redis_log_config config)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(config))) {}

redis_event_log::~redis_event_log() {
  impl_->stop();
}

void redis_event_log::start() {
  impl_->start();
}

void redis_event_log::stop() {
  impl_->stop();
}

asio::awaitable<append_result> redis_event_log::create(const std::string& meeting_id,
                                                       v1::Event first) {
  return impl_->create(meeting_id, std::move(first));
}

asio::awaitable<append_result> redis_event_log::append(const std::string& meeting_id,
                                                       uint64_t expected_seq,
                                                       std::vector<v1::Event> events) {
  return impl_->append(meeting_id, expected_seq, std::move(events));
}

asio::awaitable<read_result> redis_event_log::read(const std::string& meeting_id,
                                                   uint64_t after_seq, size_t max_events) {
  return impl_->read(meeting_id, after_seq, max_events);
}

asio::awaitable<snapshot_result> redis_event_log::load_snapshot(const std::string& meeting_id) {
  return impl_->load_snapshot(meeting_id);
}

asio::awaitable<void> redis_event_log::save_snapshot(const std::string& meeting_id,
                                                     v1::MeetingState state) {
  return impl_->save_snapshot(meeting_id, std::move(state));
}

asio::awaitable<append_result> redis_event_log::start_new_epoch(const std::string& meeting_id,
                                                                uint64_t seen_epoch,
                                                                uint64_t replica_seq) {
  return impl_->start_new_epoch(meeting_id, seen_epoch, replica_seq);
}

asio::awaitable<bool> redis_event_log::exists(const std::string& meeting_id) {
  return impl_->exists(meeting_id);
}

void redis_event_log::subscribe(const std::string& meeting_id, batch_handler handler) {
  impl_->subscribe(meeting_id, std::move(handler));
}

void redis_event_log::unsubscribe(const std::string& meeting_id) {
  impl_->unsubscribe(meeting_id);
}

void redis_event_log::watch(const std::string& meeting_id, change_handler handler) {
  impl_->watch(meeting_id, std::move(handler));
}

bool redis_event_log::ready() const {
  return impl_->ready();
}

asio::awaitable<std::optional<std::vector<std::string>>> redis_event_log::meeting_ids() {
  return impl_->meeting_ids();
}

asio::awaitable<bool> redis_event_log::refresh_heartbeat(const std::string& instance_id,
                                                         std::chrono::milliseconds ttl) {
  return impl_->refresh_heartbeat(instance_id, ttl);
}

asio::awaitable<std::optional<std::vector<std::string>>> redis_event_log::live_instances() {
  return impl_->live_instances();
}

redis::redis_connection& redis_event_log::connection() {
  return impl_->connection();
}

}  // namespace majlis::store

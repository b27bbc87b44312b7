#include "app/config.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "net/url.hpp"

#include "domain/limits.hpp"

namespace majlis::app {

server_config parse_config(int argc, char** argv) {
  server_config config;
  CLI::App app{
      "majlisd — the Majlis real-time meeting server.\n"
      "Every option can also be set as a MAJLIS_* environment variable (shown with each option)\n"
      "or in a file given with --config (INI or TOML: key = value, keys are the long option names)."};
  app.set_config("--config", "", "Read options from this file");
  // A later flag overrides an earlier one (./dev run passes defaults before the user's flags).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.get_formatter()->column_width(40);

  std::string listen = "127.0.0.1:8080";
  app.add_option("--listen", listen, "Address and port to serve HTTP and WebSocket on (HOST:PORT; port 0 = any free port)")
      ->envname("MAJLIS_LISTEN")->capture_default_str();
  app.add_option("--public-url", config.public_url, "Base URL of invite links (default: http://<listen>, https:// with --tls-cert)")
      ->envname("MAJLIS_PUBLIC_URL");
  app.add_option("--tls-cert", config.net.tls_cert_file,
                 "PEM certificate chain: serve HTTPS and WSS only (TLS 1.2+; needs --tls-key)")
      ->envname("MAJLIS_TLS_CERT");
  app.add_option("--tls-key", config.net.tls_key_file, "PEM private key of --tls-cert")
      ->envname("MAJLIS_TLS_KEY");
  int64_t tls_handshake_timeout_ms = config.net.tls_handshake_timeout.count();
  app.add_option("--tls-handshake-timeout-ms", tls_handshake_timeout_ms,
                 "With --tls-cert: time a new connection has to complete its TLS handshake")
      ->envname("MAJLIS_TLS_HANDSHAKE_TIMEOUT_MS")->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{600000}));
  std::string allowed_origins;
  app.add_option("--allowed-origins", allowed_origins,
                 "Origins whose pages may open /ws, comma-separated (https://host[:port]; * = any). "
                 "Default: the origin of --public-url; requests without Origin always pass")
      ->envname("MAJLIS_ALLOWED_ORIGINS");
  app.add_option("--static-root", config.static_root, "Folder of the web clients to serve (empty = none)")
      ->envname("MAJLIS_STATIC_ROOT");
  app.add_option("--admin-key", config.admin_key,
                 "Key for the admin API (empty = the one in the data folder, or generate one, store it there and print it)")
      ->envname("MAJLIS_ADMIN_KEY");
  app.add_option("--signing-secret", config.signing_secret,
                 "HS256 secret of join tokens and invite codes, and the root of the keys that seal secret ballots "
                 "(empty = the one in the data folder, or generate and store one)")
      ->envname("MAJLIS_SIGNING_SECRET");
  app.add_option("--instance-id", config.instance_id, "Name of this instance in connection ids and logs (empty = generate)")
      ->envname("MAJLIS_INSTANCE_ID");
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error or off")
      ->envname("MAJLIS_LOG_LEVEL")->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--threads", config.threads, "I/O threads")
      ->envname("MAJLIS_THREADS")->capture_default_str()->check(CLI::Range(1, 64));
  int64_t token_ttl_s = config.token_ttl.count();
  app.add_option("--token-ttl", token_ttl_s, "Lifetime of issued join tokens, in seconds")
      ->envname("MAJLIS_TOKEN_TTL")->capture_default_str()->check(CLI::Range(int64_t{60}, int64_t{366} * 24 * 3600));
  app.add_option("--demo-meeting", config.demo_meeting_title,
                 "Create a meeting with this title at start and print its links")
      ->envname("MAJLIS_DEMO_MEETING");
  app.add_option("--redis", config.redis_url,
                 "Share meetings with other instances through Redis (redis://[:password@]host:port[/db]); empty = embedded store")
      ->envname("MAJLIS_REDIS");
  std::string store = "sqlite";
  app.add_option("--store", store,
                 "Where meetings live without --redis: sqlite (durable, in --data-dir) or memory (tests; lost at exit)")
      ->envname("MAJLIS_STORE")->capture_default_str()->check(CLI::IsMember({"sqlite", "memory"}));
  auto* data_dir = app.add_option("--data-dir", config.data_dir,
                 "Folder of the sqlite store: majlis.db, the generated admin key and signing secret, a lock "
                 "(the default is created on first start; a folder given here must exist)")
      ->envname("MAJLIS_DATA_DIR")->capture_default_str();
  std::string sync = "full";
  app.add_option("--sync", sync,
                 "sqlite store: full = fsync every commit (survives power loss); normal = the OS flushes "
                 "(survives a crash of majlisd, may lose the last commits on power loss)")
      ->envname("MAJLIS_SYNC")->capture_default_str()->check(CLI::IsMember({"full", "normal"}));
  int64_t heartbeat_ttl_ms = config.heartbeat_ttl.count();
  app.add_option("--heartbeat-ttl-ms", heartbeat_ttl_ms,
                 "With --redis: an instance whose heartbeat is this old counts as dead and its connections are closed")
      ->envname("MAJLIS_HEARTBEAT_TTL_MS")->capture_default_str()->check(CLI::Range(int64_t{500}, int64_t{600000}));
  app.add_option("--test-drop-published-every", config.replica.drop_published_every,
                 "Test hook: drop every Nth event batch published by the store (0 = never)")
      ->group("");  // hidden from --help: for tests only
  app.add_option("--test-check-in-rotation-ms", config.replica.check_in_rotation_ms,
                 "Test hook: rotate the check-in code this often (0 = every 30 s)")
      ->group("")->check(CLI::Range(int64_t{0}, int64_t{3600000}));  // hidden: for tests only
  app.add_option("--max-meetings", config.max_meetings, "Meetings the embedded store holds at most")
      ->envname("MAJLIS_MAX_MEETINGS")->capture_default_str();

  auto& net = config.net;
  app.add_option("--max-frame-bytes", net.max_frame_bytes, "Largest WebSocket message accepted")
      ->envname("MAJLIS_MAX_FRAME_BYTES")->capture_default_str()->check(CLI::Range(1024, 16 * 1024 * 1024));
  app.add_option("--commands-per-second", net.commands_per_second, "Commands per second per connection (token bucket rate)")
      ->envname("MAJLIS_COMMANDS_PER_SECOND")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--command-burst", net.command_burst, "Token bucket capacity per connection")
      ->envname("MAJLIS_COMMAND_BURST")->capture_default_str()->check(CLI::Range(1, 100000));
  int64_t join_timeout_ms = net.join_timeout.count(), idle_timeout_ms = net.idle_timeout.count();
  app.add_option("--join-timeout-ms", join_timeout_ms, "Time a new connection has to send Join")
      ->envname("MAJLIS_JOIN_TIMEOUT_MS")->capture_default_str()->check(CLI::Range(int64_t{50}, int64_t{600000}));
  app.add_option("--idle-timeout-ms", idle_timeout_ms, "Close a connection silent for this long (send Ping)")
      ->envname("MAJLIS_IDLE_TIMEOUT_MS")->capture_default_str()->check(CLI::Range(int64_t{1000}, int64_t{3600000}));
  app.add_option("--max-connections", net.max_connections, "Open connections at most")
      ->envname("MAJLIS_MAX_CONNECTIONS")->capture_default_str();
  app.add_option("--send-queue-frames", net.send_queue_max_frames, "Frames queued per connection before it counts as slow and is closed")
      ->envname("MAJLIS_SEND_QUEUE_FRAMES")->capture_default_str();
  app.add_option("--send-queue-bytes", net.send_queue_max_bytes, "Bytes queued per connection before it counts as slow and is closed")
      ->envname("MAJLIS_SEND_QUEUE_BYTES")->capture_default_str();
  app.add_option("--io-uring", net.io_uring,
                 "Send a fan-out's frames through io_uring, 256 sockets per system call (false: one send() each; "
                 "without a usable io_uring majlisd falls back to that by itself and logs why)")
      ->envname("MAJLIS_IO_URING")->capture_default_str();
  app.add_option("--max-http-body", net.max_http_body_bytes, "Largest HTTP request body")
      ->envname("MAJLIS_MAX_HTTP_BODY")->capture_default_str();
  auto& per_address = net.per_address;
  app.add_option("--max-connections-per-address", per_address.max_connections,
                 "Open WebSocket connections from one client address (0 = unlimited)")
      ->envname("MAJLIS_MAX_CONNECTIONS_PER_ADDRESS")->capture_default_str();
  app.add_option("--joins-per-second-per-address", per_address.joins_per_second,
                 "New WebSocket connections per second from one client address (token bucket rate; 0 = unlimited)")
      ->envname("MAJLIS_JOINS_PER_SECOND_PER_ADDRESS")->capture_default_str()->check(CLI::Range(0, 1000000));
  app.add_option("--join-burst-per-address", per_address.join_burst,
                 "Capacity of the per-address join bucket")
      ->envname("MAJLIS_JOIN_BURST_PER_ADDRESS")->capture_default_str()->check(CLI::Range(1, 10000000));
  app.add_option("--failed-auth-limit", per_address.failed_auth_limit,
                 "Failed authentications (HTTP 401, close 4001) from one address within the window "
                 "after which its API calls get 429 and its joins 4029 until the window passes (0 = never)")
      ->envname("MAJLIS_FAILED_AUTH_LIMIT")->capture_default_str()->check(CLI::Range(0, 1000000));
  int64_t failed_auth_window_s =
      std::chrono::duration_cast<std::chrono::seconds>(per_address.failed_auth_window).count();
  app.add_option("--failed-auth-window", failed_auth_window_s,
                 "Window of --failed-auth-limit, in seconds, from the first failure")
      ->envname("MAJLIS_FAILED_AUTH_WINDOW")->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{86400}));
  app.add_option("--trusted-proxy-header", net.trusted_proxy_header,
                 "Take the client address for the per-address limits from the last address in this "
                 "header (X-Forwarded-For); set it only when majlisd is reachable only through that proxy")
      ->envname("MAJLIS_TRUSTED_PROXY_HEADER");

  auto& replica = config.replica;
  app.add_option("--resume-window", replica.resume_window_events, "Events kept per meeting for resuming clients")
      ->envname("MAJLIS_RESUME_WINDOW")->capture_default_str()->check(CLI::Range(16, 1000000));
  app.add_option("--snapshot-every", replica.snapshot_every_events, "Write a snapshot after this many events")
      ->envname("MAJLIS_SNAPSHOT_EVERY")->capture_default_str()->check(CLI::Range(10, 1000000));
  app.add_option("--max-connections-per-meeting", replica.max_connections_per_meeting, "Joined connections per meeting at most")
      ->envname("MAJLIS_MAX_CONNECTIONS_PER_MEETING")->capture_default_str();
  app.add_option("--max-connections-per-participant", replica.max_connections_per_participant,
                 "Live connections of one participant or moderator token in a meeting, across instances "
                 "(displays and observers are exempt)")
      ->envname("MAJLIS_MAX_CONNECTIONS_PER_PARTICIPANT")->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, domain::limits::max_roster_connections));
  int64_t presence_interval_ms = replica.presence_interval.count();
  app.add_option("--presence-interval-ms", presence_interval_ms,
                 "Joins and leaves are gathered this long into one presence event (0 = each commit); "
                 "one interval more per 1,000 connections of the meeting, at most ten and 2 s")
      ->envname("MAJLIS_PRESENCE_INTERVAL_MS")->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{10000}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }

  config.data_dir_given = data_dir->count() > 0 || std::getenv("MAJLIS_DATA_DIR") != nullptr;
  config.store = !config.redis_url.empty() ? store_kind::redis
                 : store == "memory"       ? store_kind::memory
                                           : store_kind::sqlite;
  if (!config.redis_url.empty() && store == "memory") {
    std::fprintf(stderr, "--store memory and --redis exclude each other\n");
    std::exit(2);
  }
  config.sqlite_log.sync = sync == "normal" ? store::sync_mode::normal : store::sync_mode::full;
  config.sqlite_log.max_meetings = config.max_meetings;

  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "--listen: expected HOST:PORT, got '%s'\n", listen.c_str());
    std::exit(2);
  }
  config.listen_host = listen.substr(0, colon);
  try {
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    config.listen_port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    std::fprintf(stderr, "--listen: '%s' is not a port\n", listen.substr(colon + 1).c_str());
    std::exit(2);
  }
  if (config.net.tls_cert_file.empty() != config.net.tls_key_file.empty()) {
    std::fprintf(stderr, "--tls-cert and --tls-key go together: give both or neither\n");
    std::exit(2);
  }
  config.net.tls_handshake_timeout = std::chrono::milliseconds(tls_handshake_timeout_ms);
  config.allowed_origins_given = !allowed_origins.empty();
  for (std::size_t start = 0; start <= allowed_origins.size() && config.allowed_origins_given;) {
    const auto comma = std::min(allowed_origins.find(',', start), allowed_origins.size());
    auto entry = allowed_origins.substr(start, comma - start);
    start = comma + 1;
    entry.erase(0, entry.find_first_not_of(" \t"));
    entry.erase(entry.find_last_not_of(" \t") + 1);
    if (entry.empty()) continue;
    const auto origin = entry == "*" ? std::optional<std::string>("*") : net::origin_of(entry);
    if (!origin) {
      std::fprintf(stderr, "--allowed-origins: '%s' is not an origin (http[s]://host[:port], or *)\n",
                   entry.c_str());
      std::exit(2);
    }
    config.net.allowed_origins.push_back(*origin);
  }
  config.token_ttl = std::chrono::seconds(token_ttl_s);
  config.heartbeat_ttl = std::chrono::milliseconds(heartbeat_ttl_ms);
  config.heartbeat_interval = std::max(std::chrono::milliseconds(100), config.heartbeat_ttl / 5);
  net.join_timeout = std::chrono::milliseconds(join_timeout_ms);
  replica.presence_interval = std::chrono::milliseconds(presence_interval_ms);
  net.idle_timeout = std::chrono::milliseconds(idle_timeout_ms);
  per_address.failed_auth_window = std::chrono::seconds(failed_auth_window_s);
  net.static_root = config.static_root;
  config.embedded_log.max_meetings = config.max_meetings;
  config.embedded_log.retention_events = replica.resume_window_events;
  return config;
}

}  // namespace majlis::app

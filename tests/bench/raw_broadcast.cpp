// majlis-raw-broadcast: the floor majlis-bench fanout measures against — what one blocking
// send() per receiver costs. One thread, epoll for the listener and the sender only: it answers
// the WebSocket upgrade by hand, and every text frame from the connection opened on /sender is
// framed once (an unmasked server frame) and written with send() to every other socket in turn.
// Prints "listening on 127.0.0.1:PORT". Usage: majlis-raw-broadcast [port]
#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

std::string base64(const unsigned char* data, std::size_t size) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < size; i += 3) {
    const std::uint32_t n = (std::uint32_t(data[i]) << 16) | (i + 1 < size ? std::uint32_t(data[i + 1]) << 8 : 0) |
                            (i + 2 < size ? std::uint32_t(data[i + 2]) : 0);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < size ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < size ? alphabet[n & 63] : '=';
  }
  return out;
}

std::string header_value(const std::string& request, const std::string& name) {
  std::string lower = request;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string key = "\r\n" + name + ":";
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto at = lower.find(key);
  if (at == std::string::npos) return {};
  auto begin = request.find_first_not_of(' ', at + key.size());
  const auto end = request.find("\r\n", begin);
  return request.substr(begin, end - begin);
}

bool send_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const auto n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

// Reads the upgrade request (blocking, at most 5 s and 8 KiB) and answers it. Returns false for
// anything that is not a WebSocket upgrade; `sender` says whether the target was /sender.
bool upgrade(int fd, bool& sender) {
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  // A receiver that stops reading must not stall the server for ever.
  timeval send_timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  std::string request;
  char buffer[2048];
  while (request.find("\r\n\r\n") == std::string::npos) {
    const auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0 || request.size() > 8192) return false;
    request.append(buffer, static_cast<std::size_t>(n));
  }
  const std::string key = header_value(request, "Sec-WebSocket-Key");
  if (key.empty()) return false;
  sender = request.rfind("GET /sender ", 0) == 0;
  const std::string accept_source = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[SHA_DIGEST_LENGTH];
  ::SHA1(reinterpret_cast<const unsigned char*>(accept_source.data()), accept_source.size(), digest);
  const std::string answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Accept: " +
                             base64(digest, sizeof digest) + "\r\n\r\n";
  return send_all(fd, answer.data(), answer.size());
}

// An unmasked server text frame around `payload`.
std::string frame(const std::string& payload) {
  std::string out;
  out += char(0x81);
  if (payload.size() < 126) {
    out += char(payload.size());
  } else if (payload.size() < 65536) {
    out += char(126);
    out += char(payload.size() >> 8);
    out += char(payload.size() & 0xff);
  } else {
    out += char(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += char((std::uint64_t(payload.size()) >> shift) & 0xff);
  }
  return out + payload;
}

// Takes the complete client frames off the front of `input`; text payloads go to `on_text`.
// Returns false on a close frame or a malformed one.
template <typename OnText>
bool parse_frames(std::string& input, OnText on_text) {
  std::size_t at = 0;
  for (;;) {
    if (input.size() - at < 2) break;
    const auto* p = reinterpret_cast<const unsigned char*>(input.data() + at);
    const unsigned opcode = p[0] & 0x0f;
    const bool masked = (p[1] & 0x80) != 0;
    std::uint64_t length = p[1] & 0x7f;
    std::size_t header = 2;
    if (length == 126) {
      if (input.size() - at < 4) break;
      length = (std::uint64_t(p[2]) << 8) | p[3];
      header = 4;
    } else if (length == 127) {
      if (input.size() - at < 10) break;
      length = 0;
      for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
      header = 10;
    }
    if (!masked || length > (1u << 24)) return false;
    if (input.size() - at < header + 4 + length) break;
    const unsigned char* mask = p + header;
    std::string payload(input.data() + at + header + 4, length);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = char(payload[i] ^ mask[i % 4]);
    if (opcode == 0x8) return false;
    if (opcode == 0x1) on_text(payload);
    at += header + 4 + length;
  }
  input.erase(0, at);
  return true;
}

volatile std::sig_atomic_t stop = 0;
extern "C" void on_signal(int) { stop = 1; }

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 0));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int yes = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener, 4096) != 0) {
    std::perror("majlis-raw-broadcast: bind/listen");
    return 1;
  }
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::printf("listening on 127.0.0.1:%u\n", unsigned(ntohs(address.sin_port)));
  std::fflush(stdout);

  const int poller = ::epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listener;
  ::epoll_ctl(poller, EPOLL_CTL_ADD, listener, &event);

  std::vector<int> receivers;
  std::vector<std::pair<int, std::string>> senders;  // fd, bytes not yet parsed
  std::array<epoll_event, 64> ready{};
  while (!stop) {
    const int count = ::epoll_wait(poller, ready.data(), int(ready.size()), 500);
    for (int i = 0; i < count; ++i) {
      const int fd = ready[std::size_t(i)].data.fd;
      if (fd == listener) {
        const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        bool sender = false;
        if (!upgrade(client, sender)) {
          ::close(client);
          continue;
        }
        if (!sender) {
          receivers.push_back(client);
          continue;
        }
        senders.emplace_back(client, std::string());
        epoll_event sender_event{};
        sender_event.events = EPOLLIN;
        sender_event.data.fd = client;
        ::epoll_ctl(poller, EPOLL_CTL_ADD, client, &sender_event);
        continue;
      }
      auto it = std::find_if(senders.begin(), senders.end(), [fd](const auto& s) { return s.first == fd; });
      if (it == senders.end()) continue;
      char buffer[65536];
      const auto n = ::recv(fd, buffer, sizeof buffer, 0);
      bool open = n > 0;
      if (open) {
        it->second.append(buffer, static_cast<std::size_t>(n));
        open = parse_frames(it->second, [&receivers](const std::string& payload) {
          const std::string framed = frame(payload);
          // One blocking send() per receiver: the floor.
          receivers.erase(std::remove_if(receivers.begin(), receivers.end(),
                                         [&framed](int receiver) {
                                           if (send_all(receiver, framed.data(), framed.size())) return false;
                                           ::close(receiver);
                                           return true;
                                         }),
                          receivers.end());
        });
      }
      if (!open) {
        ::epoll_ctl(poller, EPOLL_CTL_DEL, fd, nullptr);
        ::close(fd);
        senders.erase(it);
      }
    }
  }
  for (const int fd : receivers) ::close(fd);
  for (const auto& s : senders) ::close(s.first);
  ::close(listener);
  return 0;
}

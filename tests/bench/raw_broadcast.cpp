// majlis-raw-broadcast: the floor majlis-bench fanout measures against — what one blocking
// send() per receiver costs. One thread, epoll for the listener and the sender only: it answers
// the WebSocket upgrade by hand, and every text frame from the connection opened on /sender is
// framed once (an unmasked server frame) and written with send() to every other socket in turn.
// With --io-uring the same sends go to the kernel through io_uring, 256 per io_uring_enter (the
// floor for a server that batches its sends, as majlisd does with --io-uring).
// Prints "listening on 127.0.0.1:PORT". Usage: majlis-raw-broadcast [port] [--io-uring]
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
#include <liburing.h>
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

// The sends of one event through io_uring, 256 per call, blocking as send() is (a full socket's
// send completes once it drains); a receiver whose send fails or falls short is finished with
// send_all or dropped. Returns the receivers still open.
void send_through_ring(io_uring& ring, std::vector<int>& receivers, const std::string& framed) {
  constexpr unsigned entries = 256;
  std::vector<int> open;
  open.reserve(receivers.size());
  for (std::size_t next = 0; next < receivers.size();) {
    unsigned queued = 0;
    const std::size_t first = next;
    for (; next < receivers.size() && queued < entries; ++next, ++queued) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      io_uring_prep_send(sqe, receivers[next], framed.data(), framed.size(), MSG_NOSIGNAL);
      io_uring_sqe_set_data64(sqe, next);
    }
    while (io_uring_submit_and_wait(&ring, queued) == -EINTR) {
    }
    std::vector<int> results(queued, -1);
    for (unsigned seen = 0; seen < queued;) {
      io_uring_cqe* cqe = nullptr;
      if (io_uring_wait_cqe(&ring, &cqe) != 0) continue;
      results[io_uring_cqe_get_data64(cqe) - first] = cqe->res;
      io_uring_cqe_seen(&ring, cqe);
      ++seen;
    }
    for (unsigned i = 0; i < queued; ++i) {
      const int fd = receivers[first + i];
      const int sent = results[i];
      if (sent >= 0 && (std::size_t(sent) == framed.size() ||
                        send_all(fd, framed.data() + sent, framed.size() - std::size_t(sent)))) {
        open.push_back(fd);
      } else {
        ::close(fd);
      }
    }
  }
  receivers.swap(open);
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
  int port = 0;
  bool batched = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--io-uring") == 0)
      batched = true;
    else
      port = std::atoi(argv[i]);
  }
  io_uring ring{};
  if (batched) {
    if (const int rc = io_uring_queue_init(256, &ring, 0); rc < 0) {
      std::fprintf(stderr, "majlis-raw-broadcast: io_uring_queue_init: %s\n", std::strerror(-rc));
      return 1;
    }
  }
  address.sin_port = htons(static_cast<std::uint16_t>(port));
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
        open = parse_frames(it->second, [&receivers, &ring, batched](const std::string& payload) {
          const std::string framed = frame(payload);
          if (batched) {
            send_through_ring(ring, receivers, framed);
            return;
          }
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
  if (batched) io_uring_queue_exit(&ring);
  return 0;
}

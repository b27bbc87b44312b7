#include "net/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <iterator>
#include <system_error>
#include <utility>

#include "net/url.hpp"

namespace majlis::net {
namespace fs = std::filesystem;

namespace {

// True when `path` lies inside `root` (both canonical).
bool is_within(const fs::path& root, const fs::path& path) {
  const auto [root_end, path_it] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return root_end == root.end();
}

std::string lower_extension(const fs::path& file) {
  std::string ext = file.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

// An RFC 9110 qvalue ("0", "0.5", "1.000", …) in thousandths; nullopt when malformed.
std::optional<int> parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int whole = text[0] - '0';
  int thousandths = 0;
  if (text.size() > 1) {
    if (text[1] != '.' || text.size() > 5) return std::nullopt;
    int scale = 100;
    for (const char c : text.substr(2)) {
      if (c < '0' || c > '9') return std::nullopt;
      thousandths += (c - '0') * scale;
      scale /= 10;
    }
  }
  const int value = whole * 1000 + thousandths;
  if (value > 1000) return std::nullopt;
  return value;
}

// A precompressed sibling worth sending: a regular file inside the root.
bool usable_variant(const fs::path& canonical_root, const fs::path& variant) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(variant, ec);
  if (ec || !fs::is_regular_file(canonical, ec)) return false;
  return is_within(canonical_root, canonical);
}

}  // namespace

std::optional<fs::path> resolve_static_file(const fs::path& root, std::string_view request_path) {
  if (root.empty() || request_path.empty() || request_path.front() != '/') return std::nullopt;
  const auto decoded = percent_decode(request_path);
  if (!decoded) return std::nullopt;
  if (decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos) {
    return std::nullopt;
  }

  fs::path relative;
  std::string_view rest = *decoded;
  while (!rest.empty()) {
    const auto slash = rest.find('/');
    const auto segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") return std::nullopt;
    relative /= fs::path(std::string(segment));
  }

  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  fs::path candidate = canonical_root / relative;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  const fs::path canonical_file = fs::canonical(candidate, ec);
  if (ec || !fs::is_regular_file(canonical_file, ec)) return std::nullopt;
  if (!is_within(canonical_root, canonical_file)) return std::nullopt;
  return canonical_file;
}

std::string_view content_type_for(const fs::path& file) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> types{{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".wasm", "application/wasm"},
  }};
  const std::string ext = lower_extension(file);
  for (const auto& [extension, type] : types) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

bool is_html(const fs::path& file) {
  const std::string ext = lower_extension(file);
  return ext == ".html" || ext == ".htm";
}

accepted_encodings parse_accept_encoding(std::string_view header) {
  std::optional<bool> br, gzip, any;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto element = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);

    const auto semicolon = element.find(';');
    const auto coding = trim(element.substr(0, semicolon));
    if (coding.empty()) continue;
    std::optional<int> q = 1000;
    auto params = semicolon == std::string_view::npos ? std::string_view{}
                                                       : element.substr(semicolon + 1);
    while (!params.empty()) {
      const auto next = params.find(';');
      const auto param = trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
      const auto equals = param.find('=');
      if (equals == std::string_view::npos) continue;
      if (iequals(trim(param.substr(0, equals)), "q")) q = parse_qvalue(trim(param.substr(equals + 1)));
    }
    // A malformed q-value is no consent to a coding.
    const bool allowed = q && *q > 0;
    if (iequals(coding, "br")) br = allowed;
    else if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) gzip = allowed;
    else if (coding == "*") any = allowed;
  }
  return {.br = br.value_or(any.value_or(false)), .gzip = gzip.value_or(any.value_or(false))};
}

static_variant select_static_variant(const fs::path& root, const fs::path& file,
                                     accepted_encodings accepted) {
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) return {file, "", false};
  fs::path br = file;
  br += ".br";
  fs::path gz = file;
  gz += ".gz";
  const bool has_br = usable_variant(canonical_root, br);
  const bool has_gz = usable_variant(canonical_root, gz);
  const bool varies = has_br || has_gz;
  if (accepted.br && has_br) return {std::move(br), "br", varies};
  if (accepted.gzip && has_gz) return {std::move(gz), "gzip", varies};
  return {file, "", varies};
}

std::string_view cache_control_for(const fs::path& root, const fs::path& file) {
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (!ec && !is_html(file)) {
    const fs::path relative = file.lexically_relative(canonical_root);
    // assets/<name>: a file directly or deeper under assets/, never assets itself.
    auto it = relative.begin();
    if (it != relative.end() && *it == "assets" && std::next(it) != relative.end()) {
      return "public, max-age=31536000, immutable";
    }
  }
  return "no-cache";
}

std::string static_etag(std::uintmax_t size, fs::file_time_type modified,
                        std::string_view content_encoding) {
  char buffer[64];
  const auto ticks = static_cast<unsigned long long>(modified.time_since_epoch().count());
  std::snprintf(buffer, sizeof buffer, "\"%llx-%llx", static_cast<unsigned long long>(size), ticks);
  std::string etag = buffer;
  if (!content_encoding.empty()) {
    etag += '-';
    etag += content_encoding;
  }
  etag += '"';
  return etag;
}

bool if_none_match_matches(std::string_view header, std::string_view etag) {
  const auto opaque = [](std::string_view tag) {
    return tag.starts_with("W/") ? tag.substr(2) : tag;
  };
  const auto ours = opaque(etag);
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto tag = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (tag == "*") return true;
    if (!tag.empty() && opaque(tag) == ours) return true;
  }
  return false;
}

}  // namespace majlis::net

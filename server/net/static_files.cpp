#include "net/static_files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
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

}  // namespace majlis::net

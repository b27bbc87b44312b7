// Which file under the web root a request path names, and how to label it. Pure apart from
// looking at the file system; the HTTP session does the serving.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace majlis::net {

// The regular file under `root` that the (still percent-encoded) request path names: "/" and
// directories map to their index.html. nullopt when there is no such file or the path tries to
// leave the root (".." segments, encoded or not, backslashes, NUL, symlinks pointing outside).
std::optional<std::filesystem::path> resolve_static_file(const std::filesystem::path& root,
                                                         std::string_view request_path);

// Content-Type by file extension; application/octet-stream for unknown ones.
std::string_view content_type_for(const std::filesystem::path& file);

// True for HTML pages, which must be revalidated on every load (Cache-Control: no-cache).
bool is_html(const std::filesystem::path& file);

// Which precompressed codings an Accept-Encoding header allows. A coding is allowed when it is
// listed (or `*` is) with a q-value above 0; `x-gzip` counts as gzip. No header at all allows
// none (the plain file is always acceptable).
struct accepted_encodings {
  bool br = false;
  bool gzip = false;
  bool operator==(const accepted_encodings&) const = default;
};
accepted_encodings parse_accept_encoding(std::string_view header);

// The file to send for a resolved static file: X.br when brotli is allowed and X.br exists next
// to X, else X.gz when gzip is allowed and it exists, else X itself. `varies` is true when X has
// any precompressed sibling, so the answer depends on Accept-Encoding (Vary: Accept-Encoding).
// Siblings must be regular files inside `root` like X.
struct static_variant {
  std::filesystem::path file;
  std::string_view content_encoding;  // "br", "gzip" or "" (none)
  bool varies = false;
};
static_variant select_static_variant(const std::filesystem::path& root,
                                     const std::filesystem::path& file,
                                     accepted_encodings accepted);

// Cache-Control for a resolved static file: fingerprinted files under <root>/assets/ (the build
// puts a content hash in their names) are immutable for a year; everything else, HTML first,
// is revalidated on every load.
std::string_view cache_control_for(const std::filesystem::path& root,
                                   const std::filesystem::path& file);

// A strong ETag (quoted) for one representation: size and modification time of the file sent,
// plus its coding, so the br, gzip and plain bodies of one URL never share a tag.
std::string static_etag(std::uintmax_t size, std::filesystem::file_time_type modified,
                        std::string_view content_encoding);

// True when an If-None-Match header matches `etag` (weak comparison, RFC 9110 13.1.2; `*`
// matches any), i.e. the client's copy is current and 304 Not Modified is the answer.
bool if_none_match_matches(std::string_view header, std::string_view etag);

}  // namespace majlis::net

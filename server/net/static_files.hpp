// Which file under the web root a request path names, and how to label it. Pure apart from
// looking at the file system; the HTTP session does the serving.
#pragma once

#include <filesystem>
#include <optional>
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

}  // namespace majlis::net

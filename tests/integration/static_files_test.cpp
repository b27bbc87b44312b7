// The built pages as majlisd serves them (README "How the pages are built and served"): the
// precompressed variant the client accepts (br before gzip, q=0 refuses), Vary and
// Content-Encoding, a year's immutable caching for fingerprinted files under /assets/,
// no-cache with a strong ETag for the rest, 304 for a current copy, HEAD, and the security
// headers on all of it.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "io_thread.hpp"
#include "majlisd_process.hpp"

namespace majlis::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct http_outcome {
  beast::error_code error;
  http::response<http::string_body> response;
};

// One request over a fresh connection; HEAD is read as HEAD (no body follows its headers).
asio::awaitable<http_outcome> request(std::uint16_t port, http::verb verb, std::string target,
                                      std::string accept_encoding, std::string if_none_match = {}) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(5s);
  co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                asio::use_awaitable);
  http::request<http::empty_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!accept_encoding.empty()) req.set(http::field::accept_encoding, accept_encoding);
  if (!if_none_match.empty()) req.set(http::field::if_none_match, if_none_match);
  http_outcome out;
  auto [write_error, written] = co_await http::async_write(stream, req, use_tuple);
  if (write_error) {
    out.error = write_error;
    co_return out;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.skip(verb == http::verb::head);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  out.error = read_error;
  out.response = parser.release();
  co_return out;
}

class static_files : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(web_ / "assets");
    write(web_ / "join.html", "<!doctype html><title>join</title>");
    write(web_ / "join.html.gz", "GZIP-OF-JOIN");
    write(web_ / "join.html.br", "BROTLI-OF-JOIN");
    write(web_ / "assets" / "ui-B6eWvdeR.js", "export const ui = 1;");
    write(web_ / "assets" / "ui-B6eWvdeR.js.gz", "GZIP-OF-UI");
    write(web_ / "assets" / "ui-B6eWvdeR.js.br", "BROTLI-OF-UI");
    write(web_ / "assets" / "logo-1234.png", "PNG");
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(web_, ignored);
  }
  static void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path web_ = make_temp_folder("majlis-dist");
};

void expect_security_headers(const http::response<http::string_body>& response) {
  EXPECT_EQ(response["Content-Security-Policy"],
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
}

TEST_F(static_files, serves_the_accepted_variant_with_cache_headers_and_304) {
  majlisd_process server({"--static-root", web_.string()});
  const auto port = server.port();
  io_thread io;
  const auto get = [&](std::string target, std::string accept, std::string etag = {}) {
    auto out = io.run(request(port, http::verb::get, std::move(target), std::move(accept),
                              std::move(etag)));
    EXPECT_FALSE(out.error) << out.error.message();
    return std::move(out.response);
  };

  // Chromium's header over HTTPS: brotli.
  auto br = get("/join.html", "gzip, deflate, br, zstd");
  EXPECT_EQ(br.result_int(), 200u);
  EXPECT_EQ(br.body(), "BROTLI-OF-JOIN");
  EXPECT_EQ(br[http::field::content_encoding], "br");
  EXPECT_EQ(br[http::field::vary], "Accept-Encoding");
  EXPECT_EQ(br[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(br[http::field::cache_control], "no-cache");
  EXPECT_EQ(br[http::field::content_length], "14");
  expect_security_headers(br);
  const std::string br_etag(br[http::field::etag]);
  ASSERT_FALSE(br_etag.empty());
  EXPECT_EQ(br_etag.front(), '"');  // strong: no W/

  // Over plain HTTP Chromium offers no br; q=0 refuses a coding.
  auto gz = get("/join.html", "gzip, deflate");
  EXPECT_EQ(gz.body(), "GZIP-OF-JOIN");
  EXPECT_EQ(gz[http::field::content_encoding], "gzip");
  EXPECT_EQ(gz[http::field::vary], "Accept-Encoding");
  const std::string gz_etag(gz[http::field::etag]);
  EXPECT_NE(gz_etag, br_etag);
  EXPECT_EQ(get("/join.html", "br;q=0, gzip;q=0.8").body(), "GZIP-OF-JOIN");

  auto plain = get("/join.html", "");
  EXPECT_EQ(plain.body(), "<!doctype html><title>join</title>");
  EXPECT_EQ(plain.count(http::field::content_encoding), 0u);
  EXPECT_EQ(plain[http::field::vary], "Accept-Encoding");
  auto refused = get("/join.html", "br;q=0, gzip;q=0");
  EXPECT_EQ(refused.body(), plain.body());
  EXPECT_EQ(refused[http::field::etag], plain[http::field::etag]);

  // A current copy: 304, no body, the same ETag and caching; a stale one gets the file.
  auto not_modified = get("/join.html", "gzip, deflate, br", br_etag);
  EXPECT_EQ(not_modified.result_int(), 304u);
  EXPECT_TRUE(not_modified.body().empty());
  EXPECT_EQ(not_modified[http::field::etag], br_etag);
  EXPECT_EQ(not_modified[http::field::cache_control], "no-cache");
  EXPECT_EQ(not_modified[http::field::vary], "Accept-Encoding");
  expect_security_headers(not_modified);
  auto stale = get("/join.html", "gzip, deflate, br", gz_etag);
  EXPECT_EQ(stale.result_int(), 200u);
  EXPECT_EQ(stale.body(), "BROTLI-OF-JOIN");

  // Fingerprinted assets: immutable for a year, variants as for the pages.
  auto asset = get("/assets/ui-B6eWvdeR.js", "br");
  EXPECT_EQ(asset.body(), "BROTLI-OF-UI");
  EXPECT_EQ(asset[http::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(asset[http::field::content_type], "text/javascript; charset=utf-8");
  asset = get("/assets/ui-B6eWvdeR.js", "gzip");
  EXPECT_EQ(asset.body(), "GZIP-OF-UI");
  auto png = get("/assets/logo-1234.png", "gzip, br");
  EXPECT_EQ(png.body(), "PNG");
  EXPECT_EQ(png.count(http::field::vary), 0u);
  EXPECT_EQ(png.count(http::field::content_encoding), 0u);
  EXPECT_EQ(png[http::field::cache_control], "public, max-age=31536000, immutable");

  // HEAD: the GET's headers, no body.
  auto head = io.run(request(port, http::verb::head, "/assets/ui-B6eWvdeR.js", "gzip"));
  ASSERT_FALSE(head.error) << head.error.message();
  EXPECT_EQ(head.response.result_int(), 200u);
  EXPECT_EQ(head.response[http::field::content_encoding], "gzip");
  EXPECT_EQ(head.response[http::field::content_length], "10");
  EXPECT_EQ(head.response[http::field::etag], asset[http::field::etag]);
  EXPECT_TRUE(head.response.body().empty());

  EXPECT_EQ(get("/missing.js", "br").result_int(), 404u);
}

}  // namespace
}  // namespace majlis::testing

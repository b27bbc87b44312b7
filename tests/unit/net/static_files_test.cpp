#include "net/static_files.hpp"

#include <fstream>
#include <random>

#include <gtest/gtest.h>

namespace majlis::net {
namespace {

namespace fs = std::filesystem;

class net_static_files : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("majlis-static-" + std::to_string(std::random_device{}()));
    root_ = base_ / "web";
    fs::create_directories(root_ / "chair");
    write(root_ / "index.html", "<h1>majlis</h1>");
    write(root_ / "chair" / "index.html", "<h1>chair</h1>");
    write(root_ / "app.js", "console.log(1)");
    write(base_ / "secret.txt", "secret");
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

  fs::path base_;
  fs::path root_;
};

TEST_F(net_static_files, resolves_files_and_index) {
  EXPECT_EQ(resolve_static_file(root_, "/"), fs::canonical(root_ / "index.html"));
  EXPECT_EQ(resolve_static_file(root_, "/chair"), fs::canonical(root_ / "chair" / "index.html"));
  EXPECT_EQ(resolve_static_file(root_, "/chair/"), fs::canonical(root_ / "chair" / "index.html"));
  EXPECT_EQ(resolve_static_file(root_, "/app.js"), fs::canonical(root_ / "app.js"));
  EXPECT_EQ(resolve_static_file(root_, "/%61pp.js"), fs::canonical(root_ / "app.js"));
  EXPECT_FALSE(resolve_static_file(root_, "/missing.js"));
}

TEST_F(net_static_files, refuses_traversal) {
  EXPECT_FALSE(resolve_static_file(root_, "/../secret.txt"));
  EXPECT_FALSE(resolve_static_file(root_, "/chair/../../secret.txt"));
  EXPECT_FALSE(resolve_static_file(root_, "/%2e%2e/secret.txt"));
  EXPECT_FALSE(resolve_static_file(root_, "/%2E%2E%2Fsecret.txt"));
  EXPECT_FALSE(resolve_static_file(root_, "/..%5csecret.txt"));
  EXPECT_FALSE(resolve_static_file(root_, "/app.js%00.png"));
  EXPECT_FALSE(resolve_static_file(root_, "relative"));
  EXPECT_FALSE(resolve_static_file({}, "/index.html"));
}

TEST_F(net_static_files, refuses_symlinks_leaving_the_root) {
  std::error_code ec;
  fs::create_symlink(base_ / "secret.txt", root_ / "link.txt", ec);
  if (ec) GTEST_SKIP() << "cannot create symlinks here";
  EXPECT_FALSE(resolve_static_file(root_, "/link.txt"));
}

TEST(net_static_content_types, by_extension) {
  EXPECT_EQ(content_type_for("a/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("x.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("x.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("x.json"), "application/json");
  EXPECT_EQ(content_type_for("x.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("x.png"), "image/png");
  EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
  EXPECT_EQ(content_type_for("f.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("app.js.map"), "application/json");
  EXPECT_EQ(content_type_for("blob"), "application/octet-stream");
  EXPECT_TRUE(is_html("index.html"));
  EXPECT_FALSE(is_html("app.js"));
}

TEST(net_accept_encoding, lists_and_q_values) {
  using ae = accepted_encodings;
  EXPECT_EQ(parse_accept_encoding(""), (ae{.br = false, .gzip = false}));
  EXPECT_EQ(parse_accept_encoding("gzip, deflate, br, zstd"), (ae{.br = true, .gzip = true}));
  EXPECT_EQ(parse_accept_encoding("gzip"), (ae{.br = false, .gzip = true}));
  EXPECT_EQ(parse_accept_encoding("BR"), (ae{.br = true, .gzip = false}));
  EXPECT_EQ(parse_accept_encoding("x-gzip"), (ae{.br = false, .gzip = true}));
  EXPECT_EQ(parse_accept_encoding("identity"), (ae{.br = false, .gzip = false}));
  // q=0 (in any spelling) means "not this one"; any other q-value allows it.
  EXPECT_EQ(parse_accept_encoding("br;q=0, gzip"), (ae{.br = false, .gzip = true}));
  EXPECT_EQ(parse_accept_encoding("br ; q=0.000 ,gzip;q=0.001"), (ae{.br = false, .gzip = true}));
  EXPECT_EQ(parse_accept_encoding("br;Q=0.5, gzip;q=1.0"), (ae{.br = true, .gzip = true}));
  EXPECT_EQ(parse_accept_encoding("gzip;q=1.000;foo=bar"), (ae{.br = false, .gzip = true}));
  // `*` covers the codings not named; a named one wins over it either way.
  EXPECT_EQ(parse_accept_encoding("*"), (ae{.br = true, .gzip = true}));
  EXPECT_EQ(parse_accept_encoding("*;q=0.1, br;q=0"), (ae{.br = false, .gzip = true}));
  EXPECT_EQ(parse_accept_encoding("gzip, *;q=0"), (ae{.br = false, .gzip = true}));
  // A malformed q-value is not consent.
  EXPECT_EQ(parse_accept_encoding("br;q=2, gzip;q=0.5x"), (ae{.br = false, .gzip = false}));
  EXPECT_EQ(parse_accept_encoding("br;q=1.5, gzip;q=.5"), (ae{.br = false, .gzip = false}));
  EXPECT_EQ(parse_accept_encoding("br;q=0.0001"), (ae{.br = false, .gzip = false}));
  EXPECT_EQ(parse_accept_encoding(" , ,br,"), (ae{.br = true, .gzip = false}));
}

TEST_F(net_static_files, picks_the_precompressed_variant_the_client_accepts) {
  write(root_ / "app.js.gz", "gz");
  write(root_ / "app.js.br", "br");
  write(root_ / "only-gz.css", "body{}");
  write(root_ / "only-gz.css.gz", "gz");
  const auto app = fs::canonical(root_ / "app.js");
  const auto css = fs::canonical(root_ / "only-gz.css");
  const auto both = accepted_encodings{.br = true, .gzip = true};
  const auto gzip_only = accepted_encodings{.br = false, .gzip = true};
  const auto none = accepted_encodings{};

  auto v = select_static_variant(root_, app, both);
  EXPECT_EQ(v.file.filename(), "app.js.br");
  EXPECT_EQ(v.content_encoding, "br");
  EXPECT_TRUE(v.varies);
  v = select_static_variant(root_, app, gzip_only);
  EXPECT_EQ(v.file.filename(), "app.js.gz");
  EXPECT_EQ(v.content_encoding, "gzip");
  v = select_static_variant(root_, app, none);
  EXPECT_EQ(v.file, app);
  EXPECT_EQ(v.content_encoding, "");
  EXPECT_TRUE(v.varies);
  v = select_static_variant(root_, css, both);
  EXPECT_EQ(v.file.filename(), "only-gz.css.gz");
  EXPECT_EQ(v.content_encoding, "gzip");
  v = select_static_variant(root_, css, accepted_encodings{.br = true, .gzip = false});
  EXPECT_EQ(v.file, css);
  EXPECT_EQ(v.content_encoding, "");
  // No sibling: the plain file, and the answer does not vary.
  const auto index = fs::canonical(root_ / "index.html");
  v = select_static_variant(root_, index, both);
  EXPECT_EQ(v.file, index);
  EXPECT_FALSE(v.varies);
  // A directory named like a variant is no variant.
  fs::create_directories(root_ / "index.html.br");
  v = select_static_variant(root_, index, both);
  EXPECT_EQ(v.file, index);
  EXPECT_FALSE(v.varies);
}

TEST_F(net_static_files, a_variant_symlinked_out_of_the_root_is_not_served) {
  std::error_code ec;
  fs::create_symlink(base_ / "secret.txt", root_ / "app.js.br", ec);
  ASSERT_FALSE(ec) << ec.message();
  const auto v = select_static_variant(root_, fs::canonical(root_ / "app.js"),
                                       accepted_encodings{.br = true, .gzip = true});
  EXPECT_EQ(v.file.filename(), "app.js");
  EXPECT_EQ(v.content_encoding, "");
}

TEST_F(net_static_files, fingerprinted_assets_are_immutable_and_the_rest_revalidated) {
  fs::create_directories(root_ / "assets" / "deep");
  write(root_ / "assets" / "ui-B6eWvdeR.js", "x");
  write(root_ / "assets" / "deep" / "font-1234.woff2", "x");
  write(root_ / "assets" / "page.html", "x");
  const auto immutable = "public, max-age=31536000, immutable";
  EXPECT_EQ(cache_control_for(root_, fs::canonical(root_ / "assets" / "ui-B6eWvdeR.js")), immutable);
  EXPECT_EQ(cache_control_for(root_, fs::canonical(root_ / "assets" / "deep" / "font-1234.woff2")),
            immutable);
  EXPECT_EQ(cache_control_for(root_, fs::canonical(root_ / "assets" / "page.html")), "no-cache");
  EXPECT_EQ(cache_control_for(root_, fs::canonical(root_ / "index.html")), "no-cache");
  EXPECT_EQ(cache_control_for(root_, fs::canonical(root_ / "app.js")), "no-cache");
  EXPECT_EQ(cache_control_for(root_, fs::canonical(root_ / "chair" / "index.html")), "no-cache");
}

TEST(net_static_etag, strong_per_representation_and_if_none_match) {
  const auto when = fs::file_time_type(fs::file_time_type::duration(0x1234));
  const auto plain = static_etag(42, when, "");
  const auto br = static_etag(42, when, "br");
  EXPECT_EQ(plain, "\"2a-1234\"");
  EXPECT_EQ(br, "\"2a-1234-br\"");
  EXPECT_NE(static_etag(42, when, "gzip"), br);
  EXPECT_NE(static_etag(43, when, ""), plain);

  EXPECT_TRUE(if_none_match_matches(plain, plain));
  EXPECT_TRUE(if_none_match_matches("\"x\", " + br + " , \"y\"", br));
  EXPECT_TRUE(if_none_match_matches("W/" + br, br));  // If-None-Match compares weakly
  EXPECT_TRUE(if_none_match_matches("*", br));
  EXPECT_FALSE(if_none_match_matches(plain, br));
  EXPECT_FALSE(if_none_match_matches("", br));
  EXPECT_FALSE(if_none_match_matches("\"2a-1234\"x", plain));
}

}  // namespace
}  // namespace majlis::net

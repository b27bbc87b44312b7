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

}  // namespace
}  // namespace majlis::net

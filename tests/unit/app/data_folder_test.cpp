// The data folder: created when it may be, refused when it must not be used, locked for one
// process, secrets written once (mode 0600) and read back.
#include "app/data_folder.hpp"
#include "app/join_token.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sys/stat.h>

namespace majlis::app {
namespace {

namespace fs = std::filesystem;

struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "majlis-folder-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

std::string message_of(const fs::path& path, bool create) {
  try {
    data_folder folder(path, create);
  } catch (const data_folder_error& e) {
    return e.what();
  }
  return {};
}

TEST(data_folder, the_default_folder_is_created_an_explicit_one_must_exist) {
  temp_dir root;
  const auto created = root.path / "data";
  { data_folder folder(created, /*create_if_missing=*/true); }
  EXPECT_TRUE(fs::is_directory(created));
  const auto missing = root.path / "typo";
  const auto message = message_of(missing, /*create=*/false);
  EXPECT_NE(message.find(missing.string()), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(missing));
}

TEST(data_folder, a_file_is_not_a_folder) {
  temp_dir root;
  const auto file = root.path / "notes.txt";
  std::ofstream(file) << "x";
  const auto message = message_of(file, true);
  EXPECT_NE(message.find("is not a folder"), std::string::npos) << message;
}

TEST(data_folder, one_process_at_a_time) {
  temp_dir root;
  data_folder first(root.path, false);
  // flock() locks belong to an open file description, so a second open in this process
  // conflicts exactly like another process would.
  const auto message = message_of(root.path, false);
  EXPECT_NE(message.find("in use by another majlisd"), std::string::npos) << message;
  EXPECT_NE(message.find("pid " + std::to_string(::getpid())), std::string::npos) << message;
}

TEST(data_folder, the_lock_ends_with_the_folder_object) {
  temp_dir root;
  { data_folder first(root.path, false); }
  EXPECT_NO_THROW(data_folder second(root.path, false));
}

TEST(data_folder, a_secret_is_generated_once_private_and_read_back) {
  temp_dir root;
  int generated = 0;
  const auto generate = [&] {
    ++generated;
    return std::string("secret-") + std::to_string(generated);
  };
  std::string first;
  {
    data_folder folder(root.path, false);
    first = folder.secret("signing-secret", generate);
  }
  data_folder folder(root.path, false);
  EXPECT_EQ(folder.secret("signing-secret", generate), first);
  EXPECT_EQ(generated, 1);
  struct stat info {};
  ASSERT_EQ(::stat((root.path / "signing-secret").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(data_folder, an_empty_secret_file_is_an_error_not_a_new_secret) {
  temp_dir root;
  std::ofstream(root.path / "admin-key") << "\n";
  data_folder folder(root.path, false);
  EXPECT_THROW(folder.secret("admin-key", [] { return std::string("new"); }), data_folder_error);
}

TEST(data_folder, files_are_replaced_whole) {
  temp_dir root;
  data_folder folder(root.path, false);
  EXPECT_FALSE(folder.read_file("demo-meeting.json"));
  folder.write_file("demo-meeting.json", "{\"a\":1}");
  folder.write_file("demo-meeting.json", "{\"b\":2}");
  EXPECT_EQ(folder.read_file("demo-meeting.json").value_or(""), "{\"b\":2}");
  EXPECT_FALSE(fs::exists(root.path / "demo-meeting.json.tmp"));
}

TEST(secret_rules, short_and_published_secrets_are_refused) {
  EXPECT_FALSE(secret_problem("the key", std::string(32, 'x')));
  EXPECT_FALSE(secret_problem("the key", random_base64url(32)));  // what majlisd generates
  const auto short_one = secret_problem("the key", std::string(31, 'x'));
  ASSERT_TRUE(short_one);
  EXPECT_NE(short_one->find("the key is 31 bytes long"), std::string::npos) << *short_one;
  EXPECT_TRUE(secret_problem("the key", ""));
  for (const char* published : {"demo-admin-key-change-me", "demo-signing-secret-change-me-0123456789",
                                "s3cret", "integration-admin-key", "integration-signing-secret",
                                "demo-signing-secret-change-me-but-long-enough-now-really"}) {
    const auto problem = secret_problem("the secret", published);
    ASSERT_TRUE(problem) << published;
    EXPECT_NE(problem->find("the secret"), std::string::npos) << *problem;
  }
}

}  // namespace
}  // namespace majlis::app

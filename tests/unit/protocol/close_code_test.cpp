#include "majlis/protocol/close_code.hpp"

#include <gtest/gtest.h>

#include <string>

namespace majlis::protocol {
namespace {

TEST(CloseCode, ValuesAreTheDocumentedOnes) {
  EXPECT_EQ(static_cast<int>(close_code::going_away), 1001);
  EXPECT_EQ(static_cast<int>(close_code::invalid_payload), 1007);
  EXPECT_EQ(static_cast<int>(close_code::slow_consumer), 4008);
  EXPECT_EQ(static_cast<int>(close_code::in_lobby), 4010);
  EXPECT_EQ(static_cast<int>(close_code::too_many_connections), 4029);
}

TEST(CloseCode, NamesAreTheMetricLabels) {
  EXPECT_EQ(std::string(close_code_name(close_code::normal)), "normal");
  EXPECT_EQ(std::string(close_code_name(close_code::protocol_error)), "protocol_error");
  EXPECT_EQ(std::string(close_code_name(close_code::unauthenticated)), "unauthenticated");
  EXPECT_EQ(std::string(close_code_name(close_code::slow_consumer)), "slow_consumer");
  EXPECT_EQ(std::string(close_code_name(close_code::in_lobby)), "in_lobby");
  EXPECT_EQ(std::string(close_code_name(close_code::too_many_connections)), "too_many_connections");
}

TEST(CloseCode, AnUnlistedValueIsUnknown) {
  EXPECT_EQ(std::string(close_code_name(static_cast<close_code>(4999))), "unknown");
}

}  // namespace
}  // namespace majlis::protocol

#include "net/net_metrics.hpp"

#include <gtest/gtest.h>

namespace majlis::net {
namespace {

TEST(net_metrics, renders_prometheus_lines) {
  net_metrics m;
  m.connections_open = 3;
  m.frames_in = 10;
  m.count_close(close_code::slow_consumer);
  m.count_close(close_code::slow_consumer);
  EXPECT_EQ(m.closes(close_code::slow_consumer), 2u);
  const auto text = render_prometheus(m);
  EXPECT_NE(text.find("# TYPE majlis_net_connections_open gauge\nmajlis_net_connections_open 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("majlis_net_frames_in_total 10\n"), std::string::npos);
  EXPECT_NE(text.find("majlis_net_closes_total{code=\"4008\",reason=\"slow_consumer\"} 2\n"),
            std::string::npos);
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace majlis::net

// The one translation unit that compiles Boost.Asio's implementation, its TLS part included.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>

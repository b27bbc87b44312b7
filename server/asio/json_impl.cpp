// The one translation unit that compiles Boost.JSON (used for the HTTP API and join tokens).
#include <boost/json/src.hpp>

// The core's one exception type; the PostgreSQL boundary maps each kind to a SQLSTATE.
#pragma once
#include "no_postgres.hpp"
#include <stdexcept>
#include <string>

namespace vid {

enum class ErrorKind {
    InvalidConfig,   // a rule parameter is out of range
    SpaceExhausted,  // no new valid VID can be found within the bounded effort
    Random,          // the system's CSPRNG failed
};

class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const noexcept { return kind_; }

private:
    ErrorKind kind_;
};

}  // namespace vid

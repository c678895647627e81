// Verhoeff check digit (dihedral group D5), the VID's last digit.
#pragma once
#include "no_postgres.hpp"
#include <string_view>

namespace vid {

// Check digit (0..9) for a string of ASCII digits (the body, without the check digit).
int verhoeff_check_digit(std::string_view body) noexcept;

// True iff the whole string of ASCII digits (check digit last) passes the Verhoeff check.
bool verhoeff_valid(std::string_view digits) noexcept;

}  // namespace vid

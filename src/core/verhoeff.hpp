// Verhoeff check digit (dihedral group D5), the VID's last digit.
#pragma once
#include "no_postgres.hpp"
#include <string_view>

namespace vid {

// Check digit (0..9) for a string of ASCII digits (the body, without the check digit).
int verhoeff_check_digit(std::string_view body) noexcept;

// True iff the whole string of ASCII digits (check digit last) passes the Verhoeff check.
bool verhoeff_valid(std::string_view digits) noexcept;

// One left-to-right step over a whole string, check digit included: the accumulator after the
// digit `digit` that stands `from_right` places from the right end (0 = the check digit), given
// the accumulator `acc` of the digits before it (start: 0). The string passes the check iff the
// accumulator after its last digit is 0 (VerhoeffPrefix below is the same product, for a body).
int verhoeff_step(int from_right, int digit, int acc) noexcept;

// Left-to-right Verhoeff: the checksum is a product in the dihedral group D5 of one factor per
// digit, so it can be accumulated from the left by multiplying each new factor in front.
// VerhoeffPrefix(body_len) gives, for the digit at index j (from the left) of a body of that
// length, the new accumulator; check_digit(acc) finishes it.
class VerhoeffPrefix {
public:
    explicit VerhoeffPrefix(int body_len) noexcept;
    // Accumulator after digit `digit` at index j, from accumulator `acc` (start: 0).
    int step(int j, int digit, int acc) const noexcept { return table_[j][digit][acc]; }
    static int check_digit(int acc) noexcept;

private:
    unsigned char table_[32][10][10];
};

}  // namespace vid

// Verhoeff with the standard d, p and inv tables.
#include "verhoeff.hpp"

namespace vid {
namespace {

constexpr unsigned char kD[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
    {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
    {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
    {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
// Row 4 is the one that reproduces every example of vid-rules.md (8507529170342368,
// 9508992154307342, 7218813661106559, 6846972178647501 and 1507529170342362 all carry the check
// digit it gives). The textbook row, p1 applied four times, is {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}:
// under it those examples have wrong check digits. See README.md, "The rules".
constexpr unsigned char kP[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
    {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
    {9, 4, 5, 3, 1, 2, 8, 7, 6, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
constexpr unsigned char kInv[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};

// Runs the checksum over digits right to left, the rightmost at position `offset`.
int verhoeff_state(std::string_view digits, int offset) noexcept {
    int c = 0;
    const int n = static_cast<int>(digits.size());
    for (int i = 0; i < n; ++i) {
        int digit = digits[n - 1 - i] - '0';
        c = kD[c][kP[(i + offset) % 8][digit]];
    }
    return c;
}

}  // namespace

int verhoeff_check_digit(std::string_view body) noexcept {
    return kInv[verhoeff_state(body, 1)];
}

bool verhoeff_valid(std::string_view digits) noexcept {
    return verhoeff_state(digits, 0) == 0;
}

int verhoeff_step(int from_right, int digit, int acc) noexcept {
    // The check runs c = d(c, p[i % 8][digit i from the right]) from the right, i.e. the product
    // f_0 f_1 ... f_{n-1}: a digit further left multiplies from the left.
    return kD[kP[from_right % 8][digit]][acc];
}

VerhoeffPrefix::VerhoeffPrefix(int body_len) noexcept : table_{} {
    // The digit at index j of the body is number i = body_len - 1 - j from the right, whose
    // factor is p[(i + 1) % 8][digit]; the product runs from the rightmost factor leftwards,
    // so a new (more left) factor multiplies the accumulated product from the left.
    for (int j = 0; j < body_len && j < 32; ++j) {
        const int i = body_len - 1 - j;
        for (int digit = 0; digit < 10; ++digit)
            for (int acc = 0; acc < 10; ++acc) table_[j][digit][acc] = kD[kP[(i + 1) % 8][digit]][acc];
    }
}

int VerhoeffPrefix::check_digit(int acc) noexcept { return kInv[acc]; }

}  // namespace vid

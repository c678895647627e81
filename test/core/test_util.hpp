// Small helpers shared by the core tests (header only).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "rules.hpp"
#include "verhoeff.hpp"

namespace vidtest {

// True in the ASan/UBSan build (-DVID_SANITIZE=ON): the slowest loops run fewer iterations there
// (that build hunts memory errors; the statistics are exercised at full size in the normal build).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// `n`, or a quarter of it under the sanitizers.
inline size_t scaled(size_t n) { return kSanitized ? n / 4 : n; }

// body followed by its Verhoeff check digit.
inline std::string with_check(std::string body) {
    body.push_back(static_cast<char>('0' + vid::verhoeff_check_digit(body)));
    return body;
}

// A configuration of the given length with every rule switched off (only the checksum remains).
inline vid::RuleConfig all_off(int length) {
    vid::RuleConfig c;
    c.length = length;
    c.sequence_limit = 0;
    c.repeating_limit = 0;
    c.repeated_block_limit = 0;
    c.not_start_with.clear();
    c.restricted.clear();
    return c;
}

// Pearson's chi-square statistic of `observed` against equal expected counts.
inline double chi_square_uniform(const std::vector<uint64_t>& observed) {
    double total = 0;
    for (uint64_t o : observed) total += static_cast<double>(o);
    const double expected = total / static_cast<double>(observed.size());
    double stat = 0;
    for (uint64_t o : observed) {
        const double d = static_cast<double>(o) - expected;
        stat += d * d / expected;
    }
    return stat;
}

// Wilson–Hilferty: a chi-square(df) statistic mapped to an approximately standard normal z.
inline double chi_square_z(double stat, double df) {
    const double t = 2.0 / (9.0 * df);
    return (std::cbrt(stat / df) - (1.0 - t)) / std::sqrt(t);
}

// |z| beyond this fails a statistical test: a one-sided tail of about 1e-6 on each side (a too
// good fit is as suspicious as a bad one: it would betray a generator that is not random).
constexpr double kZLimit = 4.753;

}  // namespace vidtest

namespace vid {
// gtest prints a Rule by its name.
inline void PrintTo(Rule rule, std::ostream* os) {
    const char* name = rule_name(rule);
    *os << (name ? name : "ok");
}
}  // namespace vid

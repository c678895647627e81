// PatternScan::all_pass_lanes: the pattern rules on all sixteen digits at once, one byte lane per
// digit (GCC/Clang vector extensions: SSE2 on x86-64, NEON on ARM, no intrinsics). A rule that
// compares digit i with digit i + k compares the vector with itself shifted down k lanes; lanes
// whose partner lies past the end are masked off.
#include <cstring>

#include "pattern_scan.hpp"
#include "rules.hpp"

namespace vid {

namespace {

typedef uint8_t Lanes __attribute__((vector_size(16)));

// Lane i takes lane i + 1; the top lane becomes 0.
inline Lanes down1(Lanes v) {
#if defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 12)
    return __builtin_shufflevector(v, Lanes{}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
#else
    const Lanes index = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    return __builtin_shuffle(v, Lanes{}, index);
#endif
}

inline Lanes eq(Lanes a, Lanes b) { return reinterpret_cast<Lanes>(a == b); }

inline bool any(Lanes v) {
    uint64_t half[2];
    std::memcpy(half, &v, sizeof half);
    return (half[0] | half[1]) != 0;
}

}  // namespace

bool PatternScan::all_pass_lanes(const char* s) const noexcept {
    const int n = length_;
    auto lane_mask = [this](int k) {
        Lanes m;
        std::memcpy(&m, lane_mask_[k], sizeof m);
        return m;
    };
    Lanes raw = {};
    std::memcpy(&raw, s, static_cast<size_t>(n));  // n <= 16: never reads past the string
    const Lanes v = raw - static_cast<uint8_t>('0');
    if (any(reinterpret_cast<Lanes>(v > static_cast<uint8_t>(9)) & lane_mask(0))) return false;

    unsigned bad = (first_digit_forbidden_ >> static_cast<uint8_t>(s[0] - '0')) & 1u;
    for (const auto& p : long_prefixes_)
        bad |= p.size() <= static_cast<size_t>(n) && std::memcmp(s, p.data(), p.size()) == 0;

    // shifted[k][i] = digit i + k (k < n).
    Lanes shifted[kLanes];
    shifted[0] = v;
    for (int k = 1; k < n; ++k) shifted[k] = down1(shifted[k - 1]);

    Lanes fail = {};
    const int L = sequence_limit_;
    if (L == 1) bad = 1;
    if (L >= 2 && L <= n) {
        // up[i]: the L - 1 steps from digit i are all +1 (down: all -1).
        const Lanes step = shifted[1] - v;
        const Lanes one_up = eq(step, Lanes{} + 1), one_down = eq(step, Lanes{} + 255);
        Lanes up = one_up, down = one_down, u = one_up, d = one_down;
        for (int k = 1; k < L - 1; ++k) {
            u = down1(u);
            d = down1(d);
            up &= u;
            down &= d;
        }
        fail |= (up | down) & lane_mask(L - 1);
    }
    const int N = repeating_limit_ < n ? repeating_limit_ : n - 1;
    for (int k = 1; k <= N; ++k) fail |= eq(v, shifted[k]) & lane_mask(k);
    if (block_limit_ == 1) {
        for (int k = 1; k < n; ++k) fail |= eq(v, shifted[k]) & lane_mask(k);
    } else if (block_limit_ == 2) {
        // Two-digit blocks as numbers 0..99; a repeat is an equal block k >= 2 digits later
        // (k = 1 would overlap).
        const Lanes block = v * static_cast<uint8_t>(10) + shifted[1];
        Lanes other = down1(block);
        for (int k = 2; k + 1 < n; ++k) {
            other = down1(other);
            fail |= eq(block, other) & lane_mask(k + 1);
        }
    }
    for (const auto& r : restricted_) {
        const int m = static_cast<int>(r.size());
        Lanes match = eq(v, Lanes{} + static_cast<uint8_t>(r[0] - '0'));
        for (int t = 1; t < m; ++t) match &= eq(shifted[t], Lanes{} + static_cast<uint8_t>(r[static_cast<size_t>(t)] - '0'));
        fail |= match & lane_mask(m - 1);
    }
    bad |= any(fail);

    bad |= checksum_of_body(s) != static_cast<uint8_t>(s[n - 1] - '0');
    return bad == 0;
}

}  // namespace vid

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

// Lane i is set when i + k < n: the lanes whose partner k digits later exists.
template <int n>
inline Lanes lanes_with_partner(int k) {
    const Lanes index = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    return reinterpret_cast<Lanes>(index + static_cast<uint8_t>(k) < Lanes{} + static_cast<uint8_t>(n));
}

// Instantiated per length, so that the loops over lanes unroll and the masks are constants.
template <int n>
bool PatternScan::all_pass_lanes(const char* s) const noexcept {
    static_assert(n >= 2 && n <= kLanes, "one lane per digit");
    Lanes raw = {};
    std::memcpy(&raw, s, static_cast<size_t>(n));  // never reads past the string
    const Lanes v = raw - static_cast<uint8_t>('0');
    if (any(reinterpret_cast<Lanes>(v > static_cast<uint8_t>(9)) & lanes_with_partner<n>(0))) return false;

    unsigned bad = (first_digit_forbidden_ >> static_cast<uint8_t>(s[0] - '0')) & 1u;
    for (const auto& p : long_prefixes_)
        bad |= p.size() <= static_cast<size_t>(n) && std::memcmp(s, p.data(), p.size()) == 0;

    const Lanes next = down1(v);  // digit i + 1
    Lanes fail = {};
    const int L = sequence_limit_;
    if (L == 1) bad = 1;
    if (L >= 2 && L <= n) {
        // up[i]: the L - 1 steps from digit i are all +1 (down: all -1).
        const Lanes step = next - v;
        const Lanes one_up = eq(step, Lanes{} + 1), one_down = eq(step, Lanes{} + 255);
        Lanes up = one_up, down = one_down, u = one_up, d = one_down;
        for (int k = 1; k < L - 1; ++k) {
            u = down1(u);
            d = down1(d);
            up &= u;
            down &= d;
        }
        fail |= (up | down) & lanes_with_partner<n>(L - 1);
    }
    // Repeating (and a repeated-block limit of 1: all digits distinct).
    const int N = block_limit_ == 1 ? n - 1 : (repeating_limit_ < n ? repeating_limit_ : n - 1);
    Lanes later = v;
    for (int k = 1; k <= N; ++k) {
        later = down1(later);
        fail |= eq(v, later) & lanes_with_partner<n>(k);
    }
    const Lanes block = v * static_cast<uint8_t>(10) + next;  // digits i, i + 1 as 0..99
    if (block_limit_ == 2) {
        // A repeat is an equal block k >= 2 digits later (k = 1 would overlap).
        Lanes other = down1(block);
#pragma GCC unroll 16
        for (int k = 2; k + 1 < n; ++k) {
            other = down1(other);
            fail |= eq(block, other) & lanes_with_partner<n>(k + 1);
        }
    }
    for (const auto& r : restricted_) {
        const int m = static_cast<int>(r.size());
        Lanes match = eq(v, Lanes{} + static_cast<uint8_t>(r[0] - '0'));
        Lanes at = v;
        for (int t = 1; t < m; ++t) {
            at = down1(at);
            match &= eq(at, Lanes{} + static_cast<uint8_t>(r[static_cast<size_t>(t)] - '0'));
        }
        fail |= match & lanes_with_partner<n>(m - 1);
    }
    bad |= any(fail);

    // The checksum: lanes 0, 2, 4, ... of `block` are the body's digit pairs.
    uint8_t pairs[kLanes];
    std::memcpy(pairs, &block, sizeof pairs);
    constexpr int body = n - 1;
    uint8_t e[kPairs] = {};
#pragma GCC unroll 16
    for (int k = 0; 2 * k < body; ++k) {
        const unsigned pair = 2 * k + 1 < body ? pairs[2 * k] : 10u * static_cast<uint8_t>(s[2 * k] - '0');
        e[k] = pair_[k][pair];
    }
    bad |= inverse_of_product(e) != static_cast<uint8_t>(s[n - 1] - '0');
    return bad == 0;
}

bool PatternScan::all_pass_lanes(const char* s) const noexcept {
    switch (length_) {
#define VID_LANES_CASE(N) \
    case N: return all_pass_lanes<N>(s);
        VID_LANES_CASE(4) VID_LANES_CASE(5) VID_LANES_CASE(6) VID_LANES_CASE(7) VID_LANES_CASE(8)
        VID_LANES_CASE(9) VID_LANES_CASE(10) VID_LANES_CASE(11) VID_LANES_CASE(12) VID_LANES_CASE(13)
        VID_LANES_CASE(14) VID_LANES_CASE(15) VID_LANES_CASE(16)
#undef VID_LANES_CASE
    }
    return false;
}

}  // namespace vid

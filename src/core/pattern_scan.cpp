// PatternScan: every pattern rule and the checksum in one pass over the digits.
#include "pattern_scan.hpp"

#include <algorithm>
#include <cstring>
#include <deque>

#include "rules.hpp"

namespace vid {

static_assert(kScanMaxLength == kMaxLength, "pattern_scan.hpp keeps its own copy of kMaxLength");

namespace {

constexpr uint32_t kPow10[] = {1, 10, 100, 1000, 10000};
constexpr size_t kMaxDfaStates = 6000;  // times ten fits uint16_t; beyond it the reference checks decide

}  // namespace

PatternScan::PatternScan(const RuleConfig& c)
    : length_(c.length),
      sequence_limit_(c.sequence_limit),
      repeating_limit_(c.repeating_limit),
      block_limit_(c.repeated_block_limit),
      verhoeff_(std::max(0, c.length - 1)) {
    if (length_ < 1 || length_ > kMaxLength || block_limit_ > 3) covered_ = false;
    for (const auto& p : c.not_start_with) {
        if (p.empty() || p.size() > static_cast<size_t>(kMaxLength) ||
            p.find_first_not_of("0123456789") != std::string::npos) {
            covered_ = false;
        } else if (p.size() == 1) {
            first_digit_forbidden_ |= static_cast<uint16_t>(1u << (p[0] - '0'));
        } else {
            long_prefixes_.push_back(p);
        }
    }
    build_restricted_dfa(c.restricted);
    build_restricted_windows(c.restricted);
    size_t restricted_chars = 0;
    for (const auto& r : c.restricted) restricted_chars += r.size();
    lanes_ = covered_ && length_ <= kLanes && block_limit_ <= 2 && restricted_chars <= 64;
    for (const auto& r : c.restricted) lanes_ = lanes_ && r.size() <= static_cast<size_t>(length_);
    if (lanes_) restricted_ = c.restricted;
    for (int k = 0; k <= kLanes; ++k)
        for (int i = 0; i < kLanes; ++i) lane_mask_[k][i] = i + k < length_ ? 0xFF : 0;
    // D5 from the left-to-right Verhoeff steps: step(j, digit, acc) = factor(j, digit) * acc.
    for (int j = 0; j + 1 < length_ && j < kMaxLength; ++j)
        for (int digit = 0; digit < 10; ++digit)
            factor_[j][digit] = static_cast<uint8_t>(verhoeff_.step(j, digit, 0));
    if (length_ > 1) {
        for (int digit = 0; digit < 10; ++digit)
            for (int acc = 0; acc < 10; ++acc)
                mul_[factor_[0][digit]][acc] = static_cast<uint8_t>(verhoeff_.step(0, digit, acc));
    }
    for (int acc = 0; acc < 10; ++acc) inv_[acc] = static_cast<uint8_t>(VerhoeffPrefix::check_digit(acc));
    const int body = std::min(length_, kMaxLength) - 1;
    for (int k = 0; 2 * k < body; ++k)
        for (int a = 0; a < 10; ++a)
            for (int b = 0; b < 10; ++b)
                pair_[k][a * 10 + b] = 2 * k + 1 < body ? mul_[factor_[2 * k + 1][b]][factor_[2 * k][a]]
                                                         : factor_[2 * k][a];
}

// Restricted numbers of at most kMaxWindow digits: a bitset of the forbidden windows per length.
void PatternScan::build_restricted_windows(const std::vector<std::string>& restricted) {
    if (restricted.empty() || !covered_) return;
    for (const auto& r : restricted)
        if (r.size() > static_cast<size_t>(kMaxWindow)) return;  // the DFA handles them
    window_bits_.assign(kMaxWindow, {});
    for (const auto& r : restricted) {
        auto& bits = window_bits_[r.size() - 1];
        if (bits.empty()) bits.assign((kPow10[r.size()] + 63) / 64, 0);
        const uint32_t w = static_cast<uint32_t>(std::stoul(r));
        bits[w >> 6] |= uint64_t{1} << (w & 63);
    }
}

// Aho-Corasick over the ten digits, as a complete DFA: the state after each digit says whether
// some restricted number ends there.
void PatternScan::build_restricted_dfa(const std::vector<std::string>& restricted) {
    if (restricted.empty() || !covered_) return;
    size_t chars = 0;
    for (const auto& r : restricted) {
        if (r.empty() || r.find_first_not_of("0123456789") != std::string::npos) {
            covered_ = false;
            return;
        }
        chars += r.size();
    }
    if (chars + 1 > kMaxDfaStates) {
        covered_ = false;
        return;
    }
    // The trie: goto edges (-1 = none), then failure links breadth first.
    std::vector<int32_t> go(10, -1);
    std::vector<uint8_t> hit(1, 0);
    for (const auto& r : restricted) {
        int32_t s = 0;
        for (char ch : r) {
            const size_t e = static_cast<size_t>(s) * 10 + static_cast<size_t>(ch - '0');
            if (go[e] < 0) {
                go[e] = static_cast<int32_t>(hit.size());
                hit.push_back(0);
                go.resize(go.size() + 10, -1);
            }
            s = go[e];
        }
        hit[static_cast<size_t>(s)] = 1;
    }
    const size_t states = hit.size();
    std::vector<int32_t> fail(states, 0);
    next_.assign(states * 10, 0);
    std::deque<int32_t> queue;
    for (int d = 0; d < 10; ++d) {
        const int32_t t = go[static_cast<size_t>(d)];
        next_[static_cast<size_t>(d)] = static_cast<uint16_t>(t < 0 ? 0 : t);
        if (t > 0) queue.push_back(t);  // fail[t] = 0
    }
    while (!queue.empty()) {
        const int32_t s = queue.front();
        queue.pop_front();
        const size_t f = static_cast<size_t>(fail[static_cast<size_t>(s)]);
        hit[static_cast<size_t>(s)] |= hit[f];
        for (int d = 0; d < 10; ++d) {
            const size_t e = static_cast<size_t>(s) * 10 + static_cast<size_t>(d);
            const int32_t t = go[e];
            if (t < 0) {
                next_[e] = next_[f * 10 + static_cast<size_t>(d)];
            } else {
                fail[static_cast<size_t>(t)] = next_[f * 10 + static_cast<size_t>(d)];
                next_[e] = static_cast<uint16_t>(t);
                queue.push_back(t);
            }
        }
    }
    // Hit states collapse into one absorbing state (state 0 of a renumbering where the root is
    // 1); entries hold the next state times ten.
    std::vector<uint16_t> renum(states);
    uint16_t count = 1;
    for (size_t st = 0; st < states; ++st) renum[st] = hit[st] ? 0 : count++;
    std::vector<uint16_t> table(static_cast<size_t>(count) * 10, 0);  // kHit's row: all kHit
    for (size_t st = 0; st < states; ++st) {
        if (hit[st]) continue;
        for (int d = 0; d < 10; ++d)
            table[renum[st] * 10u + static_cast<unsigned>(d)] =
                static_cast<uint16_t>(renum[next_[st * 10 + static_cast<size_t>(d)]] * 10u);
    }
    start_ = static_cast<uint16_t>(renum[0] * 10u);
    next_ = std::move(table);
}

// A few short branch-free loops over the digits, one per rule. Rejections are collected, not
// branched on: valid strings are the common case and must not pay for mispredicted exits.
bool PatternScan::all_pass(const char* s) const noexcept {
    if (lanes_) return all_pass_lanes(s);
    if (!covered_) return false;
    const int n = length_;
    uint8_t d[kMaxLength];
    unsigned bad = 0;
    for (int i = 0; i < n; ++i) {
        d[i] = static_cast<uint8_t>(s[i] - '0');
        bad |= d[i] > 9;
    }
    if (bad) return false;  // the tables below are indexed by digit
    bad |= (first_digit_forbidden_ >> d[0]) & 1u;
    for (const auto& p : long_prefixes_)
        bad |= p.size() <= static_cast<size_t>(n) && std::memcmp(s, p.data(), p.size()) == 0;

    const int L = sequence_limit_;
    if (L > 0) {
        // L digits in a row that step +1 (or -1) make L - 1 equal steps in a row.
        const unsigned need = static_cast<unsigned>(L - 1);
        unsigned up = 0, down = 0;
        bad |= need == 0;
        for (int i = 1; i < n; ++i) {
            const int diff = d[i] - d[i - 1];
            up = (up + 1) & -static_cast<unsigned>(diff == 1);
            down = (down + 1) & -static_cast<unsigned>(diff == -1);
            bad |= (up >= need) | (down >= need);
        }
    }
    const int N = repeating_limit_;
    if (N == 2) {
        bad |= d[1] == d[0];
        for (int i = 2; i < n; ++i) bad |= (d[i] == d[i - 1]) | (d[i] == d[i - 2]);
    } else if (N > 0) {
        for (int i = 1; i < n; ++i)
            for (int k = 1; k <= N && k <= i; ++k) bad |= d[i] == d[i - k];
    }
    const int B = block_limit_;
    if (B > 0 && 2 * B <= n) bad |= has_block_repeat(d);
    if (!window_bits_.empty()) {
        // Restricted numbers of at most four digits: each window looked up in a bitset, all
        // lookups independent of each other.
        for (int m = 1; m <= kMaxWindow; ++m) {
            const auto& set = window_bits_[static_cast<size_t>(m - 1)];
            if (set.empty()) continue;
            const uint64_t* bits = set.data();
            uint32_t w = 0;
            for (int i = 0; i < m - 1; ++i) w = w * 10 + d[i];
            const uint32_t lead = kPow10[m - 1];
            for (int i = m - 1; i < n; ++i) {
                w = w * 10 + d[i];
                bad |= static_cast<unsigned>(bits[w >> 6] >> (w & 63)) & 1u;
                w -= d[i - m + 1] * lead;  // drop the window's first digit
            }
        }
    } else if (!next_.empty()) {
        // Longer ones: the DFA, one dependent load per digit (states are stored times ten; kHit
        // is absorbing).
        const uint16_t* next = next_.data();
        uint32_t st = start_;
        for (int i = 0; i < n; ++i) st = next[st + d[i]];
        bad |= st == kHit;
    }
    bad |= checksum_of_body(s) != d[n - 1];
    return bad == 0;
}

// The checksum is a product in D5 of one factor per digit, later digits on the left. Two
// digits at a time (a table of pair products), then the pairs multiplied as a tree: a few
// independent lookups instead of a chain of fifteen dependent ones.
int PatternScan::checksum_of_body(const char* s) const noexcept {
    const int body = length_ - 1;
    uint8_t e[kPairs] = {};  // 0 is D5's identity
    for (int k = 0; 2 * k < body; ++k) {
        const unsigned a = static_cast<uint8_t>(s[2 * k] - '0');
        const unsigned b = 2 * k + 1 < body ? static_cast<uint8_t>(s[2 * k + 1] - '0') : 0;
        e[k] = pair_[k][a * 10 + b];
    }
    return inverse_of_product(e);
}

// Blocks of exactly B <= 3 digits (at most 1000 of them, a bitset); the block that starts B back
// joins the seen set before the current one is looked up (non-overlapping), as
// RuleSet::has_repeated_block.
bool PatternScan::has_block_repeat(const uint8_t* d) const noexcept {
    const int n = length_, B = block_limit_;
    uint64_t seen[16] = {};
    auto block = [&](int j) {
        uint32_t v = 0;
        for (int k = 0; k < B; ++k) v = v * 10 + d[j + k];
        return v;
    };
    for (int j = B; j + B <= n; ++j) {
        const uint32_t add = block(j - B), v = block(j);
        seen[add >> 6] |= uint64_t{1} << (add & 63);
        if ((seen[v >> 6] >> (v & 63)) & 1u) return true;
    }
    return false;
}

}  // namespace vid

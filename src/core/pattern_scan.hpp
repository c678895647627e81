// One pass over a candidate of the right length: do all pattern rules and the checksum pass?
// The hot path of vid_is_valid(). RuleSet's rule-by-rule checks stay the reference (and say
// which rule fails first); this scanner only answers "all pass", and is tested against them.
#pragma once
#include "no_postgres.hpp"
#include <cstdint>
#include <string>
#include <vector>

#include "verhoeff.hpp"

namespace vid {

struct RuleConfig;
constexpr int kScanMaxLength = 18;  // = kMaxLength (rules.hpp includes this header)

class PatternScan {
public:
    explicit PatternScan(const RuleConfig& config);

    // s holds exactly config.length ASCII digits. True iff the sequence, repeating, repeated
    // block, not-start-with and restricted rules and the checksum all pass. False may also mean
    // "not decided here" (a configuration this scanner does not cover): the caller then runs the
    // reference checks, so false is always safe.
    bool all_pass(const char* s) const noexcept;

    // False when this configuration is left to the reference checks entirely.
    bool covers() const noexcept { return covered_; }

private:
    int length_;
    int sequence_limit_;
    int repeating_limit_;
    int block_limit_;            // 0 = off; 1..3 handled with a bitset
    bool covered_ = true;        // false: all_pass() always answers false (reference decides)
    uint16_t first_digit_forbidden_ = 0;  // one-digit not-start-with entries, a bit per digit
    std::vector<std::string> long_prefixes_;
    // Restricted numbers as a DFA over digits (Aho-Corasick): next_[state + d] is the next state
    // (states are multiples of ten); kHit, absorbing, means a restricted number occurred.
    static constexpr uint32_t kHit = 0;
    std::vector<uint16_t> next_;
    uint16_t start_ = 0;
    // Or, when every restricted number has at most kMaxWindow digits: window_bits_[m - 1] is a
    // bitset of the forbidden m-digit windows (empty when no number has m digits).
    static constexpr int kMaxWindow = 4;
    std::vector<std::vector<uint64_t>> window_bits_;
    // The checksum as a product in D5: factor_[j][digit] for the digit at index j, mul_[x][y].
    uint8_t factor_[kScanMaxLength][10] = {};
    uint8_t mul_[10][10] = {};
    uint8_t inv_[10] = {};  // the check digit that completes a product
    static constexpr int kPairs = (kScanMaxLength - 1 + 1) / 2 + 1;  // 9 body pairs, one spare
    uint8_t pair_[kPairs][100] = {};  // product of the factors of digits 2k and 2k + 1
    // The lane version (all_pass_lanes) for up to kLanes digits, repeated-block limits up to 2
    // and a short list of restricted numbers: lane_mask_[k] has lane i set when i + k < length.
    static constexpr int kLanes = 16;
    bool lanes_ = false;
    std::vector<std::string> restricted_;
    alignas(16) uint8_t lane_mask_[kLanes + 1][kLanes] = {};
    VerhoeffPrefix verhoeff_;    // the body's checksum from the left

    void build_restricted_dfa(const std::vector<std::string>& restricted);
    bool all_pass_lanes(const char* s) const noexcept;
    template <int n>
    bool all_pass_lanes(const char* s) const noexcept;
    // The check digit for the pair products e[0 .. kPairs) (identity-padded): their product,
    // later pairs on the left, multiplied as a tree, then inverted.
    int inverse_of_product(const uint8_t* e) const noexcept {
        const unsigned m01 = mul_[e[1]][e[0]], m23 = mul_[e[3]][e[2]], m45 = mul_[e[5]][e[4]],
                       m67 = mul_[e[7]][e[6]], m89 = mul_[e[9]][e[8]];
        return inv_[mul_[m89][mul_[mul_[m67][m45]][mul_[m23][m01]]]];
    }
    // The check digit of the body s[0 .. length - 1) (ASCII digits).
    int checksum_of_body(const char* s) const noexcept;
    void build_restricted_windows(const std::vector<std::string>& restricted);
    bool has_block_repeat(const uint8_t* digits) const noexcept;
};

}  // namespace vid

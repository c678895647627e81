// The VID rules (../shared/docs/vid-rules.md): the only place they are implemented.
#pragma once
#include "no_postgres.hpp"
#include <string>
#include <string_view>
#include <vector>

#include "pattern_scan.hpp"

namespace vid {

// Rule parameters; the defaults are MOSIP's shipped defaults.
struct RuleConfig {
    int length = 16;                 // digits, check digit included
    int sequence_limit = 3;          // 0 = off
    int repeating_limit = 2;         // 0 = off
    int repeated_block_limit = 2;    // 0 = off
    std::vector<std::string> not_start_with{"0", "1"};
    std::vector<std::string> restricted{"786", "666"};
};

constexpr int kMinLength = 4;
constexpr int kMaxLength = 18;       // the longest length whose every value fits a bigint
constexpr int kMaxLimit = 100;       // limits above this are refused (they mean nothing at 18 digits)
constexpr int kMaxListEntries = 1000;  // not_start_with prefixes

// The first failing rule, in MOSIP's order; Ok when the string is a valid VID.
enum class Rule {
    Ok,
    Empty,
    Length,
    NonDigit,
    Sequence,
    Repeating,
    RepeatedBlock,
    NotStartWith,
    Restricted,
    Checksum,
};

// The stable name of a rule as reported by vid_check(): "empty", "length", ...; nullptr for Ok.
const char* rule_name(Rule rule) noexcept;

// Length as MOSIP (Java) counts it: UTF-16 code units of a UTF-8 string.
// Invalid UTF-8 bytes count one each.
size_t java_length(std::string_view utf8) noexcept;

// Why a configuration is refused, or an empty string when it is acceptable.
std::string config_error(const RuleConfig& config);

// Why a restricted number or not-start-with prefix is refused, or empty when acceptable.
std::string pattern_error(std::string_view pattern);

// The rule set, precomputed from a configuration that passed config_error().
class RuleSet {
public:
    explicit RuleSet(RuleConfig config);

    const RuleConfig& config() const noexcept { return config_; }

    // The first failing rule of a UTF-8 candidate, in the order of vid-rules.md. A candidate
    // of the right length passes through PatternScan first (one pass); anything it does not
    // accept goes through the rule-by-rule reference, which names the rule.
    Rule first_failing_rule(std::string_view candidate) const noexcept;

    // The rule-by-rule reference alone (tests compare the fast path against it).
    Rule first_failing_rule_reference(std::string_view candidate) const noexcept;

    // Where PatternScan covers the configuration its answer is exact (tested against the
    // reference exhaustively): an invalid candidate of the right length costs one pass too.
    bool is_valid(std::string_view candidate) const noexcept {
        if (candidate.size() == static_cast<size_t>(config_.length) && scan_.covers())
            return scan_.all_pass(candidate.data());
        return first_failing_rule(candidate) == Rule::Ok;
    }

    // Local rules (sequence, repeating, not-start-with, restricted) on the windows that end at
    // the digit `s[0]`, which stands at index `pos` of the VID. Reads s[-1] .. s[-history()]
    // (as far as pos allows). Digits are ASCII.
    bool local_ok(const char* s, int pos) const noexcept;

    // Repeated-block rule on the blocks that end at buf[pos] (the whole prefix buf[0..pos]).
    bool block_ok(const char* buf, int pos) const noexcept;

    // The repeated-block rule on a whole string of ASCII digits.
    bool has_repeated_block(std::string_view s) const noexcept;

    const PatternScan& scan() const noexcept { return scan_; }

    // How many earlier digits local_ok() may read.
    int history() const noexcept { return history_; }

private:
    bool has_sequence(std::string_view s) const noexcept;
    bool has_repeating(std::string_view s) const noexcept;
    bool starts_with_forbidden(std::string_view s) const noexcept;
    bool has_restricted(std::string_view s) const noexcept;

    RuleConfig config_;
    int history_ = 0;
    PatternScan scan_;
};

}  // namespace vid

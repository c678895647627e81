// The VID rules (/work/shared/docs/vid-rules.md): examples, every rule at its boundaries, the
// order of reporting, lengths, configuration checks, and a comparison with an independent, slow
// reference validator built from MOSIP's own regular expressions.

// GCC 12 with -fsanitize=address reports a false -Wmaybe-uninitialized inside libstdc++'s
// std::regex (std::function in its NFA states); -Werror would turn it into a build failure.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "generator.hpp"
#include "random.hpp"
#include "rules.hpp"
#include "test_util.hpp"
#include "verhoeff.hpp"

namespace {

using vid::Rule;
using vid::RuleConfig;
using vid::RuleSet;
using vidtest::all_off;
using vidtest::with_check;

std::string name_of(Rule r) {
    const char* n = vid::rule_name(r);
    return n ? n : "ok";
}

// ---------------------------------------------------------------------------------------------
// The reference: MOSIP's checks written as directly as possible, sharing no code with src/core.
// ---------------------------------------------------------------------------------------------

// Verhoeff from its definition: the dihedral group D5 (rotations 0..4, reflections 5..9), the
// permutation p1 = (1 5 8 9 4 2 7 0)(3 6) iterated (p[i] = p1^i), and inverses found by search;
// except row 4, which the project fixes (README.md, "The check digit") as the row under which
// every example of vid-rules.md carries a valid check digit. The textbook row p1^4, which MOSIP's
// published ChecksumUtils uses, is {9,4,5,3,1,2,6,8,7,0}.
constexpr int kProjectRow4[10] = {9, 4, 5, 3, 1, 2, 8, 7, 6, 0};

class RefVerhoeff {
public:
    RefVerhoeff() {
        for (int j = 0; j < 10; ++j)
            for (int k = 0; k < 10; ++k) {
                if (j < 5 && k < 5) d_[j][k] = (j + k) % 5;
                else if (j < 5) d_[j][k] = 5 + (j + k) % 5;
                else if (k < 5) d_[j][k] = 5 + (j - k + 10) % 5;
                else d_[j][k] = (j - k + 10) % 5;
            }
        const int p1[10] = {1, 5, 7, 6, 2, 8, 3, 0, 9, 4};
        for (int j = 0; j < 10; ++j) p_[0][j] = j;
        for (int i = 1; i < 8; ++i)
            for (int j = 0; j < 10; ++j) p_[i][j] = p_[i - 1][p1[j]];
        for (int j = 0; j < 10; ++j) p_[4][j] = kProjectRow4[j];
        for (int j = 0; j < 10; ++j)
            for (int k = 0; k < 10; ++k)
                if (d_[j][k] == 0) inv_[j] = k;
    }
    bool valid(const std::string& s) const { return state(s, 0) == 0; }
    int check_digit(const std::string& body) const { return inv_[state(body, 1)]; }

private:
    int state(const std::string& s, size_t offset) const {
        int c = 0;
        for (size_t i = 0; i < s.size(); ++i) c = d_[c][p_[(i + offset) % 8][s[s.size() - 1 - i] - '0']];
        return c;
    }
    int d_[10][10];
    int p_[8][10];
    int inv_[10] = {};
};

class Reference {
public:
    struct Flags {
        bool sequence = false, repeating = false, block = false, not_start_with = false,
             restricted = false, checksum = false;  // true = this rule fails
        unsigned mask() const {
            return (sequence ? 1u : 0u) | (repeating ? 2u : 0u) | (block ? 4u : 0u) |
                   (not_start_with ? 8u : 0u) | (restricted ? 16u : 0u) | (checksum ? 32u : 0u);
        }
    };

    explicit Reference(const RuleConfig& c) : c_(c), digits_("^[0-9]+$") {
        if (c.repeating_limit > 0)
            repeating_ = std::regex("(\\d)\\d{0," + std::to_string(c.repeating_limit - 1) + "}\\1");
        if (c.repeated_block_limit > 0)
            block_ = std::regex("(\\d{" + std::to_string(c.repeated_block_limit) + ",}).*?\\1");
    }

    // Every pattern rule and the checksum on a string of ASCII digits.
    Flags flags(const std::string& s) const {
        Flags f;
        f.sequence = sequence(s);
        f.repeating = repeating_ && std::regex_search(s, *repeating_);
        f.block = block_ && std::regex_search(s, *block_);
        for (const auto& p : c_.not_start_with) f.not_start_with |= s.rfind(p, 0) == 0;
        for (const auto& r : c_.restricted) f.restricted |= s.find(r) != std::string::npos;
        f.checksum = !verhoeff_.valid(s);
        return f;
    }

    // The first failing rule of an ASCII string, in MOSIP's order.
    Rule first_failing(const std::string& s) const {
        if (s.empty()) return Rule::Empty;
        if (s.size() != static_cast<size_t>(c_.length)) return Rule::Length;
        if (!std::regex_search(s, digits_)) return Rule::NonDigit;
        return first_of(flags(s));
    }

    static Rule first_of(const Flags& f) {
        if (f.sequence) return Rule::Sequence;
        if (f.repeating) return Rule::Repeating;
        if (f.block) return Rule::RepeatedBlock;
        if (f.not_start_with) return Rule::NotStartWith;
        if (f.restricted) return Rule::Restricted;
        if (f.checksum) return Rule::Checksum;
        return Rule::Ok;
    }

private:
    bool sequence(const std::string& s) const {
        const int L = c_.sequence_limit;
        if (L <= 0) return false;
        static const std::string up = "0123456789", down = "9876543210";
        for (size_t i = 0; i + static_cast<size_t>(L) <= s.size(); ++i) {
            const std::string w = s.substr(i, static_cast<size_t>(L));
            if (up.find(w) != std::string::npos || down.find(w) != std::string::npos) return true;
        }
        return false;
    }

    RuleConfig c_;
    std::regex digits_;
    std::optional<std::regex> repeating_, block_;
    RefVerhoeff verhoeff_;
};

RuleConfig defaults_of_length(int length) {
    RuleConfig c;
    c.length = length;
    return c;
}

// ---------------------------------------------------------------------------------------------
// Names and the examples of vid-rules.md
// ---------------------------------------------------------------------------------------------

TEST(RuleName, StableNames) {
    EXPECT_EQ(vid::rule_name(Rule::Ok), nullptr);
    const std::pair<Rule, const char*> names[] = {
        {Rule::Empty, "empty"},           {Rule::Length, "length"},
        {Rule::NonDigit, "non-digit"},    {Rule::Sequence, "sequence"},
        {Rule::Repeating, "repeating"},   {Rule::RepeatedBlock, "repeated-block"},
        {Rule::NotStartWith, "not-start-with"}, {Rule::Restricted, "restricted"},
        {Rule::Checksum, "checksum"},
    };
    for (const auto& [rule, name] : names) {
        ASSERT_NE(vid::rule_name(rule), nullptr);
        EXPECT_STREQ(vid::rule_name(rule), name);
    }
}

struct Example {
    const char* value;
    const char* first_failing;  // nullptr: valid
};

const Example kDocExamples[] = {
    {"5371843613598206", nullptr},
    {"5371843613598205", "checksum"},
    {"8507529170342368", nullptr},
    {"9508992154307342", "sequence"},
    {"7218813661106559", "repeating"},
    {"4614301301342360", "repeated-block"},
    {"6846972178647501", "restricted"},
    {"1507529170342362", "not-start-with"},
    {"850752917034236X", "non-digit"},
};

void check_examples(const Example* begin, const Example* end) {
    const RuleSet rules{RuleConfig{}};
    const Reference ref{RuleConfig{}};
    for (const Example* ex = begin; ex != end; ++ex) {
        const Rule r = rules.first_failing_rule(ex->value);
        if (ex->first_failing == nullptr) {
            EXPECT_EQ(r, Rule::Ok) << ex->value;
            EXPECT_TRUE(rules.is_valid(ex->value)) << ex->value;
        } else {
            ASSERT_NE(vid::rule_name(r), nullptr) << ex->value << " reported valid";
            EXPECT_STREQ(vid::rule_name(r), ex->first_failing) << ex->value;
            EXPECT_FALSE(rules.is_valid(ex->value)) << ex->value;
        }
        EXPECT_EQ(ref.first_failing(ex->value), r) << ex->value << " (the reference disagrees)";
    }
}

TEST(Rules, DocumentExamples) { check_examples(std::begin(kDocExamples), std::end(kDocExamples)); }

// Under the project's row 4 the check digit of 850752917034236 is 8 (the textbook row gives 7).
TEST(Rules, DocumentExampleCheckDigit) {
    const Example examples[] = {
        {"8507529170342368", nullptr},
        {"8507529170342367", "checksum"},
        {"8507529170342369", "checksum"},
    };
    check_examples(std::begin(examples), std::end(examples));
}

// The checksum the rules use is the reference's: D5, p1 iterated, the project's row 4.
TEST(ReferenceVerhoeff, MatchesCore) {
    const RefVerhoeff ref;
    std::mt19937_64 rng(11);
    int mismatches = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string body(1 + rng() % 18, '0');
        for (char& c : body) c = static_cast<char>('0' + rng() % 10);
        if (vid::verhoeff_check_digit(body) != ref.check_digit(body) && ++mismatches <= 10)
            ADD_FAILURE() << body << ": check digit " << vid::verhoeff_check_digit(body) << ", reference "
                          << ref.check_digit(body);
        const std::string full = body + static_cast<char>('0' + rng() % 10);
        EXPECT_EQ(vid::verhoeff_valid(full), ref.valid(full)) << full;
    }
    EXPECT_EQ(mismatches, 0);
}

TEST(Rules, EmptyLengthNonDigit) {
    const RuleSet rules{RuleConfig{}};
    EXPECT_EQ(rules.first_failing_rule(""), Rule::Empty);
    EXPECT_EQ(rules.first_failing_rule("537184361359820"), Rule::Length);     // 15
    EXPECT_EQ(rules.first_failing_rule("53718436135982061"), Rule::Length);   // 17
    EXPECT_EQ(rules.first_failing_rule("5"), Rule::Length);
    EXPECT_EQ(rules.first_failing_rule(" 5371843613598206"), Rule::Length);
    EXPECT_EQ(rules.first_failing_rule("537184361359820 "), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule(" 537184361359820"), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("+537184361359820"), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("-537184361359820"), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("5371843613.98206"), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("53718436135982/6"), Rule::NonDigit);  // '0' - 1
    EXPECT_EQ(rules.first_failing_rule("53718436135982:6"), Rule::NonDigit);  // '9' + 1
    EXPECT_EQ(rules.first_failing_rule(std::string_view("5371843613598\0006", 15)), Rule::Length);
    EXPECT_EQ(rules.first_failing_rule(std::string_view("53718436135982\0006", 16)), Rule::NonDigit);
    // Length comes before non-digit, non-digit before the pattern rules.
    EXPECT_EQ(rules.first_failing_rule("12X"), Rule::Length);
    EXPECT_EQ(rules.first_failing_rule("123456789012345X"), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("X111111111111111"), Rule::NonDigit);
}

// ---------------------------------------------------------------------------------------------
// Every rule at its boundaries
// ---------------------------------------------------------------------------------------------

// A string of cfg.length ASCII digits holding `pattern` at index `at`; the other digits are random
// and the last is the Verhoeff check digit (when the pattern covers the last digit, only bodies
// whose check digit it is are kept). It is chosen by the reference (not by the code under test) to
// report `expected`, and, when `neutral` is given, to report no pattern rule once the pattern is
// replaced by `neutral` (the check digit left as is): then a failure is the pattern's doing.
std::string craft(const RuleConfig& cfg, const std::string& pattern, size_t at, Rule expected,
                  const std::string& neutral) {
    const Reference ref(cfg);
    const size_t n = static_cast<size_t>(cfg.length);
    if (at + pattern.size() > n) return {};
    std::mt19937_64 rng(std::hash<std::string>{}(pattern) ^ (at * 0x9E3779B97F4A7C15ull));
    for (int attempt = 0; attempt < 200000; ++attempt) {
        std::string s(n, '0');
        for (char& c : s) c = static_cast<char>('0' + rng() % 10);
        s.replace(at, pattern.size(), pattern);
        if (at + pattern.size() < n) {
            s = with_check(s.substr(0, n - 1));
        } else if (!RefVerhoeff().valid(s)) {
            continue;
        }
        if (ref.first_failing(s) != expected) continue;
        if (!neutral.empty()) {
            std::string control = s;
            control.replace(at, neutral.size(), neutral);
            const Rule r = ref.first_failing(control);
            if (r != Rule::Ok && r != Rule::Checksum) continue;
        }
        return s;
    }
    return {};
}

// `pattern` at the start, in the middle and at the end (check digit included) of a string under
// cfg reports `expected` (see craft()).
void check_pattern(const RuleConfig& cfg, const std::string& pattern, Rule expected,
                   const std::string& neutral = {}, std::vector<size_t> positions = {}) {
    const size_t n = static_cast<size_t>(cfg.length);
    if (positions.empty()) positions = {0, (n - pattern.size()) / 2, n - pattern.size()};
    const RuleSet rules(cfg);
    for (size_t at : positions) {
        SCOPED_TRACE("pattern " + pattern + " at " + std::to_string(at) + ", expecting " + name_of(expected));
        const std::string s = craft(cfg, pattern, at, expected, neutral);
        ASSERT_FALSE(s.empty()) << "test setup: no string found";
        EXPECT_EQ(rules.first_failing_rule(s), expected) << s;
        if (!neutral.empty()) {
            std::string control = s;
            control.replace(at, neutral.size(), neutral);
            const Rule r = rules.first_failing_rule(control);
            EXPECT_TRUE(r == Rule::Ok || r == Rule::Checksum) << control << " reports " << name_of(r);
        }
    }
}

RuleConfig sequence_only(int limit, int length = 10) {
    RuleConfig c = all_off(length);
    c.sequence_limit = limit;
    return c;
}
RuleConfig repeating_only(int limit, int length = 10) {
    RuleConfig c = all_off(length);
    c.repeating_limit = limit;
    return c;
}
RuleConfig block_only(int limit, int length = 10) {
    RuleConfig c = all_off(length);
    c.repeated_block_limit = limit;
    return c;
}

TEST(SequenceRule, LimitThree) {
    const RuleConfig c = sequence_only(3);
    for (int a = 0; a + 2 <= 9; ++a) {
        const std::string up = {char('0' + a), char('1' + a), char('2' + a)};
        const std::string down = {char('2' + a), char('1' + a), char('0' + a)};
        check_pattern(c, up, Rule::Sequence, std::string(3, up[0]));
        check_pattern(c, down, Rule::Sequence, std::string(3, down[0]));
    }
    for (const char* fine : {"12", "21", "89", "890", "901", "098", "109", "8901", "1098", "9013", "1089",
                             "1245", "5421", "0909", "1357", "8642"})
        check_pattern(c, fine, Rule::Ok);
}

TEST(SequenceRule, OtherLimits) {
    const RuleConfig two = sequence_only(2);
    for (const char* bad : {"01", "12", "89", "98", "21", "10"}) check_pattern(two, bad, Rule::Sequence, "55");
    for (const char* fine : {"13", "90", "09", "11", "31"}) check_pattern(two, fine, Rule::Ok);

    const RuleConfig four = sequence_only(4);
    for (const char* bad : {"0123", "1234", "6789", "9876", "3210", "6543"})
        check_pattern(four, bad, Rule::Sequence, "5555");
    for (const char* fine : {"123", "321", "1235", "7890", "8901", "2109", "1098", "0987"})
        check_pattern(four, fine, Rule::Ok);

    // A run of 10 is the longest possible: limit 10 rejects it, limit 11 rejects nothing.
    const RuleConfig ten = sequence_only(10, 12);
    check_pattern(ten, "0123456789", Rule::Sequence, "0000000000");
    check_pattern(ten, "9876543210", Rule::Sequence, "0000000000");
    check_pattern(ten, "012345678", Rule::Ok);
    check_pattern(ten, "987654321", Rule::Ok);
    const RuleConfig eleven = sequence_only(11, 12);
    check_pattern(eleven, "0123456789", Rule::Ok);
    check_pattern(eleven, "9876543210", Rule::Ok);
}

TEST(SequenceRule, LimitZeroIsOff) {
    const RuleConfig c = sequence_only(0, 12);
    check_pattern(c, "0123456789", Rule::Ok);
    check_pattern(c, "9876543210", Rule::Ok);
    check_pattern(c, "123", Rule::Ok);
}

// Limit 1: every digit is a run of one, so every string of digits is rejected.
TEST(SequenceRule, LimitOneRejectsEverything) {
    RuleConfig c;  // the other rules at their defaults
    c.sequence_limit = 1;
    const RuleSet rules(c);
    const RuleSet only(sequence_only(1, 16));
    std::mt19937_64 rng(1);
    for (int i = 0; i < 2000; ++i) {
        std::string s(16, '0');
        for (char& ch : s) ch = static_cast<char>('0' + rng() % 10);
        s = with_check(s.substr(0, 15));
        EXPECT_EQ(rules.first_failing_rule(s), Rule::Sequence) << s;
        EXPECT_EQ(only.first_failing_rule(s), Rule::Sequence) << s;
    }
    EXPECT_EQ(rules.first_failing_rule("5371843613598206"), Rule::Sequence);
    EXPECT_EQ(rules.first_failing_rule("850752917034236X"), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("85075291703423"), Rule::Length);
    EXPECT_EQ(rules.first_failing_rule(""), Rule::Empty);
}

TEST(RepeatingRule, LimitTwo) {
    const RuleConfig c = repeating_only(2);
    for (const char* bad : {"11", "00", "99", "121", "505", "909"}) check_pattern(c, bad, Rule::Repeating);
    check_pattern(c, "11", Rule::Repeating, "12");
    check_pattern(c, "151", Rule::Repeating, "152");
    for (const char* fine : {"1231", "1021", "12", "9019", "0120"}) check_pattern(c, fine, Rule::Ok);
}

TEST(RepeatingRule, OtherLimits) {
    const RuleConfig one = repeating_only(1);
    check_pattern(one, "11", Rule::Repeating, "12");
    check_pattern(one, "77", Rule::Repeating, "78");
    for (const char* fine : {"121", "909", "1231"}) check_pattern(one, fine, Rule::Ok);
    const RuleConfig three = repeating_only(3);
    check_pattern(three, "1231", Rule::Repeating, "1234");
    check_pattern(three, "121", Rule::Repeating, "123");
    check_pattern(three, "11", Rule::Repeating, "12");
    check_pattern(three, "12341", Rule::Ok);
    const RuleConfig five = repeating_only(5, 10);
    check_pattern(five, "123451", Rule::Repeating, "123456", {0, 1, 2});  // distance 5
    check_pattern(five, "1234561", Rule::Ok, {}, {0, 1});                 // distance 6
    const RuleConfig nine = repeating_only(9, 12);
    check_pattern(nine, "1023456781", Rule::Repeating, {}, {0, 1, 2});  // distance 9
}

TEST(RepeatingRule, LimitZeroIsOff) {
    const RuleConfig c = repeating_only(0);
    check_pattern(c, "11", Rule::Ok);
    check_pattern(c, "1111", Rule::Ok);
    check_pattern(c, "121", Rule::Ok);
}

// Limit 10 on 11 digits: by pigeonhole some digit repeats within 10 positions.
TEST(RepeatingRule, PigeonholeRejectsAll) {
    const RuleSet rules(repeating_only(10, 11));
    std::mt19937_64 rng(2);
    for (int i = 0; i < 2000; ++i) {
        std::string body(10, '0');
        for (char& ch : body) ch = static_cast<char>('0' + rng() % 10);
        if (i % 2 == 0) {  // ten distinct digits, then the check digit
            for (int k = 0; k < 10; ++k) body[static_cast<size_t>(k)] = static_cast<char>('0' + k);
            std::shuffle(body.begin(), body.end(), rng);
        }
        EXPECT_EQ(rules.first_failing_rule(with_check(body)), Rule::Repeating) << body;
    }
}

TEST(RepeatedBlockRule, LimitTwo) {
    const RuleConfig c = block_only(2);
    check_pattern(c, "1212", Rule::RepeatedBlock, "1213");
    check_pattern(c, "12512", Rule::RepeatedBlock, "12513");
    check_pattern(c, "125612", Rule::RepeatedBlock, "125613");
    check_pattern(c, "1111", Rule::RepeatedBlock, "1112");
    // Overlapping occurrences do not count.
    check_pattern(c, "121", Rule::Ok);
    check_pattern(c, "111", Rule::Ok);
    check_pattern(c, "1221", Rule::Ok);
    check_pattern(c, "12321", Rule::Ok);
    // A longer block repeated contains a repeated block of the limit.
    check_pattern(c, "123123", Rule::RepeatedBlock, "123456");
}

// `121` breaks the repeating rule too: with both on, repeating is reported first.
TEST(RepeatedBlockRule, OverlapAndRepeating) {
    RuleConfig both = block_only(2);
    both.repeating_limit = 2;
    check_pattern(both, "121", Rule::Repeating, "123");
    check_pattern(both, "1212", Rule::Repeating, "1234");
    check_pattern(both, "12312", Rule::RepeatedBlock, "12345");
}

TEST(RepeatedBlockRule, OtherLimits) {
    const RuleConfig three = block_only(3);
    check_pattern(three, "123123", Rule::RepeatedBlock, "123124");
    check_pattern(three, "1234123", Rule::RepeatedBlock, "1234124");
    check_pattern(three, "111111", Rule::RepeatedBlock, "111112");
    check_pattern(three, "12312", Rule::Ok);
    check_pattern(three, "11111", Rule::Ok);
    check_pattern(three, "1212", Rule::Ok);

    const RuleConfig four = block_only(4, 12);  // blocks of 4 or more: no bitset
    check_pattern(four, "12341234", Rule::RepeatedBlock, "12341235");
    check_pattern(four, "123451234", Rule::RepeatedBlock, "123451235");
    check_pattern(four, "1234123", Rule::Ok);
    check_pattern(four, "1111111", Rule::Ok);
    check_pattern(four, "11111111", Rule::RepeatedBlock, "11111112");

    // 2 * limit == length: the two blocks fill the string; one digit more and nothing repeats.
    const RuleConfig five = block_only(5, 11);
    check_pattern(five, "1234512345", Rule::RepeatedBlock, "1234512346", {0, 1});
    // Length 10, blocks of 5: the repeat must fill the whole string, check digit included.
    const RuleSet exact(block_only(5, 10));
    int whole_found = 0;
    for (int x = 10000; x < 100000 && whole_found < 5; ++x) {
        const std::string block = std::to_string(x);
        const std::string s = with_check(block + block.substr(0, 4));
        if (s.back() != block.back()) continue;
        ++whole_found;
        EXPECT_EQ(exact.first_failing_rule(s), Rule::RepeatedBlock) << s;
    }
    EXPECT_EQ(whole_found, 5);
    // Blocks of 6 cannot occur twice in 11 digits: nothing is rejected.
    const RuleSet too_long(block_only(6, 11));
    EXPECT_EQ(too_long.first_failing_rule(with_check("1234512345")), Rule::Ok);
    EXPECT_EQ(too_long.first_failing_rule(with_check("1111111111")), Rule::Ok);
    std::mt19937_64 rng(3);
    for (int i = 0; i < 500; ++i) {
        std::string body(10, '0');
        for (char& ch : body) ch = static_cast<char>('0' + rng() % 3);
        EXPECT_EQ(too_long.first_failing_rule(with_check(body)), Rule::Ok) << body;
    }
}

TEST(RepeatedBlockRule, LimitOneMeansDistinctDigits) {
    const RuleConfig one = block_only(1, 6);
    check_pattern(one, "11", Rule::RepeatedBlock, "12");
    check_pattern(one, "1001", Rule::RepeatedBlock, "1023");
    check_pattern(one, "1", Rule::Ok);
    check_pattern(one, "90", Rule::Ok);
    const RuleSet eleven(block_only(1, 11));
    std::mt19937_64 rng(4);
    for (int i = 0; i < 500; ++i) {
        std::string body(10, '0');
        for (char& ch : body) ch = static_cast<char>('0' + rng() % 10);
        EXPECT_EQ(eleven.first_failing_rule(with_check(body)), Rule::RepeatedBlock) << body;
    }
}

TEST(RepeatedBlockRule, LimitZeroIsOff) {
    const RuleConfig c = block_only(0);
    check_pattern(c, "1212", Rule::Ok);
    check_pattern(c, "123123", Rule::Ok);
    check_pattern(c, "1111111", Rule::Ok);
}

TEST(NotStartWithRule, Entries) {
    RuleConfig c = all_off(10);
    c.not_start_with = {"0", "1"};
    check_pattern(c, "0", Rule::NotStartWith, "2", {0});
    check_pattern(c, "1", Rule::NotStartWith, "9", {0});
    check_pattern(c, "2", Rule::Ok, {}, {0});
    check_pattern(c, "0", Rule::Ok, {}, {1, 5, 9});
    check_pattern(c, "1", Rule::Ok, {}, {1, 5, 9});

    c.not_start_with = {"12", "345"};
    check_pattern(c, "12", Rule::NotStartWith, "13", {0});
    check_pattern(c, "345", Rule::NotStartWith, "346", {0});
    check_pattern(c, "13", Rule::Ok, {}, {0});
    check_pattern(c, "34", Rule::Ok, {}, {0});
    check_pattern(c, "12", Rule::Ok, {}, {1, 4, 8});
}

TEST(NotStartWithRule, EmptyListAndLongEntries) {
    RuleConfig c = all_off(10);
    check_pattern(c, "0", Rule::Ok, {}, {0});
    check_pattern(c, "1", Rule::Ok, {}, {0});

    // An entry as long as the VID covers its check digit; one digit longer can never match.
    const std::string vid10 = with_check("314159265");
    c.not_start_with = {vid10};
    const RuleSet whole(c);
    EXPECT_EQ(whole.first_failing_rule(vid10), Rule::NotStartWith);
    EXPECT_EQ(whole.first_failing_rule(with_check("314159266")), Rule::Ok);
    std::string wrong_check = vid10;
    wrong_check[9] = wrong_check[9] == '0' ? '1' : '0';
    EXPECT_EQ(whole.first_failing_rule(wrong_check), Rule::Checksum);
    c.not_start_with = {vid10 + "0"};
    EXPECT_EQ(RuleSet(c).first_failing_rule(vid10), Rule::Ok);
}

TEST(RestrictedRule, Entries) {
    RuleConfig c = all_off(10);
    c.restricted = {"786", "666"};
    check_pattern(c, "786", Rule::Restricted, "787");
    check_pattern(c, "666", Rule::Restricted, "667");
    check_pattern(c, "78", Rule::Ok);
    check_pattern(c, "7806", Rule::Ok);
    check_pattern(c, "687", Rule::Ok);
    check_pattern(c, "66", Rule::Ok);

    c.restricted = {"00"};
    check_pattern(c, "00", Rule::Restricted, "01");
    check_pattern(c, "000", Rule::Restricted, "010");
    check_pattern(c, "010", Rule::Ok);
}

TEST(RestrictedRule, EmptyListAndLongEntries) {
    RuleConfig c = all_off(10);
    check_pattern(c, "786", Rule::Ok);
    check_pattern(c, "666", Rule::Ok);

    const std::string vid10 = with_check("271828182");
    c.restricted = {vid10};
    EXPECT_EQ(RuleSet(c).first_failing_rule(vid10), Rule::Restricted);
    EXPECT_EQ(RuleSet(c).first_failing_rule(with_check("271828183")), Rule::Ok);
    c.restricted = {"9" + vid10, vid10 + "9"};
    EXPECT_EQ(RuleSet(c).first_failing_rule(vid10), Rule::Ok);
    // A long entry whose end meets the check digit.
    c.restricted = {vid10.substr(3)};
    EXPECT_EQ(RuleSet(c).first_failing_rule(vid10), Rule::Restricted);
}

// Limits below zero (refused by config_error, but a RuleSet built anyway) are off too.
TEST(Rules, NegativeLimitsAreOff) {
    RuleConfig c = all_off(10);
    c.sequence_limit = -1;
    c.repeating_limit = -5;
    c.repeated_block_limit = -100;
    const RuleSet rules(c);
    EXPECT_EQ(rules.first_failing_rule(with_check("012345678")), Rule::Ok);
    EXPECT_EQ(rules.first_failing_rule(with_check("111111111")), Rule::Ok);
    EXPECT_EQ(rules.first_failing_rule(with_check("121212121")), Rule::Ok);
    const std::string s = with_check("111111111");
    for (int pos = 0; pos < 10; ++pos) {
        EXPECT_TRUE(rules.local_ok(s.data() + pos, pos));
        EXPECT_TRUE(rules.block_ok(s.data(), pos));
    }
}

// ---------------------------------------------------------------------------------------------
// Order of reporting
// ---------------------------------------------------------------------------------------------

// For every combination of pattern rules and checksum (63 of them), a 16-digit string failing
// exactly those (per the reference) reports the first of them in MOSIP's order.
TEST(Rules, OrderOfReporting) {
    const RuleConfig cfg;  // defaults
    const RuleSet rules(cfg);
    const Reference ref(cfg);
    std::mt19937_64 rng(5);
    std::map<unsigned, std::string> found;
    const char* ingredients_seq[] = {"123", "987", "456", "210"};
    const char* ingredients_restricted[] = {"786", "666"};
    std::string base = "5371843613598206";
    for (int attempt = 0; attempt < 400000 && found.size() < 63; ++attempt) {
        std::string s = attempt % 2 ? base : "8507529170342368";
        const int steps = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < steps; ++k) {
            const size_t i = rng() % 16;
            switch (rng() % 7) {
                case 0: s.replace(std::min<size_t>(i, 13), 3, ingredients_seq[rng() % 4]); break;
                case 1: if (i + 1 < 16) s[i + 1] = s[i]; break;
                case 2: if (i + 2 < 16) s[i + 2] = s[i]; break;
                case 3: {
                    const size_t a = rng() % 15, b = rng() % 15;
                    if (a + 2 <= b || b + 2 <= a) s.replace(b, 2, s.substr(a, 2));
                    break;
                }
                case 4: s[0] = static_cast<char>('0' + rng() % 2); break;
                case 5: s.replace(std::min<size_t>(i, 13), 3, ingredients_restricted[rng() % 2]); break;
                case 6: s[i] = static_cast<char>('0' + rng() % 10); break;
            }
        }
        if (rng() % 2) s = with_check(s.substr(0, 15));
        const unsigned mask = ref.flags(s).mask();
        if (mask != 0) found.emplace(mask, s);
    }
    EXPECT_EQ(found.size(), 63u) << "test setup: not every combination was found";
    for (const auto& [mask, s] : found) {
        const Rule expected = Reference::first_of(ref.flags(s));
        EXPECT_EQ(rules.first_failing_rule(s), expected) << s << " fails rules mask " << mask;
    }
}

// ---------------------------------------------------------------------------------------------
// Lengths
// ---------------------------------------------------------------------------------------------

// A valid VID of each length 4..18 (from the generator) is valid under that length only.
TEST(Length, EveryLengthFromFourToEighteen) {
    vid::Csprng rng;
    std::vector<RuleSet> sets;
    for (int len = vid::kMinLength; len <= vid::kMaxLength; ++len) sets.emplace_back(defaults_of_length(len));
    for (int len = vid::kMinLength; len <= vid::kMaxLength; ++len) {
        const RuleSet& own = sets[static_cast<size_t>(len - vid::kMinLength)];
        const vid::Generator gen(own);
        const Reference ref(own.config());
        for (int k = 0; k < 20; ++k) {
            char buf[vid::kMaxLength + 1];
            gen.generate_digits(rng, buf);
            const std::string s(buf, static_cast<size_t>(len));
            EXPECT_EQ(own.first_failing_rule(s), Rule::Ok) << s;
            EXPECT_EQ(ref.first_failing(s), Rule::Ok) << s;
            EXPECT_EQ(vid::java_length(s), static_cast<size_t>(len));
            for (const RuleSet& other : sets) {
                if (other.config().length != len) {
                    EXPECT_EQ(other.first_failing_rule(s), Rule::Length) << s;
                }
            }
        }
    }
}

TEST(Length, EighteenDigitsFitABigint) {
    static_assert(vid::kMaxLength == 18);
    constexpr uint64_t kLargest = 999999999999999999ull;
    EXPECT_LT(kLargest, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
    EXPECT_EQ(vid::digits_to_number("999999999999999999", 18), kLargest);
    char buf[19] = {};
    vid::number_to_digits(kLargest, 18, buf);
    EXPECT_EQ(std::string(buf, 18), "999999999999999999");
    EXPECT_EQ(vid::digits_to_number("000000000000000042", 18), 42u);
    vid::number_to_digits(42, 18, buf);
    EXPECT_EQ(std::string(buf, 18), "000000000000000042");
    vid::number_to_digits(0, 18, buf);
    EXPECT_EQ(std::string(buf, 18), "000000000000000000");
    EXPECT_EQ(vid::digits_to_number("000000000000000000", 18), 0u);

    std::mt19937_64 rng(6);
    for (int len = 1; len <= 18; ++len) {
        uint64_t limit = 1;
        for (int i = 0; i < len; ++i) limit *= 10;
        for (int k = 0; k < 2000; ++k) {
            const uint64_t v = (k % 4 == 0) ? rng() % (limit / 10 + 1) : rng() % limit;  // some leading zeros
            vid::number_to_digits(v, len, buf);
            for (int i = 0; i < len; ++i) ASSERT_TRUE(buf[i] >= '0' && buf[i] <= '9');
            ASSERT_EQ(vid::digits_to_number(buf, len), v) << std::string(buf, static_cast<size_t>(len));
        }
    }
}

// Length 18 without a not-start-with list: VIDs starting with 0 survive the trip through a number.
TEST(Length, EighteenDigitsWithLeadingZeros) {
    RuleConfig c = defaults_of_length(18);
    c.not_start_with.clear();
    const RuleSet rules(c);
    const vid::Generator gen(rules);
    vid::Csprng rng;
    std::vector<uint64_t> out(3000);
    gen.generate(rng, out.data(), out.size());
    int leading_zero = 0;
    char buf[18];
    for (uint64_t v : out) {
        ASSERT_LE(v, 999999999999999999ull);
        ASSERT_LE(v, static_cast<uint64_t>(std::numeric_limits<int64_t>::max()));
        vid::number_to_digits(v, 18, buf);
        EXPECT_EQ(rules.first_failing_rule(std::string_view(buf, 18)), Rule::Ok) << std::string(buf, 18);
        EXPECT_EQ(vid::digits_to_number(buf, 18), v);
        if (buf[0] == '0') ++leading_zero;
    }
    // About a tenth of them start with 0; under 1% would mean the 0 is never drawn.
    EXPECT_GT(leading_zero, 30);
}

// ---------------------------------------------------------------------------------------------
// Java's length
// ---------------------------------------------------------------------------------------------

std::string repeat(const std::string& s, int times) {
    std::string out;
    for (int i = 0; i < times; ++i) out += s;
    return out;
}

TEST(JavaLength, CountsUtf16Units) {
    EXPECT_EQ(vid::java_length(""), 0u);
    EXPECT_EQ(vid::java_length("abc"), 3u);
    EXPECT_EQ(vid::java_length("5371843613598206"), 16u);
    EXPECT_EQ(vid::java_length("\xC3\xA9"), 1u);               // é, 2 bytes
    EXPECT_EQ(vid::java_length("\xD9\xA0"), 1u);               // U+0660 ARABIC-INDIC DIGIT ZERO
    EXPECT_EQ(vid::java_length("\xE2\x82\xAC"), 1u);           // €, 3 bytes
    EXPECT_EQ(vid::java_length("\xEF\xBC\x95"), 1u);           // U+FF15 FULLWIDTH DIGIT FIVE
    EXPECT_EQ(vid::java_length("\xF0\x9F\x98\x80"), 2u);       // U+1F600, a surrogate pair
    EXPECT_EQ(vid::java_length("\xF0\x9D\x9F\x8E"), 2u);       // U+1D7CE MATHEMATICAL BOLD DIGIT ZERO
    EXPECT_EQ(vid::java_length("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"), 6u);
    // Invalid bytes count one each.
    EXPECT_EQ(vid::java_length("\xFF"), 1u);
    EXPECT_EQ(vid::java_length("\x80"), 1u);
    EXPECT_EQ(vid::java_length("\xFF\xFE\x80"), 3u);
    EXPECT_EQ(vid::java_length("\xE2\x82"), 2u);               // truncated 3-byte sequence
    EXPECT_EQ(vid::java_length("\xF0\x9F\x98"), 3u);           // truncated 4-byte sequence
    EXPECT_EQ(vid::java_length("\xC3" "A"), 2u);               // lead byte without continuation
    EXPECT_EQ(vid::java_length("\xE2\x82" "A"), 3u);
    EXPECT_EQ(vid::java_length(std::string_view("\0\0", 2)), 2u);
}

TEST(JavaLength, NonAsciiDigitsAreNotDigits) {
    const RuleSet rules{RuleConfig{}};
    std::string arabic;
    for (int i = 0; i < 16; ++i) arabic += std::string("\xD9") + static_cast<char>(0xA0 + i % 10);
    ASSERT_EQ(arabic.size(), 32u);
    EXPECT_EQ(vid::java_length(arabic), 16u);
    EXPECT_EQ(rules.first_failing_rule(arabic), Rule::NonDigit);
    // 8 of them are 16 bytes but 8 units long.
    EXPECT_EQ(rules.first_failing_rule(arabic.substr(0, 16)), Rule::Length);

    const std::string fullwidth = repeat("\xEF\xBC\x95", 16);  // 48 bytes, 16 units
    EXPECT_EQ(rules.first_failing_rule(fullwidth), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule(repeat("\xF0\x9F\x98\x80", 8)), Rule::NonDigit);  // 8 pairs
    EXPECT_EQ(rules.first_failing_rule(repeat("\xF0\x9F\x98\x80", 16)), Rule::Length);
    EXPECT_EQ(rules.first_failing_rule("537184361359820\xD9\xA6"), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("5371843613598206\xD9\xA6"), Rule::Length);
    EXPECT_EQ(rules.first_failing_rule("53718436135982\xF0\x9F\x98\x80"), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("537184361359820\xF0\x9F\x98\x80"), Rule::Length);
    EXPECT_EQ(rules.first_failing_rule(repeat("\xFF", 16)), Rule::NonDigit);
    EXPECT_EQ(rules.first_failing_rule("537184361359820\xFF"), Rule::NonDigit);
}

// ---------------------------------------------------------------------------------------------
// Configuration checks
// ---------------------------------------------------------------------------------------------

bool mentions(const std::string& error, const char* word) { return error.find(word) != std::string::npos; }

TEST(ConfigError, AcceptsDefaultsAndBoundaries) {
    EXPECT_EQ(vid::config_error(RuleConfig{}), "");
    for (int len = 4; len <= 18; ++len) EXPECT_EQ(vid::config_error(defaults_of_length(len)), "") << len;
    RuleConfig c;
    c.sequence_limit = 0;
    c.repeating_limit = 0;
    c.repeated_block_limit = 0;
    c.not_start_with.clear();
    c.restricted.clear();
    EXPECT_EQ(vid::config_error(c), "");
    c.sequence_limit = 100;
    c.repeating_limit = 100;
    c.repeated_block_limit = 100;
    c.not_start_with = {"123456789012345678"};
    c.restricted = {"0", "123456789012345678"};
    EXPECT_EQ(vid::config_error(c), "");
}

TEST(ConfigError, RefusesBadValues) {
    RuleConfig c;
    c.length = 3;
    EXPECT_TRUE(mentions(vid::config_error(c), "length"));
    c.length = 19;
    EXPECT_TRUE(mentions(vid::config_error(c), "length"));
    c.length = 0;
    EXPECT_NE(vid::config_error(c), "");
    c.length = -16;
    EXPECT_NE(vid::config_error(c), "");

    int RuleConfig::*limits[] = {&RuleConfig::sequence_limit, &RuleConfig::repeating_limit,
                                 &RuleConfig::repeated_block_limit};
    const char* names[] = {"sequence_limit", "repeating_limit", "repeated_block_limit"};
    for (int i = 0; i < 3; ++i) {
        for (int bad : {-1, -100, 101, 1000, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()}) {
            RuleConfig l;
            l.*limits[i] = bad;
            const std::string why = vid::config_error(l);
            EXPECT_TRUE(mentions(why, names[i])) << names[i] << " = " << bad << ": \"" << why << "\"";
        }
    }

    std::vector<std::string> RuleConfig::*lists[] = {&RuleConfig::not_start_with, &RuleConfig::restricted};
    for (auto list : lists) {
        for (const std::string bad : {"", "12a", " 1", "1 ", "-1", "+1", "1.0", "1234567890123456789",
                                      "\xD9\xA0", "\xEF\xBC\x95"}) {
            RuleConfig l;
            (l.*list).push_back(bad);
            EXPECT_NE(vid::config_error(l), "") << "entry \"" << bad << "\"";
            (l.*list).insert((l.*list).begin(), 50, "5");  // a bad entry after good ones
            EXPECT_NE(vid::config_error(l), "") << "entry \"" << bad << "\" after others";
        }
    }
}

// At most 1000 not-start-with prefixes; restricted numbers (rows of a table the admin edits) are
// not limited in number.
TEST(ConfigError, ListSizes) {
    RuleConfig c;
    c.not_start_with.assign(1000, "5");
    EXPECT_EQ(vid::config_error(c), "");
    c.not_start_with.push_back("5");
    EXPECT_TRUE(mentions(vid::config_error(c), "not_start_with"));
    c = RuleConfig{};
    c.restricted.assign(5000, "5");
    EXPECT_EQ(vid::config_error(c), "");
}

TEST(PatternError, AcceptsDigitsOnly) {
    EXPECT_EQ(vid::pattern_error("0"), "");
    EXPECT_EQ(vid::pattern_error("786"), "");
    EXPECT_EQ(vid::pattern_error("123456789012345678"), "");  // 18 digits
    EXPECT_EQ(vid::pattern_error("000000000000000000"), "");
    EXPECT_NE(vid::pattern_error(""), "");
    EXPECT_NE(vid::pattern_error("1234567890123456789"), "");  // 19 digits
    for (const char* bad : {"a", "12a", " 1", "1 ", "-1", "+1", "1.0", "\xD9\xA0", "\xEF\xBC\x95", "/", ":"})
        EXPECT_NE(vid::pattern_error(bad), "") << bad;
    EXPECT_NE(vid::pattern_error(std::string_view("1\0" "2", 3)), "");
}

// ---------------------------------------------------------------------------------------------
// Comparison with the reference
// ---------------------------------------------------------------------------------------------

struct RefCase {
    std::string name;
    RuleConfig cfg;
    bool generatable;  // the generator finds VIDs quickly under cfg
    vid::Generator::Method method = vid::Generator::Method::Automaton;
};

std::vector<RefCase> reference_cases() {
    std::vector<RefCase> cases;
    cases.push_back({"defaults", RuleConfig{}, true});
    cases.push_back({"all-off", all_off(16), true});
    RuleConfig c;
    c.sequence_limit = 1;
    cases.push_back({"L=1", c, false});
    c = RuleConfig{};
    c.sequence_limit = 2;
    cases.push_back({"L=2", c, true});
    c = RuleConfig{};
    c.repeating_limit = 1;
    cases.push_back({"N=1", c, true});
    c = RuleConfig{};
    c.repeating_limit = 4;
    cases.push_back({"N=4", c, true});
    c = RuleConfig{};
    c.repeated_block_limit = 1;
    cases.push_back({"B=1", c, false});
    c.repeated_block_limit = 3;
    cases.push_back({"B=3", c, true});
    c.repeated_block_limit = 4;
    cases.push_back({"B=4", c, true});
    c.repeated_block_limit = 8;  // 2B == length
    cases.push_back({"B=8", c, true});
    cases.push_back({"length 6", defaults_of_length(6), true});
    c = RuleConfig{};
    c.restricted = {"786", "666", "31415926"};
    c.not_start_with = {"0", "1", "2718"};
    cases.push_back({"long restricted", c, true, vid::Generator::Method::EarlyAbort});
    c = defaults_of_length(18);
    c.sequence_limit = 4;
    c.repeating_limit = 3;
    c.repeated_block_limit = 3;
    c.not_start_with = {"9", "80"};
    c.restricted = {"13579", "000", "2"};
    cases.push_back({"length 18 mixed", c, true});
    c = all_off(12);
    c.sequence_limit = 10;
    c.repeating_limit = 9;
    c.repeated_block_limit = 5;
    cases.push_back({"length 12 long limits", c, false});
    c = all_off(10);
    c.sequence_limit = -1;
    c.repeating_limit = -2;
    c.repeated_block_limit = -3;
    c.restricted = {"5"};
    cases.push_back({"negative limits", c, true});
    return cases;
}

void PrintTo(const RefCase& c, std::ostream* os) { *os << c.name; }

class ReferenceComparison : public ::testing::TestWithParam<RefCase> {};

// Random digit strings, generator outputs and damaged generator outputs: the first failing rule
// agrees with the reference; local_ok/block_ok at every position agree with the reference's
// individual rules.
TEST_P(ReferenceComparison, AgreesWithMosipRegexes) {
    const RefCase& tc = GetParam();
    const RuleSet rules(tc.cfg);
    const Reference ref(tc.cfg);
    const size_t n = static_cast<size_t>(tc.cfg.length);
    std::mt19937_64 rng(std::hash<std::string>{}(tc.name));
    vid::Csprng csprng;

    std::vector<std::string> samples;
    auto random_digits = [&](size_t len) {
        std::string s(len, '0');
        for (char& ch : s) ch = static_cast<char>('0' + rng() % 10);
        return s;
    };
    const size_t per_kind = vidtest::scaled(1600);
    for (size_t i = 0; i < per_kind * 2; ++i) samples.push_back(random_digits(n));
    for (size_t i = 0; i < per_kind; ++i) {  // over a small alphabet: many repeats, blocks and entries
        const char alphabet[3] = {char('0' + rng() % 10), char('0' + rng() % 10), char('0' + rng() % 10)};
        std::string s(n, '0');
        for (char& ch : s) ch = alphabet[rng() % 3];
        samples.push_back(i % 2 ? with_check(s.substr(0, n - 1)) : s);
    }
    // Valid VIDs: under the case's rules when feasible, else under the defaults of its length.
    const RuleSet gen_rules(tc.generatable ? tc.cfg : defaults_of_length(tc.cfg.length));
    const vid::Generator gen(gen_rules, tc.method);
    std::vector<std::string> generated;
    for (size_t i = 0; i < per_kind; ++i) {
        char buf[vid::kMaxLength];
        gen.generate_digits(csprng, buf);
        generated.emplace_back(buf, n);
    }
    std::vector<std::string> entries = tc.cfg.restricted;
    for (const auto& p : tc.cfg.not_start_with) entries.push_back(p);
    for (const std::string& v : generated) {
        samples.push_back(v);
        std::string one = v;  // one digit changed
        const size_t i = rng() % n;
        one[i] = static_cast<char>('0' + (one[i] - '0' + 1 + rng() % 9) % 10);
        samples.push_back(one);
        std::string body = v;  // one body digit changed, check digit recomputed
        const size_t j = rng() % (n - 1);
        body[j] = static_cast<char>('0' + (body[j] - '0' + 1 + rng() % 9) % 10);
        samples.push_back(with_check(body.substr(0, n - 1)));
        std::string swapped = v;  // an adjacent transposition
        const size_t k = rng() % (n - 1);
        std::swap(swapped[k], swapped[k + 1]);
        samples.push_back(swapped);
        if (!entries.empty()) {  // an entry spliced in, at the start half of the time
            const std::string& e = entries[rng() % entries.size()];
            if (e.size() < n) {
                std::string spliced = v;
                const size_t at = rng() % 2 ? 0 : rng() % (n - e.size());
                spliced.replace(at, e.size(), e);
                samples.push_back(with_check(spliced.substr(0, n - 1)));
            }
        }
    }
    // Wrong lengths and stray characters.
    samples.push_back("");
    for (size_t i = 0; i < per_kind / 8; ++i) {
        samples.push_back(random_digits(n - 1));
        samples.push_back(random_digits(n + 1));
        samples.push_back(random_digits(1 + rng() % 20));
        std::string s = random_digits(n);
        s[rng() % n] = "X /:a-+."[rng() % 8];
        samples.push_back(s);
    }

    std::map<Rule, size_t> histogram;
    size_t mismatches = 0, local_mismatches = 0;
    std::ostringstream report;
    for (const std::string& s : samples) {
        const Rule expected = ref.first_failing(s);
        const Rule got = rules.first_failing_rule(s);
        ++histogram[expected];
        if (got != expected && ++mismatches <= 10)
            report << "  " << s << ": got " << name_of(got) << ", reference " << name_of(expected) << "\n";
        if (s.size() != n || expected == Rule::NonDigit) continue;
        // local_ok / block_ok at every position against the individual rules.
        const Reference::Flags f = ref.flags(s);
        bool all_local = true, all_block = true;
        for (size_t pos = 0; pos < n; ++pos) {
            all_local = all_local && rules.local_ok(s.data() + pos, static_cast<int>(pos));
            all_block = all_block && rules.block_ok(s.data(), static_cast<int>(pos));
        }
        const bool local_fails = f.sequence || f.repeating || f.not_start_with || f.restricted;
        const bool has_block = rules.has_repeated_block(s);
        if ((all_local != !local_fails || all_block != !f.block || has_block != f.block) &&
            ++local_mismatches <= 10)
            report << "  " << s << ": all local_ok " << all_local << " (reference " << !local_fails
                   << "), all block_ok " << all_block << ", has_repeated_block " << has_block
                   << " (reference block " << f.block << ")\n";
        // The brief's form: passes everywhere iff only the checksum may fail.
        EXPECT_EQ(all_local && all_block, got == Rule::Ok || got == Rule::Checksum) << s;
    }
    std::ostringstream hist;
    for (const auto& [rule, count] : histogram) hist << name_of(rule) << "=" << count << " ";
    EXPECT_EQ(mismatches, 0u) << tc.name << ", " << samples.size() << " samples\n" << report.str();
    EXPECT_EQ(local_mismatches, 0u) << tc.name << "\n" << report.str();
    RecordProperty("histogram", hist.str());
    // The samples reach deep into the rules: something valid when VIDs exist, something failing
    // only the checksum when the checksum can be reached at all.
    if (tc.generatable) {
        EXPECT_GT(histogram[Rule::Ok], per_kind / 2) << hist.str();
        EXPECT_GT(histogram[Rule::Checksum], per_kind / 2) << hist.str();
    }
    EXPECT_GT(samples.size(), per_kind * 6);
}

INSTANTIATE_TEST_SUITE_P(Configs, ReferenceComparison, ::testing::ValuesIn(reference_cases()),
                         [](const ::testing::TestParamInfo<RefCase>& info) {
                             std::string n;
                             for (char ch : info.param.name) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                             return n;
                         });

// Every string of 4 and 5 digits under a few configurations.
TEST(ReferenceComparisonExhaustive, ShortLengths) {
    std::vector<RuleConfig> configs;
    configs.push_back(defaults_of_length(5));
    configs.push_back(defaults_of_length(4));
    RuleConfig c = all_off(4);
    c.sequence_limit = 2;
    c.repeating_limit = 1;
    c.repeated_block_limit = 1;
    c.not_start_with = {"9", "87"};
    c.restricted = {"00", "5"};
    configs.push_back(c);
    c = all_off(5);
    c.repeated_block_limit = 2;
    c.restricted = {"12345"};
    configs.push_back(c);
    for (const RuleConfig& cfg : configs) {
        const RuleSet rules(cfg);
        const Reference ref(cfg);
        const int n = cfg.length;
        int total = 1;
        for (int i = 0; i < n; ++i) total *= 10;
        int mismatches = 0, valid = 0;
        char buf[8];
        for (int v = 0; v < total; ++v) {
            vid::number_to_digits(static_cast<uint64_t>(v), n, buf);
            const std::string s(buf, static_cast<size_t>(n));
            const Rule expected = ref.first_failing(s);
            if (expected == Rule::Ok) ++valid;
            if (rules.first_failing_rule(s) != expected && ++mismatches <= 10)
                ADD_FAILURE() << s << ": got " << name_of(rules.first_failing_rule(s)) << ", reference "
                              << name_of(expected);
        }
        EXPECT_EQ(mismatches, 0);
        EXPECT_GT(valid, 0);
    }
}

}  // namespace

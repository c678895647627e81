// PatternScan (the one-pass fast path of the validity check) against the rule-by-rule reference:
// exhaustively on short lengths, and on random and near-valid strings for many configurations.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "error.hpp"
#include "generator.hpp"
#include "random.hpp"
#include "rules.hpp"
#include "test_util.hpp"

namespace {

using vid::Rule;
using vid::RuleConfig;
using vid::RuleSet;

std::string describe(const RuleConfig& c) {
    std::string s = "length " + std::to_string(c.length) + " seq " + std::to_string(c.sequence_limit) +
                    " rep " + std::to_string(c.repeating_limit) + " block " +
                    std::to_string(c.repeated_block_limit) + " prefixes";
    for (const auto& p : c.not_start_with) s += " " + p;
    s += " restricted";
    for (const auto& r : c.restricted) s += " " + r;
    return s;
}

// The fast answer agrees with the reference on `s`, and first_failing_rule() names the same rule.
void expect_agrees(const RuleSet& rules, const std::string& s) {
    const Rule reference = rules.first_failing_rule_reference(s);
    ASSERT_EQ(rules.first_failing_rule(s), reference) << s << " under " << describe(rules.config());
    ASSERT_EQ(rules.is_valid(s), reference == Rule::Ok) << s << " under " << describe(rules.config());
    if (s.size() == static_cast<size_t>(rules.config().length) && rules.scan().covers()) {
        ASSERT_EQ(rules.scan().all_pass(s.data()), reference == Rule::Ok) << s << " under " << describe(rules.config());
    }
}

std::vector<RuleConfig> configs() {
    std::vector<RuleConfig> out;
    out.push_back(RuleConfig{});
    for (int length : {4, 5, 6, 9, 12, 17, 18}) {
        RuleConfig c;
        c.length = length;
        out.push_back(c);
    }
    const std::vector<std::vector<std::string>> prefix_lists = {{}, {"0", "1"}, {"9", "42", "317"}, {"12345"}};
    const std::vector<std::vector<std::string>> restricted_lists = {
        {}, {"786", "666"}, {"12", "121", "2121", "5"}, {"90", "0909", "13579"}, {"31415926"}};
    int k = 0;
    for (int seq : {0, 1, 2, 3, 5})
        for (int rep : {0, 1, 2, 4})
            for (int block : {0, 1, 2, 3, 4}) {
                RuleConfig c;
                c.length = 6 + (k % 13);
                c.sequence_limit = seq;
                c.repeating_limit = rep;
                c.repeated_block_limit = block;
                c.not_start_with = prefix_lists[static_cast<size_t>(k) % prefix_lists.size()];
                c.restricted = restricted_lists[static_cast<size_t>(k / 3) % restricted_lists.size()];
                out.push_back(c);
                ++k;
            }
    return out;
}

TEST(PatternScan, CoversTheDefaultsAndShortBlocks) {
    EXPECT_TRUE(RuleSet(RuleConfig{}).scan().covers());
    RuleConfig c;
    c.repeated_block_limit = 3;
    EXPECT_TRUE(RuleSet(c).scan().covers());
    c.repeated_block_limit = 4;  // left to the reference: answers false, never a wrong true
    const RuleSet four(c);
    EXPECT_FALSE(four.scan().covers());
    EXPECT_FALSE(four.scan().all_pass("5371843613598206"));
    EXPECT_EQ(four.first_failing_rule("5371843613598206"), Rule::Ok);
}

TEST(PatternScan, DocumentExamples) {
    const RuleSet rules{RuleConfig{}};
    EXPECT_TRUE(rules.scan().all_pass("5371843613598206"));
    EXPECT_TRUE(rules.scan().all_pass("8507529170342368"));
    for (const char* bad : {"5371843613598205", "9508992154307342", "7218813661106559", "4614301301342360",
                            "6846972178647501", "1507529170342362", "850752917034236X"})
        EXPECT_FALSE(rules.scan().all_pass(bad)) << bad;
}

// Every string of 5 and 6 digits, under the defaults and a few other configurations.
TEST(PatternScan, ExhaustiveShortLengths) {
    std::vector<RuleConfig> cs;
    for (int length : {5, 6}) {
        RuleConfig c;
        c.length = length;
        cs.push_back(c);
        c.sequence_limit = 2;
        c.repeating_limit = 1;
        c.repeated_block_limit = 1;
        c.not_start_with = {"9", "42"};
        c.restricted = {"12", "121", "5"};
        cs.push_back(c);
        c.sequence_limit = 4;
        c.repeating_limit = 3;
        c.repeated_block_limit = 3;
        c.not_start_with = {};
        c.restricted = {};
        cs.push_back(c);
    }
    for (const auto& c : cs) {
        const RuleSet rules(c);
        uint64_t limit = 1;
        for (int i = 0; i < c.length; ++i) limit *= 10;
        std::string s(static_cast<size_t>(c.length), '0');
        uint64_t ok = 0;
        for (uint64_t v = 0; v < limit; ++v) {
            vid::number_to_digits(v, c.length, s.data());
            expect_agrees(rules, s);
            ok += rules.scan().all_pass(s.data());
            if (HasFatalFailure()) return;
        }
        if (c.sequence_limit == 3) {
            EXPECT_GT(ok, 0u) << describe(c);  // the fast path was exercised
        }
    }
}

// Random strings (mostly invalid) and valid VIDs with one digit changed or two swapped
// (mostly invalid for exactly one rule), for many configurations.
TEST(PatternScan, RandomAndNearValidStrings) {
    std::mt19937_64 prng(20261204);
    vid::Csprng rng;
    for (const auto& c : configs()) {
        const RuleSet rules(c);
        std::string s(static_cast<size_t>(c.length), '0');
        for (int i = 0; i < static_cast<int>(vidtest::scaled(4000)); ++i) {
            for (auto& ch : s) ch = static_cast<char>('0' + prng() % 10);
            expect_agrees(rules, s);
            if (HasFatalFailure()) return;
        }
        vid::Generator gen(rules, vid::Generator::Method::Automaton, 100000);
        if (gen.method() == vid::Generator::Method::Automaton && gen.body_count() == 0) continue;
        std::vector<uint64_t> keys(200);
        try {
            gen.generate(rng, keys.data(), keys.size());
        } catch (const vid::Error&) {
            continue;  // a configuration with (almost) no valid VID
        }
        for (uint64_t key : keys) {
            vid::number_to_digits(key, c.length, s.data());
            expect_agrees(rules, s);
            ASSERT_TRUE(rules.scan().all_pass(s.data()) || !rules.scan().covers()) << s;
            for (int pos = 0; pos < c.length; ++pos) {
                std::string t = s;
                t[static_cast<size_t>(pos)] = static_cast<char>('0' + (t[static_cast<size_t>(pos)] - '0' + 1 + prng() % 9) % 10);
                expect_agrees(rules, t);
                if (pos + 1 < c.length) {
                    t = s;
                    std::swap(t[static_cast<size_t>(pos)], t[static_cast<size_t>(pos) + 1]);
                    expect_agrees(rules, t);
                }
                t = s;
                t[static_cast<size_t>(pos)] = 'x';
                expect_agrees(rules, t);
                if (HasFatalFailure()) return;
            }
        }
    }
}

}  // namespace

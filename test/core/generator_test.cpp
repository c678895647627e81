// Generator and Csprng: validity, distinctness, exact uniformity against brute-force enumeration,
// the automaton's path count, exhaustion, and the random source itself.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "error.hpp"
#include "generator.hpp"
#include "random.hpp"
#include "rules.hpp"
#include "test_util.hpp"
#include "verhoeff.hpp"

namespace {

using vid::Generator;
using vid::Rule;
using vid::RuleConfig;
using vid::RuleSet;
using Method = vid::Generator::Method;
using vidtest::kZLimit;

uint64_t pow10(int n) {
    uint64_t v = 1;
    for (int i = 0; i < n; ++i) v *= 10;
    return v;
}

std::string digits_of(uint64_t v, int len) {
    std::string s(static_cast<size_t>(len), '0');
    vid::number_to_digits(v, len, s.data());
    return s;
}

RuleConfig defaults_of_length(int length) {
    RuleConfig c;
    c.length = length;
    return c;
}


using Variant = vid::Generator::Variant;

// One way to generate: a method, the automaton's variant and the folded automaton's layout. All
// of them must draw exactly the same distribution. The folded layouts with small limits make
// short lengths (whose counts all fit 32 bits) go through the 64-bit layers and the prefix
// table as 16 digits do.
struct Flavor {
    const char* name;
    Method method;
    Variant variant;
    vid::FoldedLayout layout;
};

const Flavor kFolded{"Folded", Method::Automaton, Variant::Folded, {}};
const Flavor kFoldedWide{"FoldedWide", Method::Automaton, Variant::Folded, {1000, 0}};
const Flavor kFoldedPrefix{"FoldedPrefix", Method::Automaton, Variant::Folded, {1000, 1 << 20}};
const Flavor kFoldedPartialPrefix{"FoldedPartialPrefix", Method::Automaton, Variant::Folded, {1000, 30}};
const Flavor kLocal{"Local", Method::Automaton, Variant::Local, {}};
const Flavor kEarlyAbort{"EarlyAbort", Method::EarlyAbort, Variant::Folded, {}};

std::vector<Flavor> all_flavors() {
    return {kFolded, kFoldedWide, kFoldedPrefix, kFoldedPartialPrefix, kLocal, kEarlyAbort};
}

Generator make_generator(const RuleSet& rules, const Flavor& f) {
    return Generator(rules, f.method, size_t{1} << 20, f.variant, f.layout);
}

// The generator really is the flavor asked for (the automaton did not fall back).
void expect_flavor(const Generator& gen, const Flavor& f) {
    ASSERT_EQ(gen.method(), f.method) << f.name;
    if (f.method == Method::Automaton) {
        EXPECT_EQ(gen.variant(), f.variant) << f.name;
    }
}

// ---------------------------------------------------------------------------------------------
// Validity and distinctness
// ---------------------------------------------------------------------------------------------

// A million default VIDs are valid and distinct. The valid space holds about 9.1e12 VIDs (body
// count 2.96e13 times the acceptance of the remaining rules, or 1.1% of the 8e14 bodies that start
// with 2..9), so a million uniform draws repeat one about 1e12 / (2 * 9.1e12) = 0.055 times on
// average: "no duplicate at all" would fail 5% of runs for a perfect generator. Four or more
// duplicates (probability ~4e-7) means the generator is not drawing from the whole space.
TEST(Generator, MillionDefaultVidsAreValidAndDistinct) {
    const RuleSet rules{RuleConfig{}};
    const Generator gen(rules);
    ASSERT_EQ(gen.method(), Method::Automaton);
    vid::Csprng rng;
    const size_t count = vidtest::scaled(1'000'000);
    std::vector<uint64_t> out(count);
    gen.generate(rng, out.data(), count);
    size_t invalid = 0;
    for (uint64_t v : out) {
        ASSERT_GE(v, 2'000'000'000'000'000ull);  // 16 digits, not starting with 0 or 1
        ASSERT_LT(v, 10'000'000'000'000'000ull);
        const std::string s = digits_of(v, 16);
        if (rules.first_failing_rule(s) != Rule::Ok && ++invalid <= 10)
            ADD_FAILURE() << s << " fails " << vid::rule_name(rules.first_failing_rule(s));
    }
    EXPECT_EQ(invalid, 0u);
    std::sort(out.begin(), out.end());
    const size_t distinct = static_cast<size_t>(std::unique(out.begin(), out.end()) - out.begin());
    EXPECT_LE(count - distinct, 3u) << "duplicates among " << count << " VIDs";
}

struct ValidityCase {
    const char* name;
    RuleConfig cfg;
    size_t automaton_count = 10000;
    size_t early_abort_count = 3000;
};

std::vector<ValidityCase> validity_cases() {
    std::vector<ValidityCase> cases;
    cases.push_back({"defaults", RuleConfig{}, 20000, 20000});
    cases.push_back({"length4", defaults_of_length(4)});
    cases.push_back({"length18", defaults_of_length(18)});
    cases.push_back({"alloff", vidtest::all_off(16)});
    RuleConfig c;
    c.repeated_block_limit = 4;
    c.sequence_limit = 2;
    cases.push_back({"B4L2", c});
    c = RuleConfig{};
    c.repeating_limit = 1;
    c.repeated_block_limit = 0;
    cases.push_back({"N1B0", c});
    c = defaults_of_length(18);
    c.sequence_limit = 4;
    c.repeating_limit = 3;
    c.repeated_block_limit = 3;
    c.not_start_with = {"9", "80"};
    c.restricted = {"13579", "000", "2"};
    cases.push_back({"length18mixed", c, 10000, 1000});
    c = defaults_of_length(10);
    c.not_start_with = {"2", "34", "567"};
    c.restricted = {"98", "0"};
    cases.push_back({"length10lists", c});
    c = defaults_of_length(8);
    c.repeated_block_limit = 1;  // all digits distinct
    cases.push_back({"B1length8", c});
    return cases;
}

void PrintTo(const ValidityCase& c, std::ostream* os) { *os << c.name; }

class GeneratorValidity : public ::testing::TestWithParam<ValidityCase> {};

// Every flavor produces only valid VIDs (20,000 each with the defaults; fewer elsewhere, above
// all for the early abort, which is the slower one).
TEST_P(GeneratorValidity, AllFlavorsProduceValidVids) {
    const RuleSet rules(GetParam().cfg);
    const int len = GetParam().cfg.length;
    vid::Csprng rng;
    for (const Flavor& f : all_flavors()) {
        const Generator gen = make_generator(rules, f);
        expect_flavor(gen, f);
        ASSERT_EQ(gen.length(), len);
        const size_t count = vidtest::scaled(f.method == Method::Automaton ? GetParam().automaton_count
                                                                           : GetParam().early_abort_count);
        std::vector<uint64_t> out(count);
        gen.generate(rng, out.data(), count);
        size_t invalid = 0;
        for (uint64_t v : out) {
            ASSERT_LT(v, pow10(len));
            const std::string s = digits_of(v, len);
            if (!rules.is_valid(s) && ++invalid <= 10)
                ADD_FAILURE() << f.name << ": " << s << " fails " << vid::rule_name(rules.first_failing_rule(s));
        }
        EXPECT_EQ(invalid, 0u) << f.name;
        // generate_digits writes exactly length() digits.
        char buf[vid::kMaxLength + 4];
        std::fill(std::begin(buf), std::end(buf), '#');
        gen.generate_digits(rng, buf);
        EXPECT_TRUE(rules.is_valid(std::string_view(buf, static_cast<size_t>(len)))) << f.name;
        EXPECT_EQ(buf[len], '#') << f.name;
    }
}

INSTANTIATE_TEST_SUITE_P(Configs, GeneratorValidity, ::testing::ValuesIn(validity_cases()),
                         [](const ::testing::TestParamInfo<ValidityCase>& info) { return std::string(info.param.name); });

TEST(Generator, MethodSelectionAndFallback) {
    const RuleSet rules{RuleConfig{}};
    EXPECT_EQ(Generator(rules).method(), Method::Automaton);
    EXPECT_EQ(Generator(rules).variant(), Variant::Folded);
    EXPECT_EQ(Generator(rules, Method::Automaton).method(), Method::Automaton);
    EXPECT_EQ(Generator(rules, Method::EarlyAbort).method(), Method::EarlyAbort);
    EXPECT_GT(Generator(rules).body_count(), 0u);
    // What PostgreSQL builds (max_states 100000) is the folded automaton, with the prefix table.
    const Generator pg(rules, Method::Automaton, 100000);
    EXPECT_EQ(pg.variant(), Variant::Folded);
    EXPECT_GT(pg.prefix_layers(), 0);
    EXPECT_EQ(Generator(rules, Method::Automaton, 100000, Variant::Local).variant(), Variant::Local);

    vid::Csprng rng;
    std::vector<uint64_t> out(vidtest::scaled(2000));
    // Room for the local automaton (~1,400 states) but not for the folded one (ten times that):
    // the local one is used.
    const Generator local(rules, Method::Automaton, 5000);
    EXPECT_EQ(local.method(), Method::Automaton);
    EXPECT_EQ(local.variant(), Variant::Local);
    local.generate(rng, out.data(), out.size());
    for (uint64_t v : out) EXPECT_TRUE(rules.is_valid(digits_of(v, 16))) << v;

    // Too few states allowed: the automaton is abandoned for the early abort, which still works.
    const Generator tiny(rules, Method::Automaton, 10);
    EXPECT_EQ(tiny.method(), Method::EarlyAbort);
    tiny.generate(rng, out.data(), out.size());
    for (uint64_t v : out) EXPECT_TRUE(rules.is_valid(digits_of(v, 16))) << v;

    // A long restricted number needs a long history: with a modest state budget it falls back too.
    RuleConfig c;
    c.restricted = {"786", "666", "3141592653"};
    const RuleSet long_rules(c);
    EXPECT_EQ(long_rules.history(), 9);
    const Generator fallback(long_rules, Method::Automaton, 50000);
    EXPECT_EQ(fallback.method(), Method::EarlyAbort);
    fallback.generate(rng, out.data(), 200);
    for (size_t i = 0; i < 200; ++i) EXPECT_TRUE(long_rules.is_valid(digits_of(out[i], 16))) << out[i];

    // A folded layer of more than 65,536 states (16-bit record numbers): with every other rule
    // off, a restricted number of 5 digits keeps the last 4 digits, 10^5 folded states a layer.
    // The state budget is not the limit here, the local automaton is used.
    c = vidtest::all_off(12);
    c.restricted = {"12345"};
    const RuleSet wide_rules(c);
    const Generator per_layer(wide_rules, Method::Automaton, size_t{1} << 24);
    EXPECT_EQ(per_layer.method(), Method::Automaton);
    EXPECT_EQ(per_layer.variant(), Variant::Local);
    per_layer.generate(rng, out.data(), 200);
    for (size_t i = 0; i < 200; ++i) EXPECT_TRUE(wide_rules.is_valid(digits_of(out[i], 12))) << out[i];
}

// The layouts of the folded automaton the flavors ask for: 64-bit layers on short lengths, a
// prefix table over all of them or over some; and the defaults on 16 and 18 digits.
TEST(Generator, FoldedLayouts) {
    for (int len : {6, 7}) {
        const RuleSet rules(defaults_of_length(len));
        const Generator fast = make_generator(rules, kFolded);
        EXPECT_EQ(fast.wide_layers(), 0) << len;
        EXPECT_EQ(fast.prefix_layers(), 0) << len;
        const Generator wide = make_generator(rules, kFoldedWide);
        EXPECT_GE(wide.wide_layers(), 2) << len;
        EXPECT_EQ(wide.prefix_layers(), 0) << len;
        const Generator prefix = make_generator(rules, kFoldedPrefix);
        EXPECT_GE(prefix.wide_layers(), 2) << len;
        EXPECT_EQ(prefix.prefix_layers(), prefix.wide_layers()) << len;
        const Generator partial = make_generator(rules, kFoldedPartialPrefix);
        EXPECT_GT(partial.prefix_layers(), 0) << len;
        EXPECT_LT(partial.prefix_layers(), partial.wide_layers()) << len;
        // The same automaton whatever the layout.
        EXPECT_EQ(wide.body_count(), fast.body_count());
        EXPECT_EQ(prefix.body_count(), fast.body_count());
        EXPECT_EQ(partial.body_count(), fast.body_count());
    }
    const Generator sixteen(RuleSet{RuleConfig{}});
    EXPECT_GT(sixteen.wide_layers(), 0);
    EXPECT_GT(sixteen.prefix_layers(), 0);
    EXPECT_LE(sixteen.prefix_layers(), sixteen.wide_layers());
    // All rules off but the checksum: counts up to 10^17, too many prefixes for the table over
    // every wide layer; whatever it covers, the rest draws in 64 bits.
    const Generator alloff(RuleSet(vidtest::all_off(18)));
    EXPECT_EQ(alloff.variant(), Variant::Folded);
    EXPECT_EQ(alloff.body_count(), pow10(17));
    EXPECT_LT(alloff.prefix_layers(), alloff.wide_layers());
}

// verhoeff_step, accumulated over a whole string from the left, is 0 exactly for the strings
// that pass the check.
TEST(Generator, VerhoeffStepMatchesTheCheck) {
    std::mt19937_64 mt(5);
    for (int i = 0; i < 20000; ++i) {
        const int len = 2 + static_cast<int>(mt() % 17);
        std::string s = digits_of(mt() % pow10(len - 1), len - 1);
        if (i % 2 == 0) {
            s = vidtest::with_check(s);
        } else {
            s.push_back(static_cast<char>('0' + mt() % 10));
        }
        int acc = 0;
        for (int j = 0; j < len; ++j) acc = vid::verhoeff_step(len - 1 - j, s[static_cast<size_t>(j)] - '0', acc);
        EXPECT_EQ(acc == 0, vid::verhoeff_valid(s)) << s;
    }
}

// ---------------------------------------------------------------------------------------------
// Exact uniformity, against every valid VID enumerated by brute force
// ---------------------------------------------------------------------------------------------

// Every valid VID of a (short) configuration, ascending: every body completed by its check digit
// (only that one can pass the checksum), kept when valid.
std::vector<uint64_t> enumerate_valid(const RuleSet& rules) {
    const int len = rules.config().length;
    std::vector<uint64_t> valid;
    std::string s(static_cast<size_t>(len), '0');
    const uint64_t bodies = pow10(len - 1);
    for (uint64_t b = 0; b < bodies; ++b) {
        vid::number_to_digits(b, len - 1, s.data());
        s.back() = static_cast<char>('0' + vid::verhoeff_check_digit(std::string_view(s.data(), s.size() - 1)));
        if (rules.first_failing_rule(s) == Rule::Ok) valid.push_back(b * 10 + static_cast<uint64_t>(s.back() - '0'));
    }
    return valid;
}

struct UniformCase {
    const char* name;
    RuleConfig (*make_config)();  // built when the test runs, not at registration
    Flavor flavor;
    int samples_per_vid;
    size_t per_call = 65536;  // VIDs asked of each generate() call
};

// Length 6 with non-default rules, two of its own valid VIDs excluded by full-length entries
// (matched only at the check digit).
RuleConfig nondefault6_entries() {
    RuleConfig c;
    c.length = 6;
    c.sequence_limit = 2;
    c.repeating_limit = 3;
    c.repeated_block_limit = 3;
    c.not_start_with = {"9", "12"};
    c.restricted = {"07", "350"};
    const std::vector<uint64_t> valid = enumerate_valid(RuleSet(c));
    c.not_start_with.push_back(digits_of(valid[valid.size() / 3], 6));
    c.restricted.push_back(digits_of(valid[2 * valid.size() / 3], 6));
    return c;
}

// Length 6 without a not-start-with list (leading zeros) and a restricted number at the end.
RuleConfig nondefault6() {
    RuleConfig c;
    c.length = 6;
    c.sequence_limit = 4;
    c.repeating_limit = 1;
    c.repeated_block_limit = 2;
    c.not_start_with.clear();
    c.restricted = {"55", "1234"};
    return c;
}

// The repeated-block rule with one-digit blocks (all digits distinct), switched off, and with
// blocks of 4 (checked on the whole string at the end by the folded automaton; 8 digits, the
// space cut down by a single first digit and no two neighbours in sequence).
RuleConfig block1_length6() {
    RuleConfig c = defaults_of_length(6);
    c.repeated_block_limit = 1;
    return c;
}
RuleConfig block0_length6() {
    RuleConfig c = defaults_of_length(6);
    c.repeated_block_limit = 0;
    return c;
}
RuleConfig block4_length8() {
    RuleConfig c = defaults_of_length(8);
    c.repeated_block_limit = 4;
    c.sequence_limit = 2;
    c.not_start_with = {"0", "1", "2", "3", "4", "5", "6", "7", "8"};
    return c;
}

std::vector<UniformCase> uniform_cases() {
    std::vector<UniformCase> cases;
    for (const Flavor& f : all_flavors()) {
        cases.push_back({"length6", [] { return defaults_of_length(6); }, f, 50});
        cases.push_back({"length7", [] { return defaults_of_length(7); }, f, 20});
        cases.push_back({"nondefault6entries", nondefault6_entries, f, 50});
        cases.push_back({"nondefault6", nondefault6, f, 50});
        cases.push_back({"block1length6", block1_length6, f, 50});
        cases.push_back({"block0length6", block0_length6, f, 50});
        // Blocks checked once the string is complete: only the folded flavors do that (the
        // others check blocks as for any other length).
        if (f.method == Method::Automaton && f.variant == Variant::Folded)
            cases.push_back({"block4length8", block4_length8, f, 20});
    }
    // Three VIDs a call: the folded automaton runs fewer lanes than usual.
    cases.push_back({"length6_per_call3", [] { return defaults_of_length(6); }, kFolded, 20, 3});
    return cases;
}

void PrintTo(const UniformCase& c, std::ostream* os) { *os << c.name << " " << c.flavor.name; }

class Uniformity : public ::testing::TestWithParam<UniformCase> {};

// Generates about samples_per_vid times as many VIDs as exist, checks each is in the enumerated
// set, and runs a chi-square test of the counts against the uniform distribution.
TEST_P(Uniformity, MatchesBruteForceEnumeration) {
    const UniformCase& tc = GetParam();
    const RuleSet rules(tc.make_config());
    const int len = rules.config().length;
    const std::vector<uint64_t> valid = enumerate_valid(rules);
    ASSERT_GT(valid.size(), 100u);
    // Index of each valid value: a direct table over all 10^len values (at most 10^7).
    std::vector<int32_t> index(pow10(len), -1);
    for (size_t i = 0; i < valid.size(); ++i) index[valid[i]] = static_cast<int32_t>(i);

    const Generator gen = make_generator(rules, tc.flavor);
    expect_flavor(gen, tc.flavor);
    vid::Csprng rng;
    const size_t samples = vidtest::scaled(valid.size() * static_cast<size_t>(tc.samples_per_vid));
    std::vector<uint64_t> counts(valid.size(), 0);
    std::vector<uint64_t> chunk(tc.per_call);
    size_t outside = 0, done = 0;
    while (done < samples) {
        const size_t n = std::min(chunk.size(), samples - done);
        gen.generate(rng, chunk.data(), n);
        for (size_t i = 0; i < n; ++i) {
            const uint64_t v = chunk[i];
            if (v >= index.size() || index[v] < 0) {
                if (++outside <= 10) ADD_FAILURE() << "not a valid VID: " << digits_of(v, len);
                continue;
            }
            ++counts[static_cast<size_t>(index[v])];
        }
        done += n;
    }
    EXPECT_EQ(outside, 0u);
    const double df = static_cast<double>(valid.size() - 1);
    const double stat = vidtest::chi_square_uniform(counts);
    const double z = vidtest::chi_square_z(stat, df);
    EXPECT_LT(std::abs(z), kZLimit) << tc.name << " " << tc.flavor.name << ": " << valid.size()
                                    << " valid VIDs, " << samples << " samples, chi-square " << stat
                                    << " on " << df << " df (z = " << z << ")";
    const double expected = static_cast<double>(samples) / static_cast<double>(valid.size());
    if (expected >= 40) {  // P(a cell is empty) < e^-40 per cell: every valid VID must turn up
        const size_t missing = static_cast<size_t>(std::count(counts.begin(), counts.end(), 0u));
        EXPECT_EQ(missing, 0u) << "valid VIDs never generated";
    }
    RecordProperty("chi_square_z", std::to_string(z));
}

INSTANTIATE_TEST_SUITE_P(Short, Uniformity, ::testing::ValuesIn(uniform_cases()),
                         [](const ::testing::TestParamInfo<UniformCase>& info) {
                             return std::string(info.param.name) + "_" + info.param.flavor.name;
                         });

// The test above has power: a generator that steps back only one digit when a prefix breaks a
// rule (vid-rules.md warns it is biased) is caught by the same statistic.
TEST(UniformityPower, StepBackOneDigitIsDetected) {
    const RuleSet rules(defaults_of_length(6));
    const std::vector<uint64_t> valid = enumerate_valid(rules);
    std::vector<int32_t> index(pow10(6), -1);
    for (size_t i = 0; i < valid.size(); ++i) index[valid[i]] = static_cast<int32_t>(i);
    std::mt19937_64 rng(8);
    std::vector<uint64_t> counts(valid.size(), 0);
    const size_t samples = vidtest::scaled(valid.size() * 50);
    char buf[6];
    for (size_t done = 0; done < samples;) {
        // Draw each body digit until it passes (redrawing only that digit); start over only when
        // no digit fits or the check digit breaks a rule.
        bool ok = true;
        for (int p = 0; p < 5 && ok; ++p) {
            int tries = 0;
            do {
                buf[p] = static_cast<char>('0' + rng() % 10);
            } while ((!rules.local_ok(buf + p, p) || !rules.block_ok(buf, p)) && ++tries < 100);
            ok = tries < 100;
        }
        if (!ok) continue;
        buf[5] = static_cast<char>('0' + vid::verhoeff_check_digit(std::string_view(buf, 5)));
        if (!rules.is_valid(std::string_view(buf, 6))) continue;
        ++counts[static_cast<size_t>(index[vid::digits_to_number(buf, 6)])];
        ++done;
    }
    const double z = vidtest::chi_square_z(vidtest::chi_square_uniform(counts), static_cast<double>(valid.size() - 1));
    EXPECT_GT(z, kZLimit) << "the biased sampler was not detected";
    RecordProperty("chi_square_z", std::to_string(z));
}

// The first digit of 16-digit VIDs: never 0 or 1, and not skewed (MOSIP's generator makes 7, 8
// and 9 about ten times rarer than 2..5). The exact distribution is not quite uniform: "786"
// makes a leading 7 about 1.3% rarer, a leading 9 has one descending run and no ascending one...
// so a plain chi-square against 1/8 would, at 200,000 samples, carry a noncentrality of ~6.5. The
// distribution is therefore (a) within 5% of 1/8 for every digit (8 standard deviations at this
// sample size, far below MOSIP's skew) and (b) compared by a two-sample chi-square test with an
// independent, exact sampler: uniform random bodies completed by their check digit, kept when
// valid.
TEST(Generator, FirstDigitIsNotSkewed) {
    const RuleSet rules{RuleConfig{}};
    vid::Csprng rng;

    std::vector<uint64_t> reference(10, 0);
    const size_t ref_samples = vidtest::scaled(100000);
    std::mt19937_64 mt(9);
    char buf[16];
    for (size_t got = 0; got < ref_samples;) {
        const uint64_t body = 200'000'000'000'000ull + mt() % 800'000'000'000'000ull;  // 15 digits, 2..9 first
        vid::number_to_digits(body, 15, buf);
        bool repeat = false;  // a quick pre-filter: most bodies repeat a digit within 2 positions
        for (int i = 1; i < 15 && !repeat; ++i) repeat = buf[i] == buf[i - 1] || (i > 1 && buf[i] == buf[i - 2]);
        if (repeat) continue;
        buf[15] = static_cast<char>('0' + vid::verhoeff_check_digit(std::string_view(buf, 15)));
        if (!rules.is_valid(std::string_view(buf, 16))) continue;
        ++reference[static_cast<size_t>(buf[0] - '0')];
        ++got;
    }

    for (const Flavor& f : {kFolded, kLocal, kEarlyAbort}) {
        const Generator gen = make_generator(rules, f);
        expect_flavor(gen, f);
        const size_t samples = vidtest::scaled(f.method == Method::Automaton ? 200000 : 40000);
        std::vector<uint64_t> counts(10, 0);
        for (size_t i = 0; i < samples; ++i) {
            gen.generate_digits(rng, buf);
            ++counts[static_cast<size_t>(buf[0] - '0')];
        }
        EXPECT_EQ(counts[0], 0u);
        EXPECT_EQ(counts[1], 0u);
        for (int d = 2; d <= 9; ++d) {
            const double share = static_cast<double>(counts[static_cast<size_t>(d)]) / static_cast<double>(samples);
            EXPECT_NEAR(share, 1.0 / 8, 0.05 / 8 * (samples < 100000 ? 2 : 1))
                << f.name << ": first digit " << d;
        }
        // Two-sample chi-square (homogeneity) over the digits 2..9, 7 df.
        const double n1 = static_cast<double>(samples), n2 = static_cast<double>(ref_samples);
        double stat = 0;
        for (int d = 2; d <= 9; ++d) {
            const double a = static_cast<double>(counts[static_cast<size_t>(d)]);
            const double b = static_cast<double>(reference[static_cast<size_t>(d)]);
            const double ea = (a + b) * n1 / (n1 + n2), eb = (a + b) * n2 / (n1 + n2);
            stat += (a - ea) * (a - ea) / ea + (b - eb) * (b - eb) / eb;
        }
        const double z = vidtest::chi_square_z(stat, 7);
        EXPECT_LT(z, kZLimit) << f.name << ": chi-square " << stat << " on 7 df";
    }
}

// ---------------------------------------------------------------------------------------------
// The automaton's path count
// ---------------------------------------------------------------------------------------------

// body_count(), Variant::Local: the number of (length-1)-digit bodies passing the local rules at
// every position, counted two ways: with local_ok at each position, and with the whole-string
// checks of a RuleSet of the body's length without the repeated-block rule.
// Variant::Folded: the number of whole strings (check digit included) passing the local rules at
// every position and the checksum, counted the same two ways. 0 for both when nothing passes.
TEST(Generator, BodyCountMatchesBruteForce) {
    std::vector<RuleConfig> configs = {defaults_of_length(6), nondefault6(), vidtest::all_off(5)};
    RuleConfig c = defaults_of_length(7);
    c.restricted = {"31415", "27", "666"};
    c.not_start_with = {"0", "1", "4444", "567"};
    configs.push_back(c);
    c = defaults_of_length(7);
    c.sequence_limit = 1;  // nothing passes
    configs.push_back(c);
    c = defaults_of_length(6);
    c.restricted = {"786", "666", "0", "2", "4", "6", "8"};  // only odd digits, the check digit too
    c.repeating_limit = 4;
    configs.push_back(c);
    for (const RuleConfig& cfg : configs) {
        const RuleSet rules(cfg);
        // Both counts, by brute force over all strings of `len` digits.
        auto count = [&](int len, bool checksum) {
            RuleConfig part = cfg;
            part.length = len;
            part.repeated_block_limit = 0;
            const RuleSet part_rules(part);
            uint64_t by_local_ok = 0, by_rules = 0;
            std::string s(static_cast<size_t>(len), '0');
            for (uint64_t v = 0; v < pow10(len); ++v) {
                vid::number_to_digits(v, len, s.data());
                bool ok = !checksum || vid::verhoeff_valid(s);
                for (int p = 0; p < len && ok; ++p) ok = rules.local_ok(s.data() + p, p);
                by_local_ok += ok;
                const Rule r = part_rules.first_failing_rule(s);
                by_rules += checksum ? r == Rule::Ok : (r == Rule::Ok || r == Rule::Checksum);
            }
            EXPECT_EQ(by_local_ok, by_rules) << "length " << len;
            return by_local_ok;
        };
        const Generator local = make_generator(rules, kLocal);
        expect_flavor(local, kLocal);
        EXPECT_EQ(local.body_count(), count(cfg.length - 1, false)) << "length " << cfg.length;
        const uint64_t strings = count(cfg.length, true);
        for (const Flavor& f : {kFolded, kFoldedWide, kFoldedPrefix, kFoldedPartialPrefix}) {
            const Generator folded = make_generator(rules, f);
            expect_flavor(folded, f);
            EXPECT_EQ(folded.body_count(), strings) << "length " << cfg.length << " " << f.name;
        }
    }
    EXPECT_EQ(make_generator(RuleSet(vidtest::all_off(16)), kLocal).body_count(), pow10(15));
    EXPECT_EQ(make_generator(RuleSet(vidtest::all_off(16)), kFolded).body_count(), pow10(15));
}

// space_size(): exact up to kExactSpaceMaxLength digits, whichever the method.
TEST(Generator, SpaceSizeExactForShortLengths) {
    vid::Csprng rng;
    for (const RuleConfig& cfg : {defaults_of_length(5), defaults_of_length(6), nondefault6()}) {
        const RuleSet rules(cfg);
        const double expected = static_cast<double>(enumerate_valid(rules).size());
        for (const Flavor& f : {kFolded, kLocal, kEarlyAbort}) {
            const Generator::SpaceSize size = make_generator(rules, f).space_size(rng);
            EXPECT_TRUE(size.exact) << cfg.length << " " << f.name;
            EXPECT_EQ(size.valid, expected) << cfg.length << " " << f.name;
        }
    }
    RuleConfig none = defaults_of_length(12);
    none.not_start_with = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    const Generator::SpaceSize empty = Generator(RuleSet(none)).space_size(rng);
    EXPECT_TRUE(empty.exact);
    EXPECT_EQ(empty.valid, 0.0);
}

// space_size() for 16 digits: an estimate, compared with an independent one (uniform random
// bodies starting with 2..9, completed by their check digit, the share that is valid), within
// six standard deviations of the two estimates combined.
TEST(Generator, SpaceSizeEstimateForSixteenDigits) {
    const RuleSet rules{RuleConfig{}};
    std::mt19937_64 mt(12);
    const size_t draws = vidtest::scaled(2'000'000);
    size_t accepted = 0;
    char buf[16];
    for (size_t i = 0; i < draws; ++i) {
        vid::number_to_digits(200'000'000'000'000ull + mt() % 800'000'000'000'000ull, 15, buf);
        buf[15] = static_cast<char>('0' + vid::verhoeff_check_digit(std::string_view(buf, 15)));
        accepted += rules.is_valid(std::string_view(buf, 16));
    }
    ASSERT_GT(accepted, 1000u);
    const double reference = static_cast<double>(accepted) / static_cast<double>(draws) * 8e14;
    const double ref_sd = 1 / std::sqrt(static_cast<double>(accepted));
    vid::Csprng rng;
    const int samples = static_cast<int>(vidtest::scaled(400000));
    for (const Flavor& f : {kFolded, kLocal, kEarlyAbort}) {
        const Generator gen = make_generator(rules, f);
        expect_flavor(gen, f);
        const Generator::SpaceSize size = gen.space_size(rng, samples);
        EXPECT_FALSE(size.exact);
        const double pool = f.method == Method::Automaton ? static_cast<double>(gen.body_count()) : 1e15;
        const double q = reference / pool;  // the share of drawn bodies that make a valid VID
        const double est_sd = std::sqrt((1 - q) / (q * samples));
        const double tolerance = 6 * std::sqrt(ref_sd * ref_sd + est_sd * est_sd);
        EXPECT_NEAR(size.valid / reference, 1.0, tolerance)
            << f.name << ": " << size.valid << " vs " << reference;
    }
}

// ---------------------------------------------------------------------------------------------
// An empty space
// ---------------------------------------------------------------------------------------------

template <typename F>
void expect_space_exhausted(F&& f, const char* what) {
    try {
        f();
        ADD_FAILURE() << what << ": no exception";
    } catch (const vid::Error& e) {
        EXPECT_EQ(e.kind(), vid::ErrorKind::SpaceExhausted) << what << ": " << e.what();
        EXPECT_STRNE(e.what(), "") << what;
    }
}

TEST(Generator, EmptySpaceThrowsSpaceExhausted) {
    vid::Csprng rng;
    uint64_t out[4];
    char buf[vid::kMaxLength];
    // Every first digit forbidden: the automaton knows at once (no body at all).
    RuleConfig c;
    c.not_start_with = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    const RuleSet no_start(c);
    const Generator gen(no_start);
    ASSERT_EQ(gen.method(), Method::Automaton);
    EXPECT_EQ(gen.body_count(), 0u);
    expect_space_exhausted([&] { gen.generate(rng, out, 4); }, "no first digit, automaton");
    expect_space_exhausted([&] { gen.generate_digits(rng, buf); }, "no first digit, generate_digits");

    // 12 digits, none repeated within 11 positions: 12 distinct digits, impossible. (History 11
    // makes the automaton too large, ~10^6 distinct-digit prefixes, so this goes through the
    // early abort and its bounded attempts.)
    c = defaults_of_length(12);
    c.repeating_limit = 11;
    const RuleSet distinct12(c);
    const Generator gen12(distinct12);
    expect_space_exhausted([&] { gen12.generate(rng, out, 1); }, "repeating 11");
    // With a small rule set of the same kind the automaton is built and finds no body: a body of 7
    // digits, none repeated within 7 positions, from only 6 digits (0..3 restricted).
    c = defaults_of_length(8);
    c.repeating_limit = 7;
    c.restricted = {"0", "1", "2", "3"};
    const RuleSet seven(c);
    const Generator gen7(seven);
    ASSERT_EQ(gen7.method(), Method::Automaton);
    EXPECT_EQ(gen7.body_count(), 0u);
    expect_space_exhausted([&] { gen7.generate(rng, out, 1); }, "repeating 7 over 7 digits");

    c = RuleConfig{};
    c.sequence_limit = 1;  // every digit is a run of one
    const RuleSet nothing(c);
    const Generator none(nothing);
    EXPECT_EQ(none.body_count(), 0u);
    expect_space_exhausted([&] { none.generate(rng, out, 1); }, "sequence 1, automaton");
    // The early abort cannot know in advance; it gives up after its bounded attempts.
    const Generator none_early(nothing, Method::EarlyAbort);
    expect_space_exhausted([&] { none_early.generate(rng, out, 1); }, "sequence 1, early abort");

    // Bodies exist but no VID: 12 digits with every block of one digit unique (12 distinct
    // digits). The automaton cannot see the block rule; it gives up after bounded attempts.
    c = defaults_of_length(12);
    c.repeated_block_limit = 1;
    const RuleSet block_empty(c);
    for (const Flavor& f : {kFolded, kFoldedWide, kFoldedPartialPrefix, kLocal}) {
        const Generator blocked = make_generator(block_empty, f);
        expect_flavor(blocked, f);
        EXPECT_GT(blocked.body_count(), 0u) << f.name;
        expect_space_exhausted([&] { blocked.generate(rng, out, 1); }, f.name);
    }
}

// ---------------------------------------------------------------------------------------------
// Csprng
// ---------------------------------------------------------------------------------------------

TEST(Csprng, BelowStaysInRange) {
    vid::Csprng rng;
    for (int i = 0; i < 1000; ++i) ASSERT_EQ(rng.below(1), 0u);
    const uint64_t bounds[] = {1,
                               2,
                               3,
                               10,
                               (uint64_t{1} << 63) + 1,
                               0xAAAAAAAAAAAAAAAAull,
                               std::numeric_limits<uint64_t>::max() - 1,
                               std::numeric_limits<uint64_t>::max()};
    for (uint64_t bound : bounds)
        for (int i = 0; i < 20000; ++i) ASSERT_LT(rng.below(bound), bound) << bound;
}

TEST(Csprng, BelowIsUniform) {
    vid::Csprng rng;
    for (uint64_t bound : {2u, 3u, 10u, 7u, 1000u}) {
        std::vector<uint64_t> counts(bound, 0);
        const size_t n = vidtest::scaled(200000);
        for (size_t i = 0; i < n; ++i) ++counts[rng.below(bound)];
        const double z = vidtest::chi_square_z(vidtest::chi_square_uniform(counts), static_cast<double>(bound - 1));
        EXPECT_LT(std::abs(z), kZLimit) << "bound " << bound;
    }
    // Large bounds: the share of values below bound/2 is one half. For 2^64 * 2/3 a plain modulo
    // would give 2/3, and the worst case for rejection is just above 2^63.
    const uint64_t large[] = {0xAAAAAAAAAAAAAAAAull, (uint64_t{1} << 63) + 1, std::numeric_limits<uint64_t>::max()};
    for (uint64_t bound : large) {
        const size_t n = vidtest::scaled(200000);
        size_t low = 0, odd = 0;
        for (size_t i = 0; i < n; ++i) {
            const uint64_t v = rng.below(bound);
            low += v < bound / 2;
            odd += v & 1;
        }
        const double sd = std::sqrt(static_cast<double>(n) * 0.25);
        EXPECT_LT(std::abs(static_cast<double>(low) - static_cast<double>(n) / 2), 6 * sd) << "bound " << bound;
        EXPECT_LT(std::abs(static_cast<double>(odd) - static_cast<double>(n) / 2), 6 * sd) << "bound " << bound;
    }
}

TEST(Csprng, DigitIsUniform) {
    vid::Csprng rng;
    std::vector<uint64_t> counts(10, 0);
    const size_t n = vidtest::scaled(1'000'000);
    for (size_t i = 0; i < n; ++i) {
        const int d = rng.digit();
        ASSERT_GE(d, 0);
        ASSERT_LE(d, 9);
        ++counts[static_cast<size_t>(d)];
    }
    const double stat = vidtest::chi_square_uniform(counts);
    EXPECT_LT(std::abs(vidtest::chi_square_z(stat, 9)), kZLimit) << "chi-square " << stat;
    // Pairs of consecutive digits too (catches a digit that depends on the previous one).
    std::vector<uint64_t> pairs(100, 0);
    for (size_t i = 0; i < n / 2; ++i) ++pairs[static_cast<size_t>(rng.digit() * 10 + rng.digit())];
    EXPECT_LT(std::abs(vidtest::chi_square_z(vidtest::chi_square_uniform(pairs), 99)), kZLimit);
}

TEST(Csprng, Next64BitsAreBalanced) {
    vid::Csprng rng;
    const size_t n = vidtest::scaled(100000);
    std::vector<size_t> ones(64, 0);
    for (size_t i = 0; i < n; ++i) {
        const uint64_t v = rng.next64();
        for (int b = 0; b < 64; ++b) ones[static_cast<size_t>(b)] += (v >> b) & 1;
    }
    const double sd = std::sqrt(static_cast<double>(n) * 0.25);
    for (int b = 0; b < 64; ++b)
        EXPECT_LT(std::abs(static_cast<double>(ones[static_cast<size_t>(b)]) - static_cast<double>(n) / 2), 6 * sd)
            << "bit " << b;
}

// After fork() the child must not replay the bytes its parent had buffered.
TEST(Csprng, ForkedChildDoesNotReuseBufferedBytes) {
    vid::Csprng rng;
    (void)rng.next64();  // fill the buffer
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        uint64_t v[2] = {rng.next64(), static_cast<uint64_t>(rng.digit())};
        const ssize_t w = write(fds[1], v, sizeof v);
        _exit(w == static_cast<ssize_t>(sizeof v) ? 0 : 1);
    }
    close(fds[1]);
    uint64_t child[2] = {0, 0};
    size_t got = 0;
    while (got < sizeof child) {
        const ssize_t r = read(fds[0], reinterpret_cast<char*>(child) + got, sizeof child - got);
        if (r <= 0) break;
        got += static_cast<size_t>(r);
    }
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(got, sizeof child);
    const uint64_t parent = rng.next64();
    EXPECT_NE(parent, child[0]) << "the child replayed the parent's buffered random bytes";
}

}  // namespace

// Verhoeff check digit: published vectors and the error-detection guarantees.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>

#include "test_util.hpp"
#include "verhoeff.hpp"

namespace {

using vid::verhoeff_check_digit;
using vid::verhoeff_valid;

// Published values (Wikipedia "Verhoeff algorithm", Rosetta Code "Verhoeff algorithm").
const std::pair<const char*, int> kKnown[] = {
    {"236", 3},
    {"75872", 2},
    {"12345", 1},
    {"142857", 0},
    {"123456789012", 0},
};

TEST(Verhoeff, PublishedCheckDigits) {
    for (const auto& [body, check] : kKnown) {
        EXPECT_EQ(verhoeff_check_digit(body), check) << body;
        const std::string full = std::string(body) + static_cast<char>('0' + check);
        EXPECT_TRUE(verhoeff_valid(full)) << full;
        for (int d = 0; d < 10; ++d) {
            if (d == check) continue;
            const std::string wrong = std::string(body) + static_cast<char>('0' + d);
            EXPECT_FALSE(verhoeff_valid(wrong)) << wrong;
        }
    }
}

TEST(Verhoeff, PublishedValidNumbers) {
    EXPECT_TRUE(verhoeff_valid("2363"));
    EXPECT_TRUE(verhoeff_valid("758722"));
    EXPECT_TRUE(verhoeff_valid("123451"));
    EXPECT_TRUE(verhoeff_valid("1428570"));
    EXPECT_TRUE(verhoeff_valid("1234567890120"));
    EXPECT_FALSE(verhoeff_valid("2364"));
    EXPECT_FALSE(verhoeff_valid("123456789011"));
    EXPECT_TRUE(verhoeff_valid("5371843613598206"));   // vid-rules.md
    EXPECT_FALSE(verhoeff_valid("5371843613598205"));  // vid-rules.md
}

// Numbers long enough to use every row of p, the row p[4] = {9,4,5,3,1,2,6,8,7,0} included (at
// the 5th, 13th, 21st digit from the right). The short vectors above never reach it with a 6, 7
// or 8, the only digits a misprinted row 4 {9,4,5,3,1,2,8,7,6,0} changes.
TEST(Verhoeff, TextbookTableOnLongNumbers) {
    EXPECT_EQ(verhoeff_check_digit("8473643095483728456789"), 2);  // Rosetta Code
    EXPECT_TRUE(verhoeff_valid("84736430954837284567892"));
    // vid-rules.md lists 8507529170342368 as valid; with the textbook tables (its rule 8, and
    // MOSIP's ChecksumUtils) the check digit of 850752917034236 is 7.
    EXPECT_EQ(verhoeff_check_digit("850752917034236"), 7);
    EXPECT_TRUE(verhoeff_valid("8507529170342367"));
    EXPECT_FALSE(verhoeff_valid("8507529170342368"));
    // A digit 6, 7 or 8 fifth from the right of the whole number (position 4 of p).
    EXPECT_EQ(verhoeff_check_digit("6000"), 9);
    EXPECT_EQ(verhoeff_check_digit("7000"), 6);
    EXPECT_EQ(verhoeff_check_digit("8000"), 5);
}

// Every body of up to 4 digits: exactly one of the ten last digits makes it valid, and it is the
// check digit.
TEST(Verhoeff, ExactlyOneCheckDigitPerBody) {
    for (int len = 0; len <= 4; ++len) {
        int total = 1;
        for (int i = 0; i < len; ++i) total *= 10;
        for (int v = 0; v < total; ++v) {
            std::string body(static_cast<size_t>(len), '0');
            for (int i = len - 1, x = v; i >= 0; --i, x /= 10) body[static_cast<size_t>(i)] = static_cast<char>('0' + x % 10);
            const int check = verhoeff_check_digit(body);
            ASSERT_GE(check, 0);
            ASSERT_LE(check, 9);
            int valid = 0;
            for (int d = 0; d < 10; ++d)
                if (verhoeff_valid(body + static_cast<char>('0' + d))) {
                    ++valid;
                    EXPECT_EQ(d, check) << body;
                }
            EXPECT_EQ(valid, 1) << body;
        }
    }
}

// Verhoeff detects every single-digit substitution, the check digit included (any scheme whose
// p rows are permutations does).
TEST(Verhoeff, DetectsEverySubstitution) {
    std::mt19937_64 rng(20240611);
    int checked = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        std::string body(1 + rng() % 17, '0');
        for (char& c : body) c = static_cast<char>('0' + rng() % 10);
        const std::string full = vidtest::with_check(body);
        ASSERT_TRUE(verhoeff_valid(full)) << full;
        for (size_t i = 0; i < full.size(); ++i)
            for (char d = '0'; d <= '9'; ++d) {
                if (d == full[i]) continue;
                std::string bad = full;
                bad[i] = d;
                EXPECT_FALSE(verhoeff_valid(bad)) << full << " -> " << bad;
                ++checked;
            }
    }
    EXPECT_GT(checked, 100000);
}

// ... and every transposition of two adjacent, distinct digits, the check digit included. This
// needs the textbook p = p1^i with p1 = (1 5 8 9 4 2 7 0)(3 6): a misprinted row lets some
// through.
TEST(Verhoeff, DetectsEveryAdjacentTransposition) {
    std::mt19937_64 rng(20240612);
    int checked = 0, missed = 0;
    for (int iter = 0; iter < 5000; ++iter) {
        std::string body(1 + rng() % 17, '0');
        for (char& c : body) c = static_cast<char>('0' + rng() % 10);
        const std::string full = vidtest::with_check(body);
        for (size_t i = 0; i + 1 < full.size(); ++i) {
            if (full[i] == full[i + 1]) continue;
            std::string bad = full;
            std::swap(bad[i], bad[i + 1]);
            ++checked;
            if (verhoeff_valid(bad) && ++missed <= 10) ADD_FAILURE() << full << " -> " << bad << " not detected";
        }
    }
    EXPECT_EQ(missed, 0) << "of " << checked << " transpositions";
    EXPECT_GT(checked, 30000);
}

// verhoeff_valid(body + check) for random bodies, longer than any VID too.
TEST(Verhoeff, CheckDigitMakesValid) {
    std::mt19937_64 rng(7);
    for (int iter = 0; iter < 20000; ++iter) {
        std::string body(1 + rng() % 30, '0');
        for (char& c : body) c = static_cast<char>('0' + rng() % 10);
        EXPECT_TRUE(verhoeff_valid(vidtest::with_check(body))) << body;
    }
}

}  // namespace

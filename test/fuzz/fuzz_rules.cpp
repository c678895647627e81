// libFuzzer target: the rule checker on arbitrary bytes.
//
// Each input is checked three ways:
//   1. the whole input as a candidate under the default (MOSIP) configuration;
//   2. a configuration decoded from the first bytes (below), the remaining bytes as the candidate;
//   3. under both configurations, the candidate turned into digits of the configured length that
//      carry their Verhoeff check digit, so the pattern rules are reached, not only length/digits.
// Header of (2), a missing byte keeping the default:
//   byte 0: length = 4 + b % 15
//   bytes 1..3: sequence, repeating, repeated-block limit = b % 21 (255: 100)
//   byte 4: not_start_with count = b & 3, restricted count = (b >> 2) & 3 (absent: default lists)
//   then per entry: a length byte (1 + b % 4, or 1 + b % 18 when b >= 0xF0) and one byte per
//   digit (b % 10).
// Invariants (a violation prints the config and candidate, then traps):
//   - is_valid(s) == (first_failing_rule(s) == Ok); rule_name() is null exactly for Ok;
//   - first_failing_rule (one-pass PatternScan first) == first_failing_rule_reference;
//   - a valid s is ASCII digits of exactly the configured length, last digit = check digit;
//   - java_length(s) <= s.size(); = s.size() for ASCII; = UTF-16 units for strict UTF-8;
//   - first_failing_rule agrees with a naive reading of ../shared/docs/vid-rules.md;
//   - the generator's view of the rules (local_ok at every position, block_ok,
//     has_repeated_block) agrees with the checker's, and VerhoeffPrefix with verhoeff_check_digit.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"
#include "generator.hpp"
#include "rules.hpp"
#include "verhoeff.hpp"

namespace {

using vid::Rule;
using vid::RuleConfig;
using vid::RuleSet;
using vidfuzz::name_of;

bool all_digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

bool all_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

// UTF-16 code units of s when s is well-formed UTF-8 (no overlong forms, no surrogates, nothing
// above U+10FFFF); -1 otherwise.
long strict_utf16_units(std::string_view s) {
    long units = 0;
    size_t i = 0;
    const size_t n = s.size();
    auto cont = [&](size_t k) { return k < n && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80; };
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++units;
            ++i;
            continue;
        }
        int len;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return -1;
        }
        for (int k = 1; k < len; ++k) {
            if (!cont(i + static_cast<size_t>(k))) return -1;
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        units += len == 4 ? 2 : 1;
        i += static_cast<size_t>(len);
    }
    return units;
}

// The rules read naively from vid-rules.md, one rule at a time, over the whole string.
bool ref_sequence(std::string_view s, int L) {
    if (L <= 0) return false;
    const std::string_view up = "0123456789", down = "9876543210";
    for (size_t i = 0; i + static_cast<size_t>(L) <= s.size(); ++i) {
        const std::string_view w = s.substr(i, static_cast<size_t>(L));
        if (up.find(w) != std::string_view::npos || down.find(w) != std::string_view::npos) return true;
    }
    return false;
}

bool ref_repeating(std::string_view s, int N) {  // (\d)\d{0,N-1}\1
    if (N <= 0) return false;
    for (size_t i = 0; i < s.size(); ++i)
        for (size_t j = i + 1; j < s.size() && j - i <= static_cast<size_t>(N); ++j)
            if (s[i] == s[j]) return true;
    return false;
}

bool ref_repeated_block(std::string_view s, int B) {  // (\d{B,}).*?\1
    if (B <= 0) return false;
    const size_t b = static_cast<size_t>(B);
    for (size_t i = 0; i + b <= s.size(); ++i)
        for (size_t j = i + b; j + b <= s.size(); ++j)
            if (s.substr(i, b) == s.substr(j, b)) return true;
    return false;
}

bool ref_not_start_with(std::string_view s, const RuleConfig& c) {
    for (const auto& p : c.not_start_with)
        if (s.size() >= p.size() && s.substr(0, p.size()) == p) return true;
    return false;
}

bool ref_restricted(std::string_view s, const RuleConfig& c) {
    for (const auto& r : c.restricted)
        if (s.find(r) != std::string_view::npos) return true;
    return false;
}

Rule reference_rule(const RuleConfig& c, std::string_view s) {
    if (s.empty()) return Rule::Empty;
    // Java's length: the UTF-16 units. For malformed UTF-8 the core's documented choice (see
    // java_length) is taken as given; it is checked separately below.
    const long strict = strict_utf16_units(s);
    const size_t units = strict >= 0 ? static_cast<size_t>(strict) : vid::java_length(s);
    if (units != static_cast<size_t>(c.length)) return Rule::Length;
    if (!all_digits(s)) return Rule::NonDigit;
    if (ref_sequence(s, c.sequence_limit)) return Rule::Sequence;
    if (ref_repeating(s, c.repeating_limit)) return Rule::Repeating;
    if (ref_repeated_block(s, c.repeated_block_limit)) return Rule::RepeatedBlock;
    if (ref_not_start_with(s, c)) return Rule::NotStartWith;
    if (ref_restricted(s, c)) return Rule::Restricted;
    if (!vid::verhoeff_valid(s)) return Rule::Checksum;
    return Rule::Ok;
}

void check_candidate(const RuleSet& rules, std::string_view s) {
    const RuleConfig& c = rules.config();
    const RuleConfig* cp = &c;
    const Rule f = rules.first_failing_rule(s);
    std::string got = std::string("first_failing_rule = ") + name_of(f);

    FUZZ_CHECK(rules.is_valid(s) == (f == Rule::Ok), cp, s, got);
    // The one-pass fast path (PatternScan) against the rule-by-rule checks.
    FUZZ_CHECK(f == rules.first_failing_rule_reference(s), cp, s,
               got + ", rule by rule: " + name_of(rules.first_failing_rule_reference(s)));
    if (s.size() == static_cast<size_t>(c.length) && rules.scan().covers())
        FUZZ_CHECK(rules.scan().all_pass(s.data()) == (f == Rule::Ok), cp, s, got + ", PatternScan disagrees");
    const char* name = vid::rule_name(f);
    FUZZ_CHECK((name == nullptr) == (f == Rule::Ok), cp, s, got);
    FUZZ_CHECK(name == nullptr || name[0] != '\0', cp, s, got);

    const size_t jl = vid::java_length(s);
    const std::string jls = "java_length = " + std::to_string(jl);
    FUZZ_CHECK(jl <= s.size(), cp, s, jls);
    if (all_ascii(s)) FUZZ_CHECK(jl == s.size(), cp, s, jls);
    const long strict = strict_utf16_units(s);
    if (strict >= 0) FUZZ_CHECK(jl == static_cast<size_t>(strict), cp, s, jls + ", UTF-16 units = " + std::to_string(strict));

    const bool digits = all_digits(s);
    if (f == Rule::Ok) {
        FUZZ_CHECK(s.size() == static_cast<size_t>(c.length), cp, s, got);
        FUZZ_CHECK(digits, cp, s, got);
        FUZZ_CHECK(s.back() - '0' == vid::verhoeff_check_digit(s.substr(0, s.size() - 1)), cp, s, got);
    }

    const Rule want = reference_rule(c, s);
    FUZZ_CHECK(f == want, cp, s, got + ", vid-rules.md says " + name_of(want));

    if (!digits || s.empty()) return;
    // Checksum: the whole-string check and the check digit agree, and so does the left-to-right
    // accumulation the generator uses.
    const std::string_view body = s.substr(0, s.size() - 1);
    const int check = vid::verhoeff_check_digit(body);
    FUZZ_CHECK(check >= 0 && check <= 9, cp, s, "check digit " + std::to_string(check));
    FUZZ_CHECK(vid::verhoeff_valid(s) == (s.back() - '0' == check), cp, s,
               "verhoeff_valid disagrees with check digit " + std::to_string(check));
    if (body.size() <= 32) {
        static const vid::VerhoeffPrefix* prefixes[33] = {};  // one per body length, built once
        const vid::VerhoeffPrefix*& slot = prefixes[body.size()];
        if (!slot) slot = new vid::VerhoeffPrefix(static_cast<int>(body.size()));
        const vid::VerhoeffPrefix& prefix = *slot;
        int acc = 0;
        for (size_t j = 0; j < body.size(); ++j) acc = prefix.step(static_cast<int>(j), body[j] - '0', acc);
        FUZZ_CHECK(vid::VerhoeffPrefix::check_digit(acc) == check, cp, s,
                   "VerhoeffPrefix gives " + std::to_string(vid::VerhoeffPrefix::check_digit(acc)) +
                       ", verhoeff_check_digit " + std::to_string(check));
    }
    // Repeated block on any length (covers the long-string path too).
    const bool block = ref_repeated_block(s, c.repeated_block_limit);
    FUZZ_CHECK(rules.has_repeated_block(s) == block, cp, s, std::string("has_repeated_block should be ") + (block ? "true" : "false"));

    if (s.size() != static_cast<size_t>(c.length)) return;
    // The generator's incremental view: local_ok at every position fails iff a local rule
    // (sequence, repeating, not-start-with, restricted) does; block_ok iff the block rule does.
    const bool local = ref_sequence(s, c.sequence_limit) || ref_repeating(s, c.repeating_limit) ||
                       ref_not_start_with(s, c) || ref_restricted(s, c);
    bool local_fail = false, block_fail = false;
    for (int pos = 0; pos < static_cast<int>(s.size()); ++pos) {
        local_fail = local_fail || !rules.local_ok(s.data() + pos, pos);
        block_fail = block_fail || !rules.block_ok(s.data(), pos);
    }
    FUZZ_CHECK(local_fail == local, cp, s, std::string("local_ok says ") + (local_fail ? "broken" : "fine"));
    FUZZ_CHECK(block_fail == block, cp, s, std::string("block_ok says ") + (block_fail ? "broken" : "fine"));
    FUZZ_CHECK(rules.history() >= 0 && rules.history() < c.length, cp, s, "history " + std::to_string(rules.history()));

    char back[vid::kMaxLength];
    vid::number_to_digits(vid::digits_to_number(s.data(), c.length), c.length, back);
    FUZZ_CHECK(std::string_view(back, s.size()) == s, cp, s, "digits_to_number/number_to_digits round trip");
}

// The candidate turned into `length` digits whose last is the check digit of the others.
std::string as_vid(std::string_view bytes, int length) {
    std::string out;
    for (size_t i = 0; out.size() + 1 < static_cast<size_t>(length); ++i)
        out.push_back(static_cast<char>('0' + (i < bytes.size() ? static_cast<unsigned char>(bytes[i]) % 10 : (i * 7 + 3) % 10)));
    out.push_back(static_cast<char>('0' + vid::verhoeff_check_digit(out)));
    return out;
}

int limit_of(uint8_t b) { return b == 0xFF ? vid::kMaxLimit : b % 21; }

RuleConfig decode(vidfuzz::Reader& r) {
    RuleConfig c;
    c.length = vid::kMinLength + r.byte(12) % 15;
    c.sequence_limit = limit_of(r.byte(3));
    c.repeating_limit = limit_of(r.byte(2));
    c.repeated_block_limit = limit_of(r.byte(2));
    if (r.empty()) return c;  // default lists
    const uint8_t counts = r.byte();
    auto entry = [&] {
        const uint8_t h = r.byte();
        const int len = h >= 0xF0 ? 1 + h % 18 : 1 + h % 4;
        std::string e;
        for (int i = 0; i < len; ++i) e.push_back(static_cast<char>('0' + r.byte(5) % 10));
        return e;
    };
    c.not_start_with.clear();
    c.restricted.clear();
    for (int i = 0; i < (counts & 3); ++i) c.not_start_with.push_back(entry());
    for (int i = 0; i < ((counts >> 2) & 3); ++i) c.restricted.push_back(entry());
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const RuleSet default_rules{RuleConfig{}};
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    check_candidate(default_rules, all);
    check_candidate(default_rules, as_vid(all, default_rules.config().length));

    vidfuzz::Reader reader(data, size);
    const RuleConfig config = decode(reader);
    if (!vid::config_error(config).empty())
        vidfuzz::fail("decoded config refused", __LINE__, &config, all, vid::config_error(config));
    const RuleSet rules(config);
    check_candidate(rules, reader.rest());
    check_candidate(rules, as_vid(reader.rest(), config.length));
    return 0;
}

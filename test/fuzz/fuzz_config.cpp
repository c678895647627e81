// libFuzzer target: configuration validation and the generator built on what it accepts.
//
// Input layout (a missing byte keeps the MOSIP default, so the empty input is the default config):
//   byte 0 (flags): max_states = {16, 512, 8192, 100000}[b & 3]; bit 2: also append a long
//     not_start_with list of 998 + ((b >> 3) & 3) entries (around the 1000-entry limit)
//   length, sequence, repeating, repeated-block limit: one selector byte each
//     < 0x80: in range (length 4 + b % 15, limits b % 8);  0x80..0xBF: length as before,
//     limits b % 21;  0xC0..0xEF: a boundary value (negative, 0, 18, 19, 100, 101, INT_MIN, ...);
//     >= 0xF0: the next 4 bytes as a big-endian int32
//   not_start_with, then restricted: a count byte (0xFF: keep the default list; else b % 8
//     entries), then per entry a header byte
//       < 0xC0: 1 + b % 5 digits;  0xC0..0xDF: b - 0xC0 digits (0..31, so empty and too long);
//       >= 0xE0: b - 0xE0 raw bytes (anything: non-digits, NUL, UTF-8)
//     and one byte per character (a digit is b % 10).
//
// Checked: config_error/pattern_error accept exactly what the documented limits allow. For an
// accepted config: RuleSet::history() is in range; the automaton (when it is built) counts no more
// than 10^(length-1) bodies and, for length <= 5, exactly the bodies that pass the local rules as
// first_failing_rule sees them; space_size() matches brute force for length <= 5 and is within
// the body count above 8; every generated VID (both methods) is valid, has the configured length
// and a body count of 0 makes generate() throw SpaceExhausted. Generation only runs when a valid
// VID is known to be quick to find (an exhaustive count for length <= 5, or valid VIDs among a
// sample of random bodies), so one input stays well under a second even though a hopeless
// configuration would take Generator::kMaxAttemptsPerVid draws to give up.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "fuzz_util.hpp"
#include "generator.hpp"
#include "random.hpp"
#include "rules.hpp"
#include "verhoeff.hpp"

namespace {

using vid::Generator;
using vid::Rule;
using vid::RuleConfig;
using vid::RuleSet;
using Method = vid::Generator::Method;

constexpr int kInteresting[] = {INT_MIN, -1000, -101, -100, -2, -1, 0, 1, 2, 3, 4, 5, 9, 10, 11,
                                15, 16, 17, 18, 19, 20, 99, 100, 101, 1000, 65536, INT_MAX};

int decode_int(vidfuzz::Reader& r, int fallback, bool is_length) {
    if (r.empty()) return fallback;
    const uint8_t b = r.byte();
    if (b < 0xC0) {
        if (is_length) return vid::kMinLength + b % 15;
        return b < 0x80 ? b % 8 : b % 21;
    }
    if (b < 0xF0) return kInteresting[(b - 0xC0) % (sizeof kInteresting / sizeof kInteresting[0])];
    return r.int32(fallback);
}

void decode_list(vidfuzz::Reader& r, std::vector<std::string>& list) {
    if (r.empty()) return;
    const uint8_t count = r.byte();
    if (count == 0xFF) return;
    list.clear();
    for (int i = 0; i < count % 8; ++i) {
        const uint8_t h = r.byte(0);
        std::string e;
        if (h < 0xE0) {
            const int len = h < 0xC0 ? 1 + h % 5 : h - 0xC0;
            for (int k = 0; k < len; ++k) e.push_back(static_cast<char>('0' + r.byte(7) % 10));
        } else {
            for (int k = 0; k < h - 0xE0; ++k) e.push_back(static_cast<char>(r.byte('x')));
        }
        list.push_back(std::move(e));
    }
}

// What config_error must accept (rules.hpp and vid-rules.md), written independently of it.
bool pattern_ok(std::string_view p) {
    if (p.empty() || p.size() > static_cast<size_t>(vid::kMaxLength)) return false;
    for (char ch : p)
        if (ch < '0' || ch > '9') return false;
    return true;
}

bool config_ok(const RuleConfig& c) {
    if (c.length < vid::kMinLength || c.length > vid::kMaxLength) return false;
    for (int l : {c.sequence_limit, c.repeating_limit, c.repeated_block_limit})
        if (l < 0 || l > vid::kMaxLimit) return false;
    if (c.not_start_with.size() > static_cast<size_t>(vid::kMaxListEntries)) return false;
    for (const auto& p : c.not_start_with)
        if (!pattern_ok(p)) return false;
    for (const auto& p : c.restricted)
        if (!pattern_ok(p)) return false;
    return true;
}

uint64_t pow10(int n) {
    uint64_t v = 1;
    for (int i = 0; i < n; ++i) v *= 10;
    return v;
}

vid::Csprng& rng() {
    static vid::Csprng r;
    return r;
}

struct Context {
    const RuleConfig* config;
    const RuleSet* rules;
};

// Draws a few VIDs with `g` and checks each. must_succeed: a valid VID is known to exist and be
// reachable with overwhelming probability within the attempt budget.
void generate_and_check(const Context& ctx, const Generator& g, bool must_succeed, const char* what) {
    const int len = ctx.config->length;
    uint64_t out[4];
    try {
        g.generate(rng(), out, 4);
    } catch (const vid::Error& e) {
        FUZZ_CHECK(e.kind() == vid::ErrorKind::SpaceExhausted, ctx.config, "", std::string(what) + ": " + e.what());
        FUZZ_CHECK(!must_succeed, ctx.config, "",
                   std::string(what) + ": SpaceExhausted although valid VIDs exist: " + e.what());
        return;
    }
    char buf[vid::kMaxLength + 1];
    for (uint64_t v : out) {
        FUZZ_CHECK(v < pow10(len), ctx.config, "", std::string(what) + ": value " + std::to_string(v) + " too long");
        vid::number_to_digits(v, len, buf);
        const std::string_view s(buf, static_cast<size_t>(len));
        const Rule f = ctx.rules->first_failing_rule(s);
        FUZZ_CHECK(f == Rule::Ok, ctx.config, s, std::string(what) + " generated a VID that fails " + vidfuzz::name_of(f));
    }
    g.generate_digits(rng(), buf);
    const std::string_view s(buf, static_cast<size_t>(len));
    const Rule f = ctx.rules->first_failing_rule(s);
    FUZZ_CHECK(f == Rule::Ok, ctx.config, s, std::string(what) + " generate_digits made a VID that fails " + vidfuzz::name_of(f));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    vidfuzz::Reader r(data, size);
    const uint8_t flags = r.byte(0x02);
    static constexpr size_t kStates[] = {16, 512, 8192, 100000};
    const size_t max_states = kStates[flags & 3];

    RuleConfig c;
    c.length = decode_int(r, c.length, true);
    c.sequence_limit = decode_int(r, c.sequence_limit, false);
    c.repeating_limit = decode_int(r, c.repeating_limit, false);
    c.repeated_block_limit = decode_int(r, c.repeated_block_limit, false);
    decode_list(r, c.not_start_with);
    decode_list(r, c.restricted);
    if (flags & 4) {
        const int n = 998 + ((flags >> 3) & 3);
        for (int i = 0; i < n; ++i) c.not_start_with.push_back(std::to_string(i) + "9");
    }

    // Validation.
    for (const auto* list : {&c.not_start_with, &c.restricted})
        for (const auto& p : *list)
            FUZZ_CHECK(vid::pattern_error(p).empty() == pattern_ok(p), &c, p, "pattern_error: " + vid::pattern_error(p));
    const std::string_view rest = r.rest();
    FUZZ_CHECK(vid::pattern_error(rest).empty() == pattern_ok(rest), &c, rest, "pattern_error: " + vid::pattern_error(rest));
    const std::string err = vid::config_error(c);
    FUZZ_CHECK(err.empty() == config_ok(c), &c, "", "config_error: " + err);
    if (!err.empty()) return 0;

    // Construction.
    const RuleSet rules(c);
    const Context ctx{&c, &rules};
    const int len = c.length, body_len = len - 1;
    FUZZ_CHECK(rules.history() >= 0 && rules.history() < len, &c, "", "history " + std::to_string(rules.history()));
    const Generator aut(rules, Method::Automaton, max_states);
    const Generator early(rules, Method::EarlyAbort);
    FUZZ_CHECK(early.method() == Method::EarlyAbort && early.length() == len && aut.length() == len, &c, "", "");
    const bool automaton = aut.method() == Method::Automaton;
    if (automaton) {
        FUZZ_CHECK(aut.body_count() <= pow10(body_len), &c, "", "body_count " + std::to_string(aut.body_count()));
    } else {
        FUZZ_CHECK(aut.body_count() == 0, &c, "", "fallback with body_count " + std::to_string(aut.body_count()));
    }

    // How many valid VIDs exist: exactly for short lengths, otherwise whether a sample of random
    // bodies holds any (then a uniform draw succeeds with a probability near the sample's rate,
    // and the automaton, which only draws bodies that pass the local rules, does at least as well).
    char buf[vid::kMaxLength + 1];
    bool quick = false;         // valid VIDs are known to be frequent enough among all bodies
    bool exact_known = false;   // ... and known to exist (exhaustive count)
    if (len <= 5) {
        RuleConfig body_config = c;  // the local rules on the body alone
        body_config.length = body_len;
        body_config.repeated_block_limit = 0;
        const RuleSet body_rules(body_config);
        uint64_t valid = 0, local_bodies = 0;
        for (uint64_t b = 0; b < pow10(body_len); ++b) {
            vid::number_to_digits(b, body_len, buf);
            const Rule bf = body_rules.first_failing_rule(std::string_view(buf, static_cast<size_t>(body_len)));
            local_bodies += bf == Rule::Ok || bf == Rule::Checksum;
            buf[body_len] = static_cast<char>('0' + vid::verhoeff_check_digit(std::string_view(buf, static_cast<size_t>(body_len))));
            valid += rules.is_valid(std::string_view(buf, static_cast<size_t>(len)));
        }
        if (automaton)
            FUZZ_CHECK(aut.body_count() == local_bodies, &c, "",
                       "body_count " + std::to_string(aut.body_count()) + ", bodies passing the local rules " +
                           std::to_string(local_bodies));
        for (const Generator* g : {&aut, &early}) {
            const Generator::SpaceSize sz = g->space_size(rng());
            FUZZ_CHECK(sz.exact && sz.valid == static_cast<double>(valid), &c, "",
                       "space_size " + std::to_string(sz.valid) + (sz.exact ? " exact" : " estimate") +
                           ", brute force " + std::to_string(valid));
        }
        quick = exact_known = valid > 0;
    } else {
        for (int i = 0; i < 1024 && !quick; ++i) {
            for (int p = 0; p < body_len; ++p) buf[p] = static_cast<char>('0' + rng().digit());
            buf[body_len] = static_cast<char>('0' + vid::verhoeff_check_digit(std::string_view(buf, static_cast<size_t>(body_len))));
            quick = rules.is_valid(std::string_view(buf, static_cast<size_t>(len)));
        }
    }
    bool quick_automaton = quick;
    if (automaton && aut.body_count() > 0 && len > Generator::kExactSpaceMaxLength) {
        const Generator::SpaceSize sz = aut.space_size(rng(), 1024);
        FUZZ_CHECK(!sz.exact && sz.valid >= 0 && sz.valid <= static_cast<double>(aut.body_count()), &c, "",
                   "space_size estimate " + std::to_string(sz.valid) + " for body_count " + std::to_string(aut.body_count()));
        quick_automaton = quick_automaton || sz.valid > 0;
    }

    // Generation.
    if (automaton && aut.body_count() == 0) {
        FUZZ_CHECK(!exact_known, &c, "", "body_count 0 but valid VIDs exist");
        bool threw = false;
        try {
            uint64_t v;
            aut.generate(rng(), &v, 1);
        } catch (const vid::Error& e) {
            threw = e.kind() == vid::ErrorKind::SpaceExhausted;
        }
        FUZZ_CHECK(threw, &c, "", "generate() with body_count 0 did not throw SpaceExhausted");
    } else if (quick_automaton) {
        generate_and_check(ctx, aut, exact_known, automaton ? "automaton" : "automaton (fell back to early abort)");
    }
    if (quick) generate_and_check(ctx, early, exact_known, "early abort");
    return 0;
}

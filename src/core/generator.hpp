// Uniform generation of valid VIDs (vid-rules.md, "how VIDs are made").
#pragma once
#include "no_postgres.hpp"
#include <cstddef>
#include <cstdint>
#include <vector>

#include "random.hpp"
#include "rules.hpp"
#include "verhoeff.hpp"

namespace vid {

// Draws VIDs uniformly from all valid VIDs of a rule set.
//
// The local rules (sequence, repeating, not-start-with, restricted) are a finite automaton over
// the last few digits. Counting its paths by dynamic programming lets us draw the body (all but
// the check digit) uniformly among the bodies that pass them, from one random number per body;
// the remaining rules (repeated block, windows with the check digit) then accept or redraw. Every
// valid VID has exactly one body, so the result is exactly uniform. When the automaton would be
// too large (long restricted numbers or prefixes), it falls back to digit-by-digit draws that
// start over from the first digit as soon as a prefix breaks a rule, which is also uniform.
class Generator {
public:
    enum class Method { Automaton, EarlyAbort };

    explicit Generator(const RuleSet& rules, Method preferred = Method::Automaton,
                       size_t max_states = size_t{1} << 20);

    // Fills out[0..count) with valid VIDs as numbers, each drawn independently and uniformly
    // (duplicates are possible: the caller deduplicates against what exists). Throws
    // Error(SpaceExhausted) when no valid VID is found within a bounded number of attempts.
    void generate(Csprng& rng, uint64_t* out, size_t count) const;

    // One VID as ASCII digits into buf (length() bytes, not terminated).
    void generate_digits(Csprng& rng, char* buf) const;

    Method method() const noexcept { return method_; }
    int length() const noexcept { return rules_.config().length; }

    // Bodies that pass the local rules (an upper bound of the space's size, exact for the
    // automaton); 0 means no valid VID can exist. Only known with Method::Automaton.
    uint64_t body_count() const noexcept { return body_count_; }

    // How many valid VIDs exist under these rules: exact (enumerated) for lengths up to
    // kExactSpaceMaxLength, otherwise an estimate from `samples` drawn bodies (the automaton's
    // body count, or all bodies for the fallback, times the share that makes a valid VID).
    struct SpaceSize {
        double valid;
        bool exact;
    };
    SpaceSize space_size(Csprng& rng, int samples = 200000) const;
    static constexpr int kExactSpaceMaxLength = 8;

    // Attempts (bodies drawn) before generation gives up on one VID.
    static constexpr uint64_t kMaxAttemptsPerVid = 2'000'000;

private:
    static constexpr int kLanes = 8;
    static constexpr int kBufLen = kMaxLength + 2;

    bool build_automaton(size_t max_states);
    void draw_bodies_automaton(Csprng& rng, char (*bufs)[kBufLen], int* check) const;
    bool draw_body_early_abort(Csprng& rng, char* buf) const;
    bool finish(char* buf, int check_digit) const;

    RuleSet rules_;
    Method method_;
    int body_len_;
    VerhoeffPrefix verhoeff_;
    uint64_t body_count_ = 0;
    // Per layer p (digits placed): next_[p][state * 10 + d] is the state after digit d at layer
    // p + 1, or -1 when d breaks a local rule; count_[p][state] counts the completions.
    std::vector<std::vector<int32_t>> next_;
    std::vector<std::vector<uint64_t>> count_;
    std::vector<std::vector<uint64_t>> upper_;
};

// The numeric value of a string of ASCII digits (at most 18 of them).
uint64_t digits_to_number(const char* digits, int len) noexcept;

// Writes `value` as exactly `len` ASCII digits, zero-padded on the left.
void number_to_digits(uint64_t value, int len, char* out) noexcept;

}  // namespace vid

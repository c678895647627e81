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

// How Variant::Folded lays its tables out. Every layout draws exactly the same distribution;
// the defaults are the fast ones, tests shrink the limits so that short lengths exercise the
// 64-bit layers and the prefix table too.
struct FoldedLayout {
    uint64_t narrow_max = UINT32_MAX;  // a layer whose counts are all <= this draws in 32 bits
    size_t max_prefixes = 16384;       // the largest prefix table (0: none)
};

// Draws VIDs uniformly from all valid VIDs of a rule set.
//
// The local rules (sequence, repeating, not-start-with, restricted) are a finite automaton over
// the last few digits. Counting its paths by dynamic programming lets us draw a string uniformly
// among the strings it accepts, from one random number per string (unranking); the rules the
// automaton does not see then accept or redraw. Every valid VID is exactly one accepted path, so
// the result is exactly uniform.
//
// Two automata, the first that fits in max_states is used:
//   Variant::Folded  the state also carries the Verhoeff accumulator (x10 states), so a drawn
//                    string of all `length` digits passes every local rule and the checksum;
//                    only the repeated-block rule is left, and it is checked digit by digit
//                    (a draw that breaks it is dropped at once and another one starts). Also
//                    needs at most 65,536 states per layer.
//   Variant::Local   the body (all but the check digit) passes the local rules; the check digit
//                    is appended, then its own windows and the repeated-block rule are checked.
// When neither fits (long restricted numbers or prefixes), Method::EarlyAbort draws digit by digit
// and starts over from the first digit as soon as a prefix breaks a rule, which is also uniform.

class Generator {
public:
    enum class Method { Automaton, EarlyAbort };
    // Which automaton Method::Automaton uses (see above); meaningless for EarlyAbort.
    enum class Variant { Folded, Local };

    // max_states bounds the automaton's states summed over all layers. `variant` is the preferred
    // one: Folded falls back to Local when it does not fit, Local to EarlyAbort.
    explicit Generator(const RuleSet& rules, Method preferred = Method::Automaton,
                       size_t max_states = size_t{1} << 20, Variant variant = Variant::Folded,
                       FoldedLayout layout = FoldedLayout{});

    // Fills out[0..count) with valid VIDs as numbers, each drawn independently and uniformly
    // (duplicates are possible: the caller deduplicates against what exists). Throws
    // Error(SpaceExhausted) when no valid VID is found within a bounded number of attempts.
    void generate(Csprng& rng, uint64_t* out, size_t count) const;

    // One VID as ASCII digits into buf (length() bytes, not terminated).
    void generate_digits(Csprng& rng, char* buf) const;

    Method method() const noexcept { return method_; }
    Variant variant() const noexcept { return variant_; }
    int length() const noexcept { return rules_.config().length; }

    // How many strings the automaton draws from (an upper bound of the space's size); 0 means
    // no valid VID can exist. Only known with Method::Automaton. Variant::Folded: the whole
    // strings (check digit included) that pass the local rules and the checksum; Variant::Local:
    // the bodies (without the check digit) that pass the local rules.
    uint64_t body_count() const noexcept { return body_count_; }

    // Variant::Folded's layout (for tests): the layers that draw with 64-bit counts, and how many
    // of them a draw skips through the prefix table.
    int wide_layers() const noexcept { return wide_layers_; }
    int prefix_layers() const noexcept { return prefix_layers_; }

    // How many valid VIDs exist under these rules: exact (enumerated) for lengths up to
    // kExactSpaceMaxLength, otherwise an estimate from `samples` drawn bodies (the automaton's
    // body count, or all bodies for the fallback, times the share that makes a valid VID; an
    // unbiased estimate).
    struct SpaceSize {
        double valid;
        bool exact;
    };
    SpaceSize space_size(Csprng& rng, int samples = 200000) const;
    static constexpr int kExactSpaceMaxLength = 8;

    // Attempts (bodies drawn, consecutive failures) before generation gives up on one VID.
    static constexpr uint64_t kMaxAttemptsPerVid = 2'000'000;

private:
    static constexpr int kLanes = 8;
    static constexpr int kBufLen = kMaxLength + 2;

    bool build_local_automaton(int layers, size_t max_states);
    void build_body_counts();
    bool build_folded(size_t max_states, const FoldedLayout& layout);
    void draw_bodies_automaton(Csprng& rng, char (*bufs)[kBufLen], int* check) const;
    bool draw_body_early_abort(Csprng& rng, char* buf) const;
    bool finish(char* buf, int check_digit) const;

    void generate_by_bodies(Csprng& rng, uint64_t* out, size_t count) const;
    void generate_folded(Csprng& rng, uint64_t* out, size_t count) const;
    template <int Lanes>
    void generate_folded_blocks(Csprng& rng, uint64_t* out, size_t count) const;
    template <class Blocks, int Lanes>
    void generate_folded_with(Csprng& rng, uint64_t* out, size_t count) const;
    void unrank_folded(uint64_t rank, char* buf) const;

    RuleSet rules_;
    Method method_;
    Variant variant_ = Variant::Local;
    int body_len_;
    VerhoeffPrefix verhoeff_;
    uint64_t body_count_ = 0;
    // The local automaton. Per layer p (digits placed): next_[p][state * 10 + d] is the state
    // after digit d at index p, or -1 when d breaks a local rule. Variant::Local has body_len_
    // layers, Variant::Folded length() layers (the check digit's too).
    std::vector<std::vector<int32_t>> next_;
    std::vector<size_t> layer_states_;  // local states per layer, layers + 1 entries
    // Variant::Local: count_[p][state] counts the completions of the body;
    // upper_[p][state * 11 + 1 + d] the completions through digits 0..d.
    std::vector<std::vector<uint64_t>> count_;
    std::vector<std::vector<uint64_t>> upper_;
    // Variant::Folded: a folded state is a local state with a Verhoeff accumulator. Only the
    // states that are reachable and have completions get a record, numbered per layer. A record
    // holds, per digit d, bound[d]: the completions through digits 0..d-1 (bound[0] is 0; the
    // digit drawn for rank r is the number of bound[1..9] that are <= r), and next[d]: the
    // number of the state after d in the next layer. Layers [0, wide_layers_) need 64-bit
    // counts (two cache lines a record); the later ones, where most states are, fit 32 bits
    // (one cache line).
    template <typename Bound>
    struct alignas(64) FoldedRecord {
        Bound bound[10];
        uint16_t next[10];
    };
    using WideRecord = FoldedRecord<uint64_t>;
    using NarrowRecord = FoldedRecord<uint32_t>;
    static constexpr size_t kMaxFoldedLayerStates = 65536;  // FoldedRecord::next is 16 bits
    int wide_layers_ = 0;
    std::vector<WideRecord> wide_records_;
    std::vector<NarrowRecord> narrow_records_;
    std::vector<size_t> layer_offset_;  // first record of layer p (in its kind's vector)
    // A draw starts with its first prefix_layers_ digits at once (they would be wide steps):
    // prefix_start_[i] is the first rank of prefix i (ascending, from 0), prefix_[i] its digits
    // and the record it reaches at layer prefix_layers_. prefix_layers_ is the most wide layers
    // that have at most FoldedLayout::max_prefixes paths; 0 (no table) when even one layer has more.
    struct Prefix {
        uint64_t number;  // the digits as a number
        uint64_t digits;  // the same digits, 4 bits each, the first in the lowest bits
        uint32_t state;
    };
    int prefix_layers_ = 0;
    std::vector<uint64_t> prefix_start_;
    std::vector<Prefix> prefix_;
    // Finding the prefix of a rank r: bucket b(r) = (r * prefix_scale_) >> 64 is monotone in r,
    // so the prefix holding r lies in [prefix_guide_[b], prefix_guide_[b + 1]] (a few entries:
    // there are more buckets than prefixes).
    uint64_t prefix_scale_ = 0;
    std::vector<uint32_t> prefix_guide_;
    void build_prefix_guide();
    size_t find_prefix(uint64_t rank) const noexcept;
};

// The numeric value of a string of ASCII digits (at most 18 of them).
uint64_t digits_to_number(const char* digits, int len) noexcept;

// Writes `value` as exactly `len` ASCII digits, zero-padded on the left.
void number_to_digits(uint64_t value, int len, char* out) noexcept;

}  // namespace vid

// Generator: automaton + DP counting (uniform bodies), with an early-abort fallback.
#include "generator.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "error.hpp"
#include "verhoeff.hpp"

namespace vid {

uint64_t digits_to_number(const char* digits, int len) noexcept {
    uint64_t v = 0;
    for (int i = 0; i < len; ++i) v = v * 10 + static_cast<uint64_t>(digits[i] - '0');
    return v;
}

void number_to_digits(uint64_t value, int len, char* out) noexcept {
    for (int i = len - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

Generator::Generator(const RuleSet& rules, Method preferred, size_t max_states, Variant variant,
                     FoldedLayout layout)
    : rules_(rules), method_(preferred), body_len_(rules.config().length - 1), verhoeff_(body_len_) {
    if (method_ != Method::Automaton) return;
    // The folded automaton is ten times the local one: try it first, then the local one, then
    // give up on automata.
    if (variant == Variant::Folded && build_local_automaton(length(), max_states) && build_folded(max_states, layout)) {
        variant_ = Variant::Folded;
        return;
    }
    wide_records_.clear();
    narrow_records_.clear();
    layer_offset_.clear();
    prefix_start_.clear();
    prefix_.clear();
    wide_layers_ = prefix_layers_ = 0;
    if (build_local_automaton(body_len_, max_states)) {
        build_body_counts();
        variant_ = Variant::Local;
        return;
    }
    next_.clear();
    method_ = Method::EarlyAbort;
}

// The local automaton over the first `layers` digits: next_ and the number of states of every
// layer (layer_states_, layers + 1 entries). False when it has more than max_states states.
bool Generator::build_local_automaton(int layers, size_t max_states) {
    const int K = rules_.history();
    uint64_t modK = 1;
    for (int i = 0; i < K; ++i) modK *= 10;

    // states[p]: the last min(p, K) digits of each reachable prefix of p digits.
    std::vector<std::vector<uint64_t>> states(static_cast<size_t>(layers) + 1);
    states[0].push_back(0);
    next_.assign(static_cast<size_t>(layers), {});
    size_t total = 1;
    char buf[kMaxLength + 2];
    for (int p = 0; p < layers; ++p) {
        std::unordered_map<uint64_t, int32_t> index;
        const int len = std::min(p, K);
        next_[p].assign(states[p].size() * 10, -1);
        for (size_t si = 0; si < states[p].size(); ++si) {
            const uint64_t s = states[p][si];
            number_to_digits(s, len, buf);
            for (int d = 0; d < 10; ++d) {
                buf[len] = static_cast<char>('0' + d);
                if (!rules_.local_ok(buf + len, p)) continue;
                uint64_t ns = s * 10 + static_cast<uint64_t>(d);
                if (p + 1 > K) ns %= modK;
                auto [it, added] = index.emplace(ns, static_cast<int32_t>(states[p + 1].size()));
                if (added) {
                    states[p + 1].push_back(ns);
                    if (++total > max_states) return false;
                }
                next_[p][si * 10 + static_cast<size_t>(d)] = it->second;
            }
        }
    }
    layer_states_.clear();
    for (const auto& layer : states) layer_states_.push_back(layer.size());
    return true;
}

// Variant::Local: path counts of the body automaton and the cumulative bounds for unranking.
void Generator::build_body_counts() {
    const int m = body_len_;
    count_.assign(m + 1, {});
    count_[m].assign(layer_states_[m], 1);
    for (int p = m - 1; p >= 0; --p) {
        count_[p].assign(layer_states_[p], 0);
        for (size_t si = 0; si < count_[p].size(); ++si) {
            uint64_t c = 0;
            for (int d = 0; d < 10; ++d) {
                int32_t nx = next_[p][si * 10 + static_cast<size_t>(d)];
                if (nx >= 0) c += count_[p + 1][static_cast<size_t>(nx)];
            }
            count_[p][si] = c;
        }
    }
    // upper_[p][state * 11 + 1 + d]: completions through digits 0..d (a broken digit adds
    // nothing); upper_[p][state * 11] is 0.
    upper_.assign(m, {});
    for (int p = 0; p < m; ++p) {
        upper_[p].assign(count_[p].size() * 11, 0);
        for (size_t si = 0; si < count_[p].size(); ++si) {
            uint64_t acc = 0;
            for (int d = 0; d < 10; ++d) {
                int32_t nx = next_[p][si * 10 + static_cast<size_t>(d)];
                if (nx >= 0) acc += count_[p + 1][static_cast<size_t>(nx)];
                upper_[p][si * 11 + 1 + static_cast<size_t>(d)] = acc;
            }
        }
    }
    body_count_ = count_[0][0];
}

// Variant::Folded: the local automaton over all length() digits (built already) times the
// Verhoeff accumulator. A path counts when it ends with accumulator 0 (the checksum holds), so
// at the check digit's layer only the one digit completing the checksum has completions.
bool Generator::build_folded(size_t max_states, const FoldedLayout& layout) {
    const int n = length();
    size_t total = 0;
    for (size_t states : layer_states_) total += states * 10;
    if (total > max_states) return false;

    // acc_after[p][d * 10 + a]: the accumulator after digit d at index p, from accumulator a.
    std::vector<std::array<uint8_t, 100>> acc_after(static_cast<size_t>(n));
    for (int p = 0; p < n; ++p)
        for (int d = 0; d < 10; ++d)
            for (int a = 0; a < 10; ++a)
                acc_after[p][static_cast<size_t>(d * 10 + a)] = static_cast<uint8_t>(verhoeff_step(n - 1 - p, d, a));
    // The folded state after digit d from local state s with accumulator a (both layer p), as
    // s' * 10 + a' in layer p + 1; -1 when d breaks a local rule.
    auto after = [&](int p, size_t s, size_t a, int d) -> int64_t {
        const int32_t nx = next_[p][s * 10 + static_cast<size_t>(d)];
        return nx < 0 ? -1 : int64_t{nx} * 10 + acc_after[p][static_cast<size_t>(d) * 10 + a];
    };

    // count[p][s * 10 + a]: completions from local state s with accumulator a after p digits.
    std::vector<std::vector<uint64_t>> count(static_cast<size_t>(n) + 1);
    count[n].assign(layer_states_[n] * 10, 0);
    for (size_t s = 0; s < layer_states_[n]; ++s) count[n][s * 10] = 1;
    for (int p = n - 1; p >= 0; --p) {
        count[p].assign(layer_states_[p] * 10, 0);
        for (size_t f = 0; f < count[p].size(); ++f)
            for (int d = 0; d < 10; ++d) {
                const int64_t g = after(p, f / 10, f % 10, d);
                if (g >= 0) count[p][f] += count[p + 1][static_cast<size_t>(g)];
            }
    }
    body_count_ = count[0][0];

    // Number the live states layer by layer (reachable, with completions); order[p] lists them.
    std::vector<std::vector<int32_t>> number(static_cast<size_t>(n) + 1);
    std::vector<std::vector<size_t>> order(static_cast<size_t>(n) + 1);
    for (int p = 0; p <= n; ++p) number[p].assign(count[p].size(), -1);
    if (body_count_ > 0) {
        number[0][0] = 0;
        order[0].push_back(0);
    }
    for (int p = 0; p < n; ++p) {
        for (size_t f : order[p])
            for (int d = 0; d < 10; ++d) {
                const int64_t g = after(p, f / 10, f % 10, d);
                if (g < 0 || count[p + 1][static_cast<size_t>(g)] == 0 || number[p + 1][static_cast<size_t>(g)] >= 0)
                    continue;
                number[p + 1][static_cast<size_t>(g)] = static_cast<int32_t>(order[p + 1].size());
                order[p + 1].push_back(static_cast<size_t>(g));
            }
        if (order[p + 1].size() > kMaxFoldedLayerStates) return false;
    }

    // A rank at layer p is below its state's count, so layers whose counts fit 32 bits draw in
    // 32 bits. Counts shrink along a path; a layer is wide when it or any later one needs 64 bits.
    wide_layers_ = 0;
    for (int p = 0; p < n; ++p)
        for (size_t f : order[p])
            if (count[p][f] > std::min<uint64_t>(layout.narrow_max, UINT32_MAX)) wide_layers_ = p + 1;
    // The check digit's layer (counts 0 or 1) is always narrow: a draw ends in a narrow layer.
    wide_layers_ = std::min(wide_layers_, n - 1);
    wide_records_.clear();
    narrow_records_.clear();
    layer_offset_.assign(static_cast<size_t>(n), 0);
    auto fill = [&](int p, auto& records) {
        layer_offset_[p] = records.size();
        for (size_t f : order[p]) {
            auto& rec = records.emplace_back();
            uint64_t through = 0;
            for (int d = 0; d < 10; ++d) {
                rec.bound[d] = static_cast<std::remove_reference_t<decltype(rec.bound[0])>>(through);
                rec.next[d] = 0;  // a digit without completions is never drawn
                const int64_t g = after(p, f / 10, f % 10, d);
                if (g < 0 || count[p + 1][static_cast<size_t>(g)] == 0) continue;
                through += count[p + 1][static_cast<size_t>(g)];
                rec.next[d] = static_cast<uint16_t>(number[p + 1][static_cast<size_t>(g)]);
            }
        }
    };
    for (int p = 0; p < n; ++p) {
        if (p < wide_layers_)
            fill(p, wide_records_);
        else
            fill(p, narrow_records_);
    }

    // Every path through the first prefix_layers_ layers, in rank order (depth first, digits
    // ascending): as many wide layers as give at most layout.max_prefixes paths (and at most 16,
    // the digits Prefix::digits holds).
    uint64_t first_rank = 0;
    bool too_many = false;
    auto walk = [&](auto& self, int p, size_t f, uint64_t value, uint64_t digits) -> void {
        if (too_many) return;
        if (p == prefix_layers_) {
            if (prefix_.size() == layout.max_prefixes) {
                too_many = true;
                return;
            }
            prefix_start_.push_back(first_rank);
            prefix_.push_back({value, digits, static_cast<uint32_t>(number[p][f])});
            first_rank += count[p][f];
            return;
        }
        for (int d = 0; d < 10; ++d) {
            const int64_t g = after(p, f / 10, f % 10, d);
            if (g < 0 || count[p + 1][static_cast<size_t>(g)] == 0) continue;
            self(self, p + 1, static_cast<size_t>(g), value * 10 + static_cast<uint64_t>(d),
                 digits | uint64_t(d) << (4 * p));
        }
    };
    for (prefix_layers_ = body_count_ > 0 ? std::min(wide_layers_, 16) : 0; prefix_layers_ > 0; --prefix_layers_) {
        prefix_start_.clear();
        prefix_.clear();
        first_rank = 0;
        too_many = false;
        walk(walk, 0, 0, 0, 0);
        if (!too_many) break;
    }
    if (prefix_layers_ == 0) {
        prefix_start_.clear();
        prefix_.clear();
    } else {
        build_prefix_guide();
    }
    next_.clear();  // the records replace the local automaton
    return true;
}

namespace {

// (rank * scale) / 2^64: non-decreasing in rank.
inline uint64_t bucket_of(uint64_t rank, uint64_t scale) noexcept {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(rank) * scale) >> 64);
}

}  // namespace

// prefix_guide_[j] for buckets j = 0..G: the last prefix whose start falls in an earlier bucket
// (0 if none). A rank r in bucket j has its prefix i with start[i] <= r, so bucket(start[i]) <= j:
// i <= guide[j + 1]; and the prefix guide[j] starts in an earlier bucket, below r: i >= guide[j].
void Generator::build_prefix_guide() {
    const size_t prefixes = prefix_start_.size();
    size_t buckets = 1;  // about twice as many buckets as prefixes: one or two candidates each
    while (buckets < 2 * prefixes) buckets *= 2;
    // bucket(r) <= r * buckets / body_count_ < buckets for every rank r < body_count_.
    const unsigned __int128 scale = (static_cast<unsigned __int128>(buckets) << 64) / body_count_;
    prefix_scale_ = scale > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(scale);
    prefix_guide_.assign(buckets + 1, 0);
    size_t before = 0;  // prefixes starting in buckets before j
    for (size_t j = 0; j <= buckets; ++j) {
        while (before < prefixes && bucket_of(prefix_start_[before], prefix_scale_) < j) ++before;
        prefix_guide_[j] = static_cast<uint32_t>(before > 0 ? before - 1 : 0);
    }
}

// The prefix holding `rank`: the last one starting at or below it.
size_t Generator::find_prefix(uint64_t rank) const noexcept {
    const size_t j = bucket_of(rank, prefix_scale_);
    size_t i = prefix_guide_[j];
    // Branch-free binary search among the candidates guide[j] .. guide[j + 1].
    for (size_t len = prefix_guide_[j + 1] - i + 1; len > 1;) {
        const size_t half = len / 2;
        i = prefix_start_[i + half] <= rank ? i + half : i;
        len -= half;
    }
    return i;
}

// Unranks uniform random numbers into kLanes bodies at once: each is uniform over the
// automaton's accepted bodies. The lanes are independent chains of dependent loads, so the CPU
// overlaps them (one lane alone waits on memory at every digit).
void Generator::draw_bodies_automaton(Csprng& rng, char (*bufs)[kBufLen], int* check) const {
    uint64_t r[kLanes];
    size_t state[kLanes];
    int acc[kLanes];  // Verhoeff accumulated left to right, in the same pass
    for (int l = 0; l < kLanes; ++l) {
        r[l] = rng.below(body_count_);
        state[l] = 0;
        acc[l] = 0;
    }
    for (int p = 0; p < body_len_; ++p) {
        const uint64_t* up = upper_[p].data();
        const int32_t* nx = next_[p].data();
        for (int l = 0; l < kLanes; ++l) {
            const uint64_t* upper = up + state[l] * 11;
            // The digit is how many cumulative bounds r has passed (r < upper[10], the state's
            // count). Branch-free: the digits are random, so a search would mispredict.
            const uint64_t x = r[l];
            const int d = (x >= upper[1]) + (x >= upper[2]) + (x >= upper[3]) + (x >= upper[4]) +
                          (x >= upper[5]) + (x >= upper[6]) + (x >= upper[7]) + (x >= upper[8]) +
                          (x >= upper[9]) + (x >= upper[10]);
            r[l] = x - upper[d];
            bufs[l][p] = static_cast<char>('0' + d);
            acc[l] = verhoeff_.step(p, d, acc[l]);
            state[l] = static_cast<size_t>(nx[state[l] * 10 + static_cast<size_t>(d)]);
        }
    }
    for (int l = 0; l < kLanes; ++l) check[l] = VerhoeffPrefix::check_digit(acc[l]);
}

// Digit by digit; any broken prefix starts over from the first digit (uniform, vid-rules.md).
bool Generator::draw_body_early_abort(Csprng& rng, char* buf) const {
    for (int p = 0; p < body_len_; ++p) {
        buf[p] = static_cast<char>('0' + rng.digit());
        if (!rules_.local_ok(buf + p, p) || !rules_.block_ok(buf, p)) return false;
    }
    return true;
}

// Completes a body with its check digit; true when the whole VID is valid.
bool Generator::finish(char* buf, int check_digit) const {
    const int m = body_len_;
    buf[m] = static_cast<char>('0' + check_digit);
    // The body passed every rule on windows inside it; what is left are the windows that end
    // at the check digit and (for the automaton) the repeated-block rule on the whole VID.
    if (!rules_.local_ok(buf + m, m)) return false;
    return method_ == Method::Automaton ? !rules_.has_repeated_block(std::string_view(buf, m + 1))
                                        : rules_.block_ok(buf, m);
}

void Generator::generate_digits(Csprng& rng, char* buf) const {
    uint64_t key;
    generate(rng, &key, 1);
    number_to_digits(key, length(), buf);
}

void Generator::generate(Csprng& rng, uint64_t* out, size_t count) const {
    if (method_ == Method::Automaton && body_count_ == 0)
        throw Error(ErrorKind::SpaceExhausted, "no valid VID exists under the current rules");
    if (method_ == Method::Automaton && variant_ == Variant::Folded)
        generate_folded(rng, out, count);
    else
        generate_by_bodies(rng, out, count);
}

namespace {

[[noreturn]] void throw_exhausted() {
    throw Error(ErrorKind::SpaceExhausted, "no valid VID found in " + std::to_string(Generator::kMaxAttemptsPerVid) +
                                               " attempts under the current rules");
}

}  // namespace

// Variant::Local and Method::EarlyAbort: a body, then its check digit, then the rules left.
void Generator::generate_by_bodies(Csprng& rng, uint64_t* out, size_t count) const {
    const int len = length();
    uint64_t failures = 0;  // consecutive bodies that did not make a valid VID
    size_t made = 0;
    char bufs[kLanes][kBufLen];
    int check[kLanes];
    while (made < count) {
        int drawn = kLanes;
        if (method_ == Method::Automaton) {
            draw_bodies_automaton(rng, bufs, check);
        } else {
            drawn = draw_body_early_abort(rng, bufs[0]) ? 1 : 0;
            failures += drawn == 0;
            // Only a complete body has a check digit: after an abort the rest of the buffer is
            // stale or uninitialised (not digits).
            if (drawn == 1) check[0] = verhoeff_check_digit(std::string_view(bufs[0], body_len_));
        }
        for (int l = 0; l < drawn && made < count; ++l) {
            if (finish(bufs[l], check[l])) {
                out[made++] = digits_to_number(bufs[l], len);
                failures = 0;
            } else {
                ++failures;
            }
        }
        if (failures >= kMaxAttemptsPerVid) throw_exhausted();
    }
}

namespace {

constexpr uint32_t pow10_u32(int b) { return b == 0 ? 1 : 10 * pow10_u32(b - 1); }

// The repeated-block rule for a folded draw, fed one digit at a time. Blocks of B >= 1 digits
// are tracked by BlockBits<B> for B <= 3 (a bitset of the 10^B blocks): the draw is dropped as
// soon as a block repeats. NoBlocks: the rule is off (or cannot apply at this length). Longer
// blocks (BlocksAtEnd) are checked on the whole string once it is complete.
struct NoBlocks {
    static constexpr bool kCheckAtEnd = false;
    void reset() noexcept {}
    bool push(int, int) noexcept { return false; }
};

struct BlocksAtEnd : NoBlocks {
    static constexpr bool kCheckAtEnd = true;
};

template <int B>
class BlockBits {
public:
    static constexpr bool kCheckAtEnd = false;

    BlockBits() noexcept { std::fill(std::begin(stamp_), std::end(stamp_), uint16_t{0}); }

    // A new draw. Instead of clearing the set of seen blocks, the draw gets a new stamp: a block
    // is in the set when it carries the current stamp.
    void reset() noexcept {
        if (++draw_ == 0) {  // the stamps wrapped: clear them, stamp 0 stays unused
            std::fill(std::begin(stamp_), std::end(stamp_), uint16_t{0});
            draw_ = 1;
        }
        recent_.fill(kBefore);
        tail_ = B == 2 ? 10 : 0;
    }

    // Digit d at index p. True when the block of B digits ending at p occurred earlier without
    // overlapping it, i.e. ending at p - B or before ((\d{B,}).*?\1 matches then, and only then,
    // for some such pair).
    bool push(int d, int p) noexcept {
        const uint32_t value = tail_ * 10 + static_cast<uint32_t>(d);
        uint32_t current;
        if constexpr (B == 2) {
            // The "digit" before the first is 10: the first digit's incomplete block is 100..109,
            // looked up only there (later blocks are below 100).
            tail_ = static_cast<uint32_t>(d);
            current = value;
            (void)p;
        } else {
            tail_ = value % pow10_u32(B - 1);
            current = p >= B - 1 ? value : kPartial;
        }
        // The block that ended B digits ago can no longer overlap this one or any later one.
        stamp_[recent_[0]] = draw_;
        for (int i = 0; i + 1 < B; ++i) recent_[i] = recent_[i + 1];
        recent_[B - 1] = current;
        return stamp_[current] == draw_;
    }

private:
    static constexpr uint32_t kBlocks = pow10_u32(B);
    // Values outside the blocks 0..10^B-1: kBefore stands for the blocks "ending" before the
    // string (settled at indices 0..B-1, never looked up), kPartial for the incomplete blocks at
    // indices 0..B-2 (looked up there, settled only from index B on, after the last look-up;
    // B = 2 uses 100..109 instead).
    static constexpr uint32_t kBefore = kBlocks + 10;
    static constexpr uint32_t kPartial = kBlocks + 11;
    uint16_t stamp_[kBlocks + 12];    // the draw that last saw each block
    uint16_t draw_ = 0;
    std::array<uint32_t, B> recent_;  // the blocks ending at p - B + 1 .. p (oldest first)
    uint32_t tail_;                   // the last B - 1 digits
};

// Draws the digit whose range of ranks in `rec` holds `rank`, makes rank the offset within that
// range and state the state after the digit. bound[1..9] are the starts of digits 1..9, so the
// digit is how many of them are <= rank: counted branch-free (the digits are random, a search
// would mispredict); compilers make it nine compare-and-add-carry pairs.
template <typename Record>
inline int take_digit(const Record& rec, uint64_t& rank, uint32_t& state) noexcept {
    using Bound = std::remove_const_t<std::remove_reference_t<decltype(rec.bound[0])>>;
    const Bound r = static_cast<Bound>(rank);  // below the state's count: fits Bound
    int d = 0;
    for (int k = 1; k < 10; ++k) d += r >= rec.bound[k];
    rank = r - rec.bound[d];
    state = rec.next[d];
    return d;
}

}  // namespace

void Generator::generate_folded(Csprng& rng, uint64_t* out, size_t count) const {
    // A lane still running when `count` VIDs are made is a wasted draw: one lane for a few VIDs.
    if (count >= kLanes)
        generate_folded_blocks<kLanes>(rng, out, count);
    else
        generate_folded_blocks<1>(rng, out, count);
}

template <int Lanes>
void Generator::generate_folded_blocks(Csprng& rng, uint64_t* out, size_t count) const {
    const int B = rules_.config().repeated_block_limit;
    if (B <= 0 || 2 * B > length())
        generate_folded_with<NoBlocks, Lanes>(rng, out, count);
    else if (B == 1)
        generate_folded_with<BlockBits<1>, Lanes>(rng, out, count);
    else if (B == 2)
        generate_folded_with<BlockBits<2>, Lanes>(rng, out, count);
    else if (B == 3)
        generate_folded_with<BlockBits<3>, Lanes>(rng, out, count);
    else
        generate_folded_with<BlocksAtEnd, Lanes>(rng, out, count);
}

// Draws whole strings from the folded automaton, Lanes at a time, each lane one digit per turn:
// the lanes are independent chains of dependent loads, so the CPU overlaps them. A lane whose
// string repeats a block starts a new draw at once (rejection sampling: the rest of a rejected
// string does not matter). Every accepted draw takes the same number of turns, so which valid VID
// a lane delivers is independent of when it delivers: the output stays uniform, and the lanes
// still running when `count` are made are dropped without bias.
template <class Blocks, int Lanes>
void Generator::generate_folded_with(Csprng& rng, uint64_t* out, size_t count) const {
    const int n = length();
    const int wide = wide_layers_;
    const WideRecord* wide_layer[kMaxLength];
    const NarrowRecord* narrow_layer[kMaxLength + 1];
    for (int p = 0; p < n; ++p) {
        wide_layer[p] = p < wide ? wide_records_.data() + layer_offset_[p] : nullptr;
        narrow_layer[p] = p < wide ? nullptr : narrow_records_.data() + layer_offset_[p];
    }
    // After the last digit there is no record: its "next" (0) is prefetched from a real one.
    narrow_layer[n] = narrow_records_.data();
    struct Lane {
        uint64_t rank;    // the draw's rank, relative to the current state
        uint64_t number;  // the digits so far
        uint32_t state;   // the record of the current state in its layer
        int pos;          // digits placed
        Blocks blocks;
    };
    Lane lanes[Lanes];
    uint64_t failures = 0;  // consecutive draws that did not make a valid VID
    const uint64_t* prefix_start = prefix_start_.data();
    const size_t prefixes = prefix_start_.size();
    // A new draw in `lane`, taken through the wide layers (from the prefix table as far as it
    // goes, then digit by digit), so that the loop below only meets narrow layers. False when
    // the draw already repeats a block.
    auto try_start = [&](Lane& lane) -> bool {
        uint64_t rank = rng.below(body_count_);
        uint64_t number = 0;
        uint32_t state = 0;
        int p = 0;
        lane.blocks.reset();
        bool rejected = false;
        if (prefixes > 0) {
            const size_t i = find_prefix(rank);
            const Prefix& prefix = prefix_[i];
            rank -= prefix_start[i];
            number = prefix.number;
            state = prefix.state;
            for (; p < prefix_layers_; ++p) rejected |= lane.blocks.push(static_cast<int>(prefix.digits >> (4 * p)) & 15, p);
        }
        for (; p < wide; ++p) {
            const int d = take_digit(wide_layer[p][state], rank, state);
            number = number * 10 + static_cast<uint64_t>(d);
            rejected |= lane.blocks.push(d, p);
        }
        lane.rank = rank;
        lane.number = number;
        lane.state = state;
        lane.pos = p;
        __builtin_prefetch(narrow_layer[p] + state);
        return !rejected;
    };
    auto start = [&](Lane& lane) {
        while (!try_start(lane))
            if (++failures >= kMaxAttemptsPerVid) throw_exhausted();
    };
    for (Lane& lane : lanes) start(lane);
    size_t made = 0;
    char digits[kBufLen];
    while (made < count) {
        for (Lane& lane : lanes) {
            const int p = lane.pos;
            const int d = take_digit(narrow_layer[p][lane.state], lane.rank, lane.state);
            // This lane's next record: the other lanes' turns give it time to come from L2 (the
            // records do not fit L1, and the CPU cannot look that far ahead by itself).
            __builtin_prefetch(narrow_layer[p + 1] + lane.state);
            lane.number = lane.number * 10 + static_cast<uint64_t>(d);
            lane.pos = p + 1;
            bool rejected = lane.blocks.push(d, p);
            if (!rejected && lane.pos < n) continue;
            if constexpr (Blocks::kCheckAtEnd) {
                if (!rejected) {
                    number_to_digits(lane.number, n, digits);
                    rejected = rules_.has_repeated_block(std::string_view(digits, static_cast<size_t>(n)));
                }
            }
            if (rejected) {
                if (++failures >= kMaxAttemptsPerVid) throw_exhausted();
            } else {
                out[made++] = lane.number;
                failures = 0;
                if (made == count) break;
            }
            start(lane);
        }
    }
}

// One folded draw of the given rank (below body_count_), as ASCII digits: a string passing every
// local rule and the checksum.
void Generator::unrank_folded(uint64_t rank, char* buf) const {
    uint32_t state = 0;
    for (int p = 0; p < length(); ++p) {
        const size_t at = layer_offset_[p] + state;
        const int d = p < wide_layers_ ? take_digit(wide_records_[at], rank, state)
                                       : take_digit(narrow_records_[at], rank, state);
        buf[p] = static_cast<char>('0' + d);
    }
}

Generator::SpaceSize Generator::space_size(Csprng& rng, int samples) const {
    const int len = length();
    char buf[kBufLen];
    if (len <= kExactSpaceMaxLength) {
        uint64_t bodies = 1;
        for (int i = 0; i < body_len_; ++i) bodies *= 10;
        uint64_t valid = 0;
        for (uint64_t b = 0; b < bodies; ++b) {
            number_to_digits(b, body_len_, buf);
            buf[body_len_] = static_cast<char>('0' + verhoeff_check_digit(std::string_view(buf, body_len_)));
            valid += rules_.is_valid(std::string_view(buf, len));
        }
        return {static_cast<double>(valid), true};
    }
    if (method_ == Method::Automaton && body_count_ == 0) return {0, true};
    if (method_ == Method::Automaton && variant_ == Variant::Folded) {
        // The share of folded draws without a repeated block (the only rule they can break).
        int accepted = 0;
        for (int i = 0; i < samples; ++i) {
            unrank_folded(rng.below(body_count_), buf);
            accepted += !rules_.has_repeated_block(std::string_view(buf, static_cast<size_t>(len)));
        }
        return {static_cast<double>(body_count_) * accepted / samples, false};
    }
    if (method_ == Method::Automaton) {
        char bufs[kLanes][kBufLen];
        int check[kLanes];
        int accepted = 0, drawn = 0;
        while (drawn < samples) {
            draw_bodies_automaton(rng, bufs, check);
            for (int l = 0; l < kLanes; ++l) accepted += finish(bufs[l], check[l]);
            drawn += kLanes;
        }
        return {static_cast<double>(body_count_) * accepted / drawn, false};
    }
    double bodies = 1;
    for (int i = 0; i < body_len_; ++i) bodies *= 10;
    int accepted = 0;
    for (int i = 0; i < samples; ++i) {
        for (int p = 0; p < body_len_; ++p) buf[p] = static_cast<char>('0' + rng.digit());
        buf[body_len_] = static_cast<char>('0' + verhoeff_check_digit(std::string_view(buf, body_len_)));
        accepted += rules_.is_valid(std::string_view(buf, len));
    }
    return {bodies * accepted / samples, false};
}

}  // namespace vid

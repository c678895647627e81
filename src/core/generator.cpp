// Generator: automaton + DP counting (uniform bodies), with an early-abort fallback.
#include "generator.hpp"

#include <algorithm>
#include <string_view>
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

Generator::Generator(const RuleSet& rules, Method preferred, size_t max_states)
    : rules_(rules), method_(preferred), body_len_(rules.config().length - 1), verhoeff_(body_len_) {
    if (method_ == Method::Automaton && !build_automaton(max_states)) {
        next_.clear();
        count_.clear();
        upper_.clear();
        method_ = Method::EarlyAbort;
    }
}

bool Generator::build_automaton(size_t max_states) {
    const int K = rules_.history();
    const int m = body_len_;
    uint64_t modK = 1;
    for (int i = 0; i < K; ++i) modK *= 10;

    // states[p]: the last min(p, K) digits of each reachable prefix of p digits.
    std::vector<std::vector<uint64_t>> states(m + 1);
    states[0].push_back(0);
    next_.assign(m, {});
    size_t total = 1;
    char buf[kMaxLength + 2];
    for (int p = 0; p < m; ++p) {
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
    count_.assign(m + 1, {});
    count_[m].assign(states[m].size(), 1);
    for (int p = m - 1; p >= 0; --p) {
        count_[p].assign(states[p].size(), 0);
        for (size_t si = 0; si < states[p].size(); ++si) {
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
    return true;
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
        if (failures >= kMaxAttemptsPerVid)
            throw Error(ErrorKind::SpaceExhausted,
                        "no valid VID found in " + std::to_string(kMaxAttemptsPerVid) +
                            " attempts under the current rules");
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
    if (method_ == Method::Automaton) {
        if (body_count_ == 0) return {0, true};
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

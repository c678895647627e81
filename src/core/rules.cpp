// The VID rules, checked in MOSIP's order (vid-rules.md, "The rules, exactly").
#include "rules.hpp"

#include <algorithm>
#include <cstring>

#include "verhoeff.hpp"

namespace vid {

const char* rule_name(Rule rule) noexcept {
    switch (rule) {
        case Rule::Ok: return nullptr;
        case Rule::Empty: return "empty";
        case Rule::Length: return "length";
        case Rule::NonDigit: return "non-digit";
        case Rule::Sequence: return "sequence";
        case Rule::Repeating: return "repeating";
        case Rule::RepeatedBlock: return "repeated-block";
        case Rule::NotStartWith: return "not-start-with";
        case Rule::Restricted: return "restricted";
        case Rule::Checksum: return "checksum";
    }
    return nullptr;
}

size_t java_length(std::string_view s) noexcept {
    size_t units = 0;
    size_t i = 0;
    const size_t n = s.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool ok = len != 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; ++k)
            ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (!ok) {  // an invalid byte counts as one unit
            ++units;
            ++i;
            continue;
        }
        units += len == 4 ? 2 : 1;  // outside the BMP Java needs a surrogate pair
        i += len;
    }
    return units;
}

std::string pattern_error(std::string_view pattern) {
    if (pattern.empty()) return "must not be empty";
    if (pattern.size() > static_cast<size_t>(kMaxLength)) return "must have at most 18 digits";
    for (char c : pattern)
        if (c < '0' || c > '9') return "must contain only the digits 0-9";
    return {};
}

std::string config_error(const RuleConfig& c) {
    if (c.length < kMinLength || c.length > kMaxLength)
        return "length must be between 4 and 18, got " + std::to_string(c.length);
    const struct { const char* name; int value; } limits[] = {
        {"sequence_limit", c.sequence_limit},
        {"repeating_limit", c.repeating_limit},
        {"repeated_block_limit", c.repeated_block_limit},
    };
    for (const auto& l : limits)
        if (l.value < 0 || l.value > kMaxLimit)
            return std::string(l.name) + " must be between 0 (off) and 100, got " + std::to_string(l.value);
    if (c.not_start_with.size() > static_cast<size_t>(kMaxListEntries))
        return "not_start_with has more than 1000 entries";
    // Restricted numbers are rows of a table the admin edits: any number of them is accepted.
    const struct { const char* name; const std::vector<std::string>* list; } lists[] = {
        {"not_start_with", &c.not_start_with},
        {"restricted number", &c.restricted},
    };
    for (const auto& l : lists) {
        for (const auto& p : *l.list) {
            std::string why = pattern_error(p);
            if (!why.empty()) return std::string(l.name) + " \"" + p + "\" " + why;
        }
    }
    return {};
}

RuleSet::RuleSet(RuleConfig config) : config_(std::move(config)), scan_(config_) {
    int h = std::max(config_.repeating_limit, config_.sequence_limit - 1);
    for (const auto& p : config_.not_start_with) h = std::max<int>(h, static_cast<int>(p.size()) - 1);
    for (const auto& r : config_.restricted) h = std::max<int>(h, static_cast<int>(r.size()) - 1);
    history_ = std::max(0, std::min(h, config_.length - 1));
}

namespace {

// The window of L digits ending at *last reads up or down by one at every step, i.e. it is a
// substring of 0123456789 or 9876543210 (no wraparound). L = 1: every digit is such a window.
inline bool sequence_ends_at(const char* last, int L) noexcept {
    bool up = true, down = true;
    for (int k = 1; k < L && (up || down); ++k) {
        int diff = last[-k + 1] - last[-k];
        up = up && diff == 1;
        down = down && diff == -1;
    }
    return up || down;
}

// The digit *last occurs again at distance 1..N (N limited by the digits before it).
inline bool repeat_ends_at(const char* last, int pos, int N) noexcept {
    const int span = std::min(N, pos);
    for (int k = 1; k <= span; ++k)
        if (last[-k] == last[0]) return true;
    return false;
}

// The string `p` ends at *last, which is at index pos.
inline bool ends_at(const char* last, int pos, const std::string& p) noexcept {
    const int m = static_cast<int>(p.size());
    return pos >= m - 1 && std::memcmp(last - m + 1, p.data(), m) == 0;
}

}  // namespace

Rule RuleSet::first_failing_rule(std::string_view s) const noexcept {
    if (s.size() == static_cast<size_t>(config_.length) && scan_.all_pass(s.data())) return Rule::Ok;
    return first_failing_rule_reference(s);
}

Rule RuleSet::first_failing_rule_reference(std::string_view s) const noexcept {
    if (s.empty()) return Rule::Empty;
    // One UTF-16 unit takes 1 to 3 UTF-8 bytes: a cheap answer for absurd (say 1 MB) inputs.
    const size_t want = static_cast<size_t>(config_.length);
    if (s.size() < want || s.size() > 3 * want || java_length(s) != want) return Rule::Length;
    for (char c : s)
        if (c < '0' || c > '9') return Rule::NonDigit;
    if (has_sequence(s)) return Rule::Sequence;
    if (has_repeating(s)) return Rule::Repeating;
    if (has_repeated_block(s)) return Rule::RepeatedBlock;
    if (starts_with_forbidden(s)) return Rule::NotStartWith;
    if (has_restricted(s)) return Rule::Restricted;
    if (!verhoeff_valid(s)) return Rule::Checksum;
    return Rule::Ok;
}

bool RuleSet::has_sequence(std::string_view s) const noexcept {
    const int L = config_.sequence_limit, n = static_cast<int>(s.size());
    if (L <= 0) return false;
    for (int end = L - 1; end < n; ++end)
        if (sequence_ends_at(s.data() + end, L)) return true;
    return false;
}

bool RuleSet::has_repeating(std::string_view s) const noexcept {
    const int N = config_.repeating_limit, n = static_cast<int>(s.size());
    if (N <= 0) return false;
    for (int end = 1; end < n; ++end)
        if (repeat_ends_at(s.data() + end, end, N)) return true;
    return false;
}

// (\d{B,}).*?\1 matches iff some block of exactly B digits occurs twice without overlapping:
// walking the blocks left to right, the block that starts B digits back joins the seen set
// before the current block is looked up in it.
bool RuleSet::has_repeated_block(std::string_view s) const noexcept {
    const int B = config_.repeated_block_limit, n = static_cast<int>(s.size());
    if (B <= 0 || 2 * B > n) return false;
    const int blocks = n - B + 1;
    uint64_t block[kMaxLength];
    if (B > kMaxLength || blocks > kMaxLength) {  // longer than any VID: compare the strings
        for (int j = B; j < blocks; ++j)
            for (int i = 0; i + B <= j; ++i)
                if (s.compare(static_cast<size_t>(i), B, s, static_cast<size_t>(j), B) == 0) return true;
        return false;
    }
    if (B == 2) {  // MOSIP's default: one multiply-add per block
        for (int j = 0; j < blocks; ++j) block[j] = static_cast<uint64_t>((s[j] - '0') * 10 + (s[j + 1] - '0'));
    } else {
        for (int j = 0; j < blocks; ++j) {
            uint64_t v = 0;
            for (int k = 0; k < B; ++k) v = v * 10 + static_cast<uint64_t>(s[j + k] - '0');
            block[j] = v;
        }
    }
    if (B <= 3) {  // a bitset of the 10^B possible blocks
        uint64_t seen[16] = {0};
        for (int j = B; j < blocks; ++j) {
            const uint64_t add = block[j - B];
            seen[add >> 6] |= uint64_t{1} << (add & 63);
            if (seen[block[j] >> 6] & (uint64_t{1} << (block[j] & 63))) return true;
        }
        return false;
    }
    for (int j = B; j < blocks; ++j)
        for (int i = 0; i + B <= j; ++i)
            if (block[i] == block[j]) return true;
    return false;
}

bool RuleSet::starts_with_forbidden(std::string_view s) const noexcept {
    for (const auto& p : config_.not_start_with)
        if (s.substr(0, p.size()) == p) return true;
    return false;
}

bool RuleSet::has_restricted(std::string_view s) const noexcept {
    for (const auto& r : config_.restricted)
        if (s.find(r) != std::string_view::npos) return true;
    return false;
}

bool RuleSet::local_ok(const char* s, int pos) const noexcept {
    const int L = config_.sequence_limit;
    if (L > 0 && pos >= L - 1 && sequence_ends_at(s, L)) return false;
    if (config_.repeating_limit > 0 && repeat_ends_at(s, pos, config_.repeating_limit)) return false;
    for (const auto& p : config_.not_start_with)
        if (static_cast<int>(p.size()) == pos + 1 && ends_at(s, pos, p)) return false;
    for (const auto& r : config_.restricted)
        if (ends_at(s, pos, r)) return false;
    return true;
}

bool RuleSet::block_ok(const char* buf, int pos) const noexcept {
    const int B = config_.repeated_block_limit;
    if (B <= 0) return true;
    const int start = pos - B + 1;  // the block buf[start .. pos]
    for (int i = 0; i + B <= start; ++i) {
        int k = 0;
        while (k < B && buf[i + k] == buf[start + k]) ++k;
        if (k == B) return false;
    }
    return true;
}

}  // namespace vid

// Helpers shared by the libFuzzer targets (header only): a byte reader that never runs out (a
// missing byte takes a default) and an invariant check that prints its context, then traps.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "rules.hpp"

namespace vidfuzz {

// Reads the fuzzer's bytes front to back; past the end every read returns its default, so a
// short input decodes to the defaults (the empty input is the MOSIP configuration).
class Reader {
public:
    Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    bool empty() const { return pos_ >= size_; }
    uint8_t byte(uint8_t fallback = 0) { return pos_ < size_ ? data_[pos_++] : fallback; }
    int32_t int32(int32_t fallback = 0) {
        if (pos_ + 4 > size_) return fallback;
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | data_[pos_++];
        return static_cast<int32_t>(v);
    }
    // The bytes not read yet.
    std::string_view rest() const {
        return pos_ < size_ ? std::string_view(reinterpret_cast<const char*>(data_ + pos_), size_ - pos_)
                            : std::string_view();
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
};

// A string as a C literal (non-printable bytes as \xNN).
inline std::string escape(std::string_view s) {
    std::string out = "\"";
    char hex[8];
    for (unsigned char c : s) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            out.push_back(static_cast<char>(c));
        } else {
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    return out + "\"";
}

inline std::string describe(const vid::RuleConfig& c) {
    std::string out = "length=" + std::to_string(c.length) +
                      " sequence_limit=" + std::to_string(c.sequence_limit) +
                      " repeating_limit=" + std::to_string(c.repeating_limit) +
                      " repeated_block_limit=" + std::to_string(c.repeated_block_limit) + " not_start_with={";
    size_t shown = 0;
    for (const auto& p : c.not_start_with) {
        if (++shown > 20) {
            out += " ... (" + std::to_string(c.not_start_with.size()) + " in all)";
            break;
        }
        out += (shown > 1 ? "," : "") + escape(p);
    }
    out += "} restricted={";
    shown = 0;
    for (const auto& r : c.restricted) {
        if (++shown > 20) {
            out += " ... (" + std::to_string(c.restricted.size()) + " in all)";
            break;
        }
        out += (shown > 1 ? "," : "") + escape(r);
    }
    return out + "}";
}

inline const char* name_of(vid::Rule r) {
    const char* n = vid::rule_name(r);
    return n ? n : "ok";
}

// Prints what failed and where, then stops the process the way libFuzzer records as a crash.
[[noreturn]] inline void fail(const char* what, int line, const vid::RuleConfig* config,
                              std::string_view candidate, const std::string& detail) {
    std::fprintf(stderr, "\n*** vid fuzz invariant violated (line %d): %s\n", line, what);
    if (config) std::fprintf(stderr, "*** config: %s\n", describe(*config).c_str());
    std::fprintf(stderr, "*** candidate: %s\n", escape(candidate).c_str());
    if (!detail.empty()) std::fprintf(stderr, "*** %s\n", detail.c_str());
    std::fflush(stderr);
    __builtin_trap();
}

}  // namespace vidfuzz

// FUZZ_CHECK(condition, config pointer or nullptr, candidate, detail string)
#define FUZZ_CHECK(cond, config, candidate, detail) \
    do {                                            \
        if (!(cond)) ::vidfuzz::fail(#cond, __LINE__, (config), (candidate), (detail)); \
    } while (0)

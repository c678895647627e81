// Core generator throughput on one core, next to a whole-candidate generate-then-check loop
// measured in the same run (only ratios are stable on a shared machine). The first line is the
// figure test/bench/bench.sh reports.
// Usage: vid_core_bench [seconds per figure, default 2]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "generator.hpp"
#include "random.hpp"
#include "rules.hpp"
#include "verhoeff.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Runs `batch` until `seconds` have passed; returns items per second.
template <typename F>
double rate(double seconds, F&& batch) {
    auto start = Clock::now();
    double items = 0, elapsed = 0;
    do {
        items += batch();
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < seconds);
    return items / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
    vid::RuleSet rules{vid::RuleConfig{}};
    vid::Csprng rng;
    std::vector<uint64_t> out(10000);
    uint64_t sink = 0;

    // What PostgreSQL builds (max_states 100000): the folded automaton.
    vid::Generator automaton(rules, vid::Generator::Method::Automaton, 100000);
    vid::Generator early(rules, vid::Generator::Method::EarlyAbort);
    // The automaton without the checksum (the fallback when the folded one is too large).
    vid::Generator local(rules, vid::Generator::Method::Automaton, 100000, vid::Generator::Variant::Local);
    const double r_auto = rate(seconds, [&] {
        automaton.generate(rng, out.data(), out.size());
        sink += out[0];
        return static_cast<double>(out.size());
    });
    const double r_local = rate(seconds, [&] {
        local.generate(rng, out.data(), out.size());
        sink += out[0];
        return static_cast<double>(out.size());
    });
    const double r_early = rate(seconds, [&] {
        early.generate(rng, out.data(), 1000);
        sink += out[0];
        return 1000.0;
    });
    // The naive loop: a whole random body, its check digit, then every rule on the candidate.
    const int len = rules.config().length;
    const double r_whole = rate(seconds, [&] {
        int found = 0;
        char buf[vid::kMaxLength];
        while (found < 200) {
            for (int i = 0; i < len - 1; ++i) buf[i] = static_cast<char>('0' + rng.digit());
            buf[len - 1] = static_cast<char>('0' + vid::verhoeff_check_digit(std::string_view(buf, len - 1)));
            if (rules.is_valid(std::string_view(buf, len))) ++found;
        }
        sink += static_cast<uint64_t>(buf[0]);
        return 200.0;
    });
    std::printf("| core generator, automaton (VIDs/s, 1 core) | %.0f | whole-candidate loop %.0f | %.1fx |\n",
                r_auto, r_whole, r_auto / r_whole);
    std::printf("| core generator, early abort (VIDs/s, 1 core) | %.0f | whole-candidate loop %.0f | %.1fx |\n",
                r_early, r_whole, r_early / r_whole);
    std::printf("| core generator, automaton without the checksum (VIDs/s, 1 core) | %.0f | whole-candidate loop %.0f | %.1fx |\n",
                r_local, r_whole, r_local / r_whole);
    return sink == 42 ? 1 : 0;
}

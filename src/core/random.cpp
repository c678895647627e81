// Csprng: RAND_bytes into a buffer, dropped whenever the process id changes.
#include "random.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <cstring>

#include "error.hpp"

namespace vid {
namespace {

// Bumped in every child after fork(): a child must never reuse its parent's buffered bytes.
// (getpid() per draw would cost a system call; this costs a load.)
std::atomic<unsigned> fork_epoch{1};

void on_fork_child() { fork_epoch.fetch_add(1, std::memory_order_relaxed); }

[[maybe_unused]] const int fork_handler_registered = pthread_atfork(nullptr, nullptr, on_fork_child);

inline bool stale(unsigned epoch) { return epoch != fork_epoch.load(std::memory_order_relaxed); }

}  // namespace

void Csprng::refill() {
    // No atexit cleanup: a host process (PostgreSQL) that forks children must not have each child
    // tear down OpenSSL's global state at exit (that double-frees in forked processes).
    static const bool initialised = OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, nullptr) == 1;
    if (!initialised || RAND_bytes(buffer_, static_cast<int>(kBufferSize)) != 1)
        throw Error(ErrorKind::Random, "the system's cryptographically secure random source failed");
    pos_ = 0;
    epoch_ = fork_epoch.load(std::memory_order_relaxed);
}

uint64_t Csprng::next64() {
    if (pos_ + sizeof(uint64_t) > kBufferSize || stale(epoch_)) refill();
    uint64_t v;
    std::memcpy(&v, buffer_ + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
}

uint64_t Csprng::below(uint64_t bound) {
    // Lemire's multiply-and-reject: uniform on [0, bound).
    unsigned __int128 m = static_cast<unsigned __int128>(next64()) * bound;
    uint64_t low = static_cast<uint64_t>(m);
    if (low < bound) {
        const uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            m = static_cast<unsigned __int128>(next64()) * bound;
            low = static_cast<uint64_t>(m);
        }
    }
    return static_cast<uint64_t>(m >> 64);
}

int Csprng::digit() {
    for (;;) {
        if (pos_ >= kBufferSize || stale(epoch_)) refill();
        unsigned char b = buffer_[pos_++];
        if (b < 250) return b % 10;
    }
}

}  // namespace vid

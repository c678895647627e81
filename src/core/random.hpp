// A buffered cryptographically secure random source (OpenSSL RAND_bytes), fork-aware.
#pragma once
#include "no_postgres.hpp"
#include <cstddef>
#include <cstdint>

namespace vid {

class Csprng {
public:
    // A uniform 64-bit value.
    uint64_t next64();
    // A uniform value in [0, bound); bound > 0. Exact (rejection), no modulo bias.
    uint64_t below(uint64_t bound);
    // A uniform decimal digit 0..9.
    int digit();

private:
    void refill();
    static constexpr size_t kBufferSize = 4096;
    unsigned char buffer_[kBufferSize];
    size_t pos_ = kBufferSize;  // empty until first use
    unsigned epoch_ = 0;        // fork epoch of the buffer: bytes from before a fork are never reused
};

}  // namespace vid

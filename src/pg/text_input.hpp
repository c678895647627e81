// Turning SQL text arguments into what the core reads.
#pragma once

#include <cstdint>
#include <string_view>

#include "boundary.hpp"

namespace vid_pg {

// The argument as UTF-8 bytes (converted from the database encoding when that differs).
std::string_view text_as_utf8(const struct varlena* t);

// Parses a VID written as exactly `len` ASCII digits; false for anything else.
bool parse_vid(std::string_view s, int len, uint64_t* key);

// The text form of a stored key: `len` digits, zero-padded.
struct varlena* vid_to_text(uint64_t key, int len);

}  // namespace vid_pg

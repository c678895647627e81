// Encoding conversion and the text <-> key mapping at the SQL edge.
#include "text_input.hpp"

extern "C" {
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
}

#include "../core/generator.hpp"

namespace vid_pg {

std::string_view text_as_utf8(const struct varlena* t) {
    const char* data = VARDATA_ANY(t);
    const size_t len = VARSIZE_ANY_EXHDR(t);
    const int enc = GetDatabaseEncoding();
    if (enc == PG_UTF8 || enc == PG_SQL_ASCII) return std::string_view(data, len);
    bool ascii = true;
    for (size_t i = 0; i < len && ascii; ++i) ascii = !IS_HIGHBIT_SET(data[i]);
    if (ascii) return std::string_view(data, len);
    char* utf8 = reinterpret_cast<char*>(
        pg_do_encoding_conversion(reinterpret_cast<unsigned char*>(const_cast<char*>(data)),
                                  static_cast<int>(len), enc, PG_UTF8));
    return std::string_view(utf8, strlen(utf8));
}

bool parse_vid(std::string_view s, int len, uint64_t* key) {
    if (static_cast<int>(s.size()) != len) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    *key = vid::digits_to_number(s.data(), len);
    return true;
}

struct varlena* vid_to_text(uint64_t key, int len) {
    char buf[vid::kMaxLength + 1];
    vid::number_to_digits(key, len, buf);
    return reinterpret_cast<struct varlena*>(cstring_to_text_with_len(buf, len));
}

}  // namespace vid_pg

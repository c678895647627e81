// SQL-callable validity checks: vid_is_valid, vid_check, and the CHECK helpers of vid's tables.
#include "boundary.hpp"

extern "C" {
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/rel.h"
}

#include "../core/generator.hpp"
#include "rules_cache.hpp"
#include "text_input.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(vid_is_valid);
PG_FUNCTION_INFO_V1(vid_check);
PG_FUNCTION_INFO_V1(vid_key_is_valid);
PG_FUNCTION_INFO_V1(vid_pattern_error);
PG_FUNCTION_INFO_V1(vid_rules_changed);
}

// vid_is_valid(text) -> boolean: the string obeys every rule in force (STRICT).
extern "C" Datum vid_is_valid(PG_FUNCTION_ARGS) {
    std::string_view s = vid_pg::text_as_utf8(PG_GETARG_TEXT_PP(0));
    PG_RETURN_BOOL(vid_pg::current_rules().is_valid(s));
}

// vid_check(text) -> text: NULL when valid, else the name of the first failing rule.
extern "C" Datum vid_check(PG_FUNCTION_ARGS) {
    vid::Rule rule = vid::Rule::Empty;  // NULL is reported like MOSIP's "empty or null"
    if (!PG_ARGISNULL(0)) rule = vid_pg::current_rules().first_failing_rule(vid_pg::text_as_utf8(PG_GETARG_TEXT_PP(0)));
    if (rule == vid::Rule::Ok) PG_RETURN_NULL();
    PG_RETURN_TEXT_P(cstring_to_text(vid::rule_name(rule)));
}

// vid.key_is_valid(bigint) -> boolean: a stored key is a valid VID under the rules in force.
extern "C" Datum vid_key_is_valid(PG_FUNCTION_ARGS) {
    const int64 key = PG_GETARG_INT64(0);
    const vid::RuleSet& rules = vid_pg::current_rules();
    const int len = rules.config().length;
    uint64_t limit = 1;
    for (int i = 0; i < len; ++i) limit *= 10;
    if (key < 0 || static_cast<uint64_t>(key) >= limit) PG_RETURN_BOOL(false);
    char buf[vid::kMaxLength];
    vid::number_to_digits(static_cast<uint64_t>(key), len, buf);
    PG_RETURN_BOOL(rules.is_valid(std::string_view(buf, len)));
}

// vid.pattern_error(text) -> text: why a restricted number is refused, NULL when acceptable.
extern "C" Datum vid_pattern_error(PG_FUNCTION_ARGS) {
    text* t = PG_GETARG_TEXT_PP(0);
    char why[128] = "";
    vid_pg::core_call([&] {
        std::string e = vid::pattern_error(std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
        std::snprintf(why, sizeof why, "%s", e.c_str());
    });
    if (why[0] == '\0') PG_RETURN_NULL();
    PG_RETURN_TEXT_P(cstring_to_text(why));
}

// Statement trigger on the rule tables: every backend drops its cached rules at commit.
extern "C" Datum vid_rules_changed(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("vid.rules_changed() must be called as a trigger")));
    TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
    CacheInvalidateRelcacheByRelid(RelationGetRelid(trigger->tg_relation));
    return PointerGetDatum(nullptr);
}

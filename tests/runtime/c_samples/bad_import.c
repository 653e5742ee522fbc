#include "nyrt.h"
NY_IMPORT(str_new) int64_t wrong_str_new(int64_t len);
NY_EXPORT(cs_bad) int64_t cs_bad(void) { return wrong_str_new(3); }

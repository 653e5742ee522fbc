#include "nyrt.h"
static uint8_t huge[200000] = {1};
NY_EXPORT(cs_huge) int32_t cs_huge(int32_t i) { huge[i] ^= 1; return huge[i]; }

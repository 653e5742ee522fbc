/* data.h: what the data box runtime parts (data_*.c) share. */
#ifndef DATA_H
#define DATA_H
#include "world.h"

void sb_int(sb_t *b, int64_t v);             /* decimal text of v */
void sb_type_name(sb_t *b, ny_value v);      /* upstream's type_name() of v */
#endif

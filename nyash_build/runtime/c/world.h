/* world.h: what the world runtime parts (world_*.c) share. */
#ifndef WORLD_H
#define WORLD_H
#include "nyrt.h"

#define P(x) ((int32_t)(uintptr_t)(x))

/* a growing byte buffer that becomes a string */
typedef struct { int32_t buf, len, cap; } sb_t;
void sb_add(sb_t *b, const void *p, int32_t n);
void sb_c(sb_t *b, const char *s);
void sb_s(sb_t *b, int32_t s);
int32_t sb_done(sb_t *b);   /* the owned string; frees the buffer */

/* world_fs.c: the bytes of a file (through the preopens), or 0 */
int32_t world_read_file(const char *path);

/* world_fs.c: write a whole file; 0 or the owned text of the failure */
int32_t world_write_file(int32_t path, const uint8_t *p, int32_t n);
/* world_time.c: the current local time formatted (owned string) */
int32_t world_now_text(const char *fmt);

NY_IMPORT(world_env) int32_t ny_world_env(int32_t name);  /* owned string or 0 */
NY_IMPORT(out_flush) void ny_out_flush(void);             /* buffered stdout out now */
#endif

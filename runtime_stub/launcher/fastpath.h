/* fastpath.h - the launcher's native run of the payload (see fastpath.c). */
#ifndef NYASH_LAUNCHER_FASTPATH_H
#define NYASH_LAUNCHER_FASTPATH_H

#include <stdint.h>

typedef struct {
    const char *self;        /* this executable (/proc/self/exe), as NYASH_EXE */
    int fd;                  /* open on it */
    uint64_t payload_off, payload_len;
    const char *runner_dir;  /* the unpacked runner (holds _libwasmtime.so) */
    int argc;
    char **argv;
} launch_info;

/* Runs the program and exits when the fast path covers this run. Returns (having
 * written nothing) when the Python runner must take over: the caller execs it. */
void fastpath_run(const launch_info *info);

#endif

/*
 * main.c - the first bytes of every Nyash executable.
 *
 * Why: PyInstaller's one-file mode unpacks ~25 MB on EVERY start (220-660 ms). This
 * launcher instead unpacks the embedded one-dir runner ONCE into a content-addressed
 * cache directory; afterwards a start is a stat, and then either the native fast path
 * (fastpath.c: wasmtime's C API, loaded from that directory, runs the payload in this
 * process) or, for whatever the fast path leaves to it, an exec of the Python runner.
 *
 * Layout of the executable (defined in runtime_stub/payload.py, whose constants are
 * passed to the compiler as -D flags by nyash_build/bundle/launcher_build.py):
 *   [this ELF][runner archive][app payload][trailer]
 * The runner archive (raw LZMA2 over the x86 BCJ filter, see lzma2.c) decodes to a
 * sequence of records
 *   u8 type (1 dir, 2 file, 3 symlink, 0 end) | u32 mode | u32 path length |
 *   u64 data length | path | data
 * Cache dir: $NYASH_RUNNER_CACHE/<sha256 of archive>/ if set (only that), else
 * $XDG_CACHE_HOME/nyash/runners/<sha>/, else
 * $HOME/.cache/..., else the passwd home, else /tmp/nyash-<uid>/runners (must be ours,
 * mode 0700). Unpacking goes to a temp dir in the same parent and is published with
 * one rename(2), so a half-written runner is never used; the archive's sha256 is
 * checked before decoding. The Python runner is started as
 * execv(<dir>/RUNNER_NAME, argv) with NYASH_EXE set to this executable, from which
 * it reads the app payload.
 *
 * Exit codes (see runtime_stub/runner.py EXIT_CODES): 121 truncated executable (the
 * trailer's offsets do not match the file size), 123 not a nyash executable / foreign
 * trailer, 124 runner archive corrupt, 125 cannot unpack or exec the runner; the fast
 * path adds the runner's own (fastpath.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "common.h"
#include "fastpath.h"

#ifndef TRAILER_SIZE
#error "build with the -D constants from runtime_stub/payload.py"
#endif


static const char *self_path = "?";

static void die(int code, const char *what, const char *detail) {
    fprintf(stderr, "nyash: %s: %s%s%s\n", self_path, what, detail ? ": " : "",
            detail ? detail : "");
    exit(code);
}

/* ------------------------------------------------------------------ helpers */
static int read_at(int fd, void *buf, size_t len, off_t off) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);
        if (n <= 0) { if (n < 0 && errno == EINTR) continue; return -1; }
        done += (size_t)n;
    }
    return 0;
}

static int mkdirs(const char *path, mode_t mode) {
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) return -1;
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(tmp, mode) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    return (mkdir(tmp, mode) != 0 && errno != EEXIST) ? -1 : 0;
}

static int rm_entry(const char *p, const struct stat *s, int flag, struct FTW *f) {
    (void)s; (void)flag; (void)f;
    return remove(p);
}

/* Candidate cache roots, in order of preference. Returns how many were filled. Without
 * `all`, only those named by the environment: a warm start usually finds its runner
 * there and skips the passwd lookup (NSS: a config file and /etc/passwd) and /tmp. */
static int cache_roots(char roots[4][PATH_MAX], int all) {
    int n = 0;
    const char *only = getenv("NYASH_RUNNER_CACHE");
    if (only && only[0] == '/') { snprintf(roots[n++], PATH_MAX, "%s", only); return n; }
    const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (x && x[0] == '/') snprintf(roots[n++], PATH_MAX, "%s/nyash/runners", x);
    if (home && home[0] == '/') snprintf(roots[n++], PATH_MAX, "%s/.cache/nyash/runners", home);
    if (!all) return n;
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_dir && pw->pw_dir[0] == '/' && (!home || strcmp(home, pw->pw_dir) != 0))
        snprintf(roots[n++], PATH_MAX, "%s/.cache/nyash/runners", pw->pw_dir);
    snprintf(roots[n++], PATH_MAX, "/tmp/nyash-%u/runners", (unsigned)getuid());
    return n;
}

/* The /tmp fallback is shared: only use it when the parent is ours and private. */
static int private_tmp_ok(const char *root) {
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "/tmp/nyash-%u", (unsigned)getuid());
    if (strncmp(root, parent, strlen(parent)) != 0) return 1;
    mkdir(parent, 0700);
    struct stat st;
    return lstat(parent, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid()
           && (st.st_mode & 077) == 0;
}

/* ------------------------------------------------------------------ unpack */
static uint8_t *decode_runner(int fd, const uint8_t *tr) {
    uint64_t off = le64(tr + OFF_RUNNER_OFF), len = le64(tr + OFF_RUNNER_LEN);
    uint64_t raw_len = le64(tr + OFF_RUNNER_RAW_LEN);
    uint8_t *blob = malloc(len ? len : 1), *raw = malloc(raw_len ? raw_len : 1), digest[32];
    if (!blob || !raw) die(EXIT_RUNNER_IO, "out of memory unpacking the runner", NULL);
    if (read_at(fd, blob, len, (off_t)off) != 0)
        die(EXIT_RUNNER_CORRUPT, "runner archive is truncated", NULL);
    sha256(blob, len, digest);
    if (memcmp(digest, tr + OFF_RUNNER_SHA256, 32) != 0)
        die(EXIT_RUNNER_CORRUPT, "runner archive checksum mismatch (altered or truncated executable)", NULL);
    if (lzma2_x86_decode(blob, len, raw, raw_len) != 0)
        die(EXIT_RUNNER_CORRUPT, "runner archive cannot be decoded", NULL);
    free(blob);
    return raw;
}

static int write_file(const char *path, const uint8_t *data, uint64_t len, mode_t mode) {
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return -1;
    uint64_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0) { if (errno == EINTR) continue; close(fd); return -1; }
        done += (uint64_t)n;
    }
    return close(fd);
}

/* Unpack the records into dir `tmp` (created empty). Returns 0 or -1 (errno set). */
static int unpack_records(const uint8_t *raw, uint64_t raw_len, const char *tmp) {
    uint64_t pos = 0;
    char path[PATH_MAX];
    while (pos + 17 <= raw_len) {
        uint8_t type = raw[pos];
        uint32_t mode = le32(raw + pos + 1), plen = le32(raw + pos + 5);
        uint64_t dlen = le64(raw + pos + 9);
        pos += 17;
        if (type == 0) return 0;
        if (pos + plen + dlen > raw_len || plen == 0 || plen >= 1024) break;
        const char *name = (const char *)raw + pos;
        if (name[0] == '/' || memmem(name, plen, "..", 2)) break;
        if (snprintf(path, sizeof path, "%s/%.*s", tmp, (int)plen, name) >= (int)sizeof path) break;
        const uint8_t *data = raw + pos + plen;
        pos += plen + dlen;
        int rc;
        if (type == 1) rc = mkdir(path, (mode_t)(mode & 0777) | 0700);
        else if (type == 2) rc = write_file(path, data, dlen, (mode_t)(mode & 0777));
        else if (type == 3) {
            char target[PATH_MAX];
            if (dlen >= sizeof target) break;
            memcpy(target, data, dlen); target[dlen] = 0;
            rc = symlink(target, path);
        } else break;
        if (rc != 0) return -1;
    }
    errno = EINVAL;
    return -2;
}

/* Make `<root>/<hex>` exist (unpacking if needed). Returns 0 on success. */
static int ensure_unpacked(int fd, const uint8_t *tr, const char *root, const char *hex,
                           const char *final_dir, uint8_t **raw_cache) {
    char tmp[PATH_MAX];
    if (!private_tmp_ok(root) || mkdirs(root, 0700) != 0) return -1;
    if (snprintf(tmp, sizeof tmp, "%s/.tmp-%.16s-XXXXXX", root, hex) >= (int)sizeof tmp) return -1;
    if (!mkdtemp(tmp)) return -1;
    if (!*raw_cache) *raw_cache = decode_runner(fd, tr);
    int rc = unpack_records(*raw_cache, le64(tr + OFF_RUNNER_RAW_LEN), tmp);
    if (rc == -2) {
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        die(EXIT_RUNNER_CORRUPT, "runner archive has a malformed record", NULL);
    }
    if (rc == 0 && rename(tmp, final_dir) == 0) return 0;
    int err = errno;
    nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (rc == 0 && (err == EEXIST || err == ENOTEMPTY)) return 0; /* another process won */
    errno = err;
    return -1;
}

/* A standard stream the caller closed (`./app <&-`) would be the next file we open --
 * our own executable -- and the program would read or write it as stdin/stdout. Put
 * /dev/null there first: a closed stdin reads as end of input (docs/world.md). */
static void standard_streams_open(void) {
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        int null = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (null >= 0 && null != fd) { /* cannot happen: open takes the lowest free fd */
            dup2(null, fd);
            close(null);
        }
    }
}

int main(int argc, char **argv) {
    static char self[PATH_MAX];
    standard_streams_open();
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) die(EXIT_RUNNER_IO, "cannot find own executable (/proc not mounted?)", NULL);
    self[n] = 0;
    self_path = self;
    int fd = open(self, O_RDONLY | O_CLOEXEC);
    struct stat st;
    uint8_t tr[TRAILER_SIZE];
    if (fd < 0 || fstat(fd, &st) != 0) die(EXIT_RUNNER_IO, "cannot read own executable", strerror(errno));
    if (st.st_size < TRAILER_SIZE || read_at(fd, tr, TRAILER_SIZE, st.st_size - TRAILER_SIZE) != 0
        || memcmp(tr + OFF_MAGIC, TRAILER_MAGIC, 8) != 0 || memcmp(tr + OFF_END, TRAILER_END, 8) != 0)
        die(EXIT_FOREIGN, "not a nyash executable (trailer missing: truncated or foreign file)", NULL);
    if (le32(tr + OFF_VERSION) != TRAILER_VERSION)
        die(EXIT_FOREIGN, "unsupported executable format version", NULL);
    uint64_t r_off = le64(tr + OFF_RUNNER_OFF), r_len = le64(tr + OFF_RUNNER_LEN);
    uint64_t p_off = le64(tr + OFF_PAYLOAD_OFF), p_len = le64(tr + OFF_PAYLOAD_LEN);
    if (r_off + r_len > p_off || p_off + p_len != (uint64_t)st.st_size - TRAILER_SIZE)
        die(EXIT_CORRUPT, "executable is truncated or its trailer is damaged", NULL);

    char hex[65], roots[4][PATH_MAX], dir[PATH_MAX], exe[PATH_MAX];
    for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", tr[OFF_RUNNER_SHA256 + i]);
    int nroots = 0, found = 0;
    for (int all = 0; all < 2 && !found; all++) {
        nroots = cache_roots(roots, all);
        for (int i = 0; i < nroots && !found; i++) {
            snprintf(dir, sizeof dir, "%s/%s", roots[i], hex);
            snprintf(exe, sizeof exe, "%s/%s", dir, RUNNER_NAME);
            found = access(exe, X_OK) == 0;
        }
    }
    uint8_t *raw = NULL;
    int last_err = 0;
    for (int i = 0; i < nroots && !found; i++) {
        snprintf(dir, sizeof dir, "%s/%s", roots[i], hex);
        snprintf(exe, sizeof exe, "%s/%s", dir, RUNNER_NAME);
        if (ensure_unpacked(fd, tr, roots[i], hex, dir, &raw) == 0) found = access(exe, X_OK) == 0;
        else last_err = errno;
    }
    free(raw);
    if (!found) die(EXIT_RUNNER_IO, "cannot unpack the runner into any cache directory",
                    last_err ? strerror(last_err) : NULL);
    launch_info info = {self, fd, p_off, p_len, dir, argc, argv};
    fastpath_run(&info); /* returns when the Python runner takes this run */
    close(fd);
    if (setenv("NYASH_EXE", self, 1) != 0 || setenv("NYASH_RUNNER_DIR", dir, 1) != 0)
        die(EXIT_RUNNER_IO, "cannot set up the environment", NULL);
    execv(exe, argv);
    die(EXIT_RUNNER_IO, "cannot start the runner", strerror(errno));
    return EXIT_RUNNER_IO;
}

/*
 * launcher.c - the first bytes of every Nyash executable.
 *
 * Why: PyInstaller's one-file mode unpacks ~25 MB on EVERY start (220-660 ms). This
 * launcher instead unpacks the embedded one-dir runner ONCE into a content-addressed
 * cache directory and afterwards just execs it (warm start = stat + exec).
 *
 * Layout of the executable (defined in runtime_stub/payload.py, whose constants are
 * passed to gcc as -D flags by nyash_build/bundle/runner_cache.py):
 *   [this ELF][runner archive, xz][app payload][trailer]
 * The runner archive (after xz decoding) is a sequence of records
 *   u8 type (1 dir, 2 file, 3 symlink, 0 end) | u32 mode | u32 path length |
 *   u64 data length | path | data
 * Cache dir: $NYASH_RUNNER_CACHE/<sha256 of archive>/ if set (only that), else
 * $XDG_CACHE_HOME/nyash/runners/<sha>/, else
 * $HOME/.cache/..., else the passwd home, else /tmp/nyash-<uid>/runners (must be ours,
 * mode 0700). Unpacking goes to a temp dir in the same parent and is published with
 * one rename(2), so a half-written runner is never used; the archive's sha256 is
 * checked before decoding. Then: execv(<dir>/RUNNER_NAME, argv) with NYASH_EXE set to
 * this executable, from which the runner reads the app payload.
 *
 * Exit codes (see runtime_stub/runner.py EXIT_CODES): 121 truncated executable (the
 * trailer's offsets do not match the file size), 123 not a nyash executable / foreign
 * trailer, 124 runner archive corrupt, 125 cannot unpack or exec the runner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <lzma.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef TRAILER_SIZE
#error "build with the -D constants from runtime_stub/payload.py"
#endif

#define EXIT_CORRUPT 121
#define EXIT_FOREIGN 123
#define EXIT_RUNNER_CORRUPT 124
#define EXIT_RUNNER_IO 125

static const char *self_path = "?";

static void die(int code, const char *what, const char *detail) {
    fprintf(stderr, "nyash: %s: %s%s%s\n", self_path, what, detail ? ": " : "",
            detail ? detail : "");
    exit(code);
}

/* ------------------------------------------------------------------ sha256 */
typedef struct { uint32_t h[8]; uint64_t len; uint8_t buf[64]; size_t n; } sha256_ctx;
static const uint32_t K[64] = {
    0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
    0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
    0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
    0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
    0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
    0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
    0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
    0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2};
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
static void sha256_block(sha256_ctx *c, const uint8_t *p) {
    uint32_t w[64], a, b, d, e, f, g, h, cc, t1, t2;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4*i] << 24 | (uint32_t)p[4*i+1] << 16 | (uint32_t)p[4*i+2] << 8 | p[4*i+3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i-15], 7) ^ ROR(w[i-15], 18) ^ (w[i-15] >> 3);
        uint32_t s1 = ROR(w[i-2], 17) ^ ROR(w[i-2], 19) ^ (w[i-2] >> 10);
        w[i] = w[i-16] + s0 + w[i-7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
    e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (int i = 0; i < 64; i++) {
        t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1; d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}
static void sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
    sha256_ctx c = {{0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,
                     0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19}, 0, {0}, 0};
    size_t i = 0;
    for (; i + 64 <= len; i += 64) sha256_block(&c, data + i);
    uint8_t tail[128] = {0};
    size_t rest = len - i;
    memcpy(tail, data + i, rest);
    tail[rest] = 0x80;
    size_t tl = rest + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int k = 0; k < 8; k++) tail[tl - 1 - k] = (uint8_t)(bits >> (8 * k));
    sha256_block(&c, tail);
    if (tl == 128) sha256_block(&c, tail + 64);
    for (int k = 0; k < 8; k++) {
        out[4*k] = c.h[k] >> 24; out[4*k+1] = c.h[k] >> 16;
        out[4*k+2] = c.h[k] >> 8; out[4*k+3] = c.h[k];
    }
}

/* ------------------------------------------------------------------ helpers */
static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

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

/* Candidate cache roots, in order of preference. Returns how many were filled. */
static int cache_roots(char roots[4][PATH_MAX]) {
    int n = 0;
    const char *only = getenv("NYASH_RUNNER_CACHE");
    if (only && only[0] == '/') { snprintf(roots[n++], PATH_MAX, "%s", only); return n; }
    const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (x && x[0] == '/') snprintf(roots[n++], PATH_MAX, "%s/nyash/runners", x);
    if (home && home[0] == '/') snprintf(roots[n++], PATH_MAX, "%s/.cache/nyash/runners", home);
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
    uint64_t memlimit = UINT64_MAX;
    size_t in_pos = 0, out_pos = 0;
    lzma_ret r = lzma_stream_buffer_decode(&memlimit, 0, NULL, blob, &in_pos, len, raw, &out_pos, raw_len);
    if (r != LZMA_OK || out_pos != raw_len)
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

int main(int argc, char **argv) {
    (void)argc;
    static char self[PATH_MAX];
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
    int nroots = cache_roots(roots), found = 0;
    for (int i = 0; i < nroots && !found; i++) {
        snprintf(dir, sizeof dir, "%s/%s", roots[i], hex);
        snprintf(exe, sizeof exe, "%s/%s", dir, RUNNER_NAME);
        found = access(exe, X_OK) == 0;
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
    close(fd);
    if (!found) die(EXIT_RUNNER_IO, "cannot unpack the runner into any cache directory",
                    last_err ? strerror(last_err) : NULL);
    if (setenv("NYASH_EXE", self, 1) != 0 || setenv("NYASH_RUNNER_DIR", dir, 1) != 0)
        die(EXIT_RUNNER_IO, "cannot set up the environment", NULL);
    execv(exe, argv);
    die(EXIT_RUNNER_IO, "cannot start the runner", strerror(errno));
    return EXIT_RUNNER_IO;
}

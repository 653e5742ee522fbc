/* world_fs.c: FileBox and the path resolution every file access goes through
 * (docs/design.md "World interface", docs/world.md "FileBox").
 *
 * WASI has no current directory and only gives access below preopened directories.
 * A path the program writes is resolved here: a relative path is joined to NYASH_CWD
 * (set by our hosts; without it, resolved inside the "." preopen), the result is
 * normalised lexically (".", ".."), and opened relative to the preopen with the
 * longest matching absolute prefix.  No match -- or the host refusing a symlink that
 * escapes its preopen -- is "access denied: PATH" (PATH as the program wrote it).
 *
 * FileBox object (24 bytes): +0 rc, +4 kind id, +8 path string (owned, 0 = none),
 * +12 mode of the open handle ('r', 'w', 'a'), +16 fd, +20 state (0 = never opened:
 * read()/write() work on the whole file at path; 1 = open; 2 = closed).
 */
#include "nyrt.h"
#include "world.h"

/* WASI functions, through thin wrappers in world.wat (C cannot import them itself) */
NY_IMPORT(wasi_fd_prestat_get) int32_t w_prestat_get(int32_t fd, int32_t out);
NY_IMPORT(wasi_fd_prestat_dir_name) int32_t w_prestat_dir_name(int32_t fd, int32_t buf, int32_t len);
NY_IMPORT(wasi_path_open) int32_t w_path_open(int32_t dirfd, int32_t dirflags, int32_t path, int32_t len,
                                               int32_t oflags, int64_t base, int64_t inh, int32_t fdflags,
                                               int32_t fd_out);
NY_IMPORT(wasi_fd_read) int32_t w_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t out);
NY_IMPORT(wasi_fd_write) int32_t w_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t out);
NY_IMPORT(wasi_fd_close) int32_t w_fd_close(int32_t fd);
NY_IMPORT(wasi_fd_seek) int32_t w_fd_seek(int32_t fd, int64_t off, int32_t whence, int32_t out);
NY_IMPORT(wasi_fd_filestat_get) int32_t w_fd_filestat_get(int32_t fd, int32_t out);
NY_IMPORT(wasi_path_filestat_get) int32_t w_path_filestat_get(int32_t fd, int32_t flags, int32_t path,
                                                               int32_t len, int32_t out);
NY_IMPORT(wasi_path_unlink_file) int32_t w_path_unlink_file(int32_t fd, int32_t path, int32_t len);
NY_IMPORT(wasi_path_readlink) int32_t w_path_readlink(int32_t fd, int32_t path, int32_t len, int32_t buf,
                                                       int32_t buf_len, int32_t out);
NY_IMPORT(errno_text) int32_t ny_errno_text(int32_t err);
NY_IMPORT(str_lossy) int32_t ny_str_lossy(int32_t s);

/* WASI errno values used here */
enum { E_BADF = 8, E_EXIST = 20, E_INTR = 27, E_INVAL = 28, E_ISDIR = 31, E_LOOP = 32, E_NAMETOOLONG = 37,
       E_NOENT = 44, E_NOTDIR = 54, E_PERM = 63, E_NOTCAPABLE = 76 };
#define ERR_ACCESS (-1)   /* outside every preopened directory */

/* rights and flags */
#define R_READ  ((int64_t)((1 << 1) | (1 << 2) | (1 << 5) | (1 << 21)))
#define R_WRITE ((int64_t)((1 << 0) | (1 << 2) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 21) | (1 << 22)))
#define O_CREAT 1
#define O_TRUNC 8
#define FD_APPEND 1
#define LOOKUP_FOLLOW 1

#define PATH_CAP 4096

/* ------------------------------------------------------------------ preopens */
#define MAX_PRE 64
#define NAMES_CAP 8192
static int32_t pre_count = -1;
static int32_t pre_fd[MAX_PRE], pre_off[MAX_PRE], pre_len[MAX_PRE];
static char pre_names[NAMES_CAP];
static int32_t have_root;      /* "/" is preopened: the native policy */
static int32_t dot_fd = -1;    /* a preopen named "." (plain WASI hosts) */

static void pre_init(void) {
    if (pre_count >= 0) return;
    pre_count = 0;
    int32_t used = 0;
    for (int32_t fd = 3; fd < 4096 && pre_count < MAX_PRE; fd++) {
        uint32_t st[2];
        int32_t e = w_prestat_get(fd, P(st));
        if (e == E_BADF) break;
        if (e != 0 || (st[0] & 0xff) != 0) continue;
        int32_t n = (int32_t)st[1];
        if (n <= 0 || used + n > NAMES_CAP) continue;
        char *name = pre_names + used;
        if (w_prestat_dir_name(fd, P(name), n) != 0) continue;
        while (n > 0 && name[n - 1] == 0) n--;
        while (n > 1 && name[n - 1] == '/') n--;
        if (n == 0) continue;
        if (name[0] != '/') {
            if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '/'))
                if (dot_fd < 0) dot_fd = fd;
            continue;
        }
        pre_fd[pre_count] = fd;
        pre_off[pre_count] = used;
        pre_len[pre_count] = n;
        pre_count++;
        used += n;
        if (n == 1) have_root = 1;
    }
}

/* ------------------------------------------------------------------ current directory */
static int32_t cwd_state = -1;   /* -1 not read yet, 0 unset, 1 set */
static char cwd_buf[PATH_CAP];
static int32_t cwd_len;

static void cwd_init(void) {
    if (cwd_state >= 0) return;
    cwd_state = 0;
    int32_t name = ny_str_c("NYASH_CWD");
    int32_t v = ny_world_env(name);
    ny_release_str(name);
    if (!v) return;
    int32_t n = ny_str_len(v);
    if (n > 0 && n < PATH_CAP && ny_str_bytes(v)[0] == '/') {
        __builtin_memcpy(cwd_buf, ny_str_bytes(v), n);
        cwd_len = n;
        cwd_state = 1;
    }
    ny_release_str(v);
}

/* ------------------------------------------------------------------ normalisation */
/* Append the segments of p[0..n) to out (length *len), resolving "." and ".."
 * lexically.  out is absolute ("/...", *len >= 1) or relative (no leading '/').
 * Returns 0, E_NAMETOOLONG, or ERR_ACCESS when ".." climbs above a relative start. */
static int32_t append_segments(char *out, int32_t *len, const uint8_t *p, int32_t n) {
    int32_t absolute = *len > 0 && out[0] == '/';
    int32_t i = 0;
    while (i < n) {
        while (i < n && p[i] == '/') i++;
        int32_t s = i;
        while (i < n && p[i] != '/') i++;
        int32_t k = i - s;
        if (k == 0 || (k == 1 && p[s] == '.')) continue;
        if (k == 2 && p[s] == '.' && p[s + 1] == '.') {
            if (absolute) {
                if (*len <= 1) continue;            /* "/.." is "/" */
                int32_t j = *len - 1;
                while (j > 0 && out[j] != '/') j--;
                *len = j == 0 ? 1 : j;
            } else {
                if (*len == 0) return ERR_ACCESS;
                int32_t j = *len - 1;
                while (j > 0 && out[j] != '/') j--;
                *len = j;
            }
            continue;
        }
        int32_t sep = (absolute ? *len > 1 : *len > 0) ? 1 : 0;
        if (*len + sep + k >= PATH_CAP) return E_NAMETOOLONG;
        if (sep) out[(*len)++] = '/';
        __builtin_memcpy(out + *len, p + s, k);
        *len += k;
    }
    return 0;
}

/* The preopen whose absolute name is the longest prefix of abs[0..len) (on a
 * component boundary), or -1; *from is where the relative rest starts. */
static int32_t match_preopen(const char *abs, int32_t len, int32_t *from) {
    int32_t best = -1, best_len = 0;
    for (int32_t i = 0; i < pre_count; i++) {
        int32_t L = pre_len[i];
        const char *name = pre_names + pre_off[i];
        int32_t match = L == 1 || (len >= L && __builtin_memcmp(abs, name, L) == 0 && (len == L || abs[L] == '/'));
        if (match && L > best_len) {
            best = i;
            best_len = L;
        }
    }
    if (best >= 0) *from = best_len == 1 ? 1 : (len > best_len ? best_len + 1 : len);
    return best;
}

/* the symbolic link (absolute path) that made the last resolve_links fail with EPERM */
static char perm_link[PATH_CAP];
static int32_t perm_link_len;

/* Resolve symbolic links in the absolute, lexically clean path abs (in place), the way
 * the kernel would for a native program: a link's target replaces it (absolute targets
 * from the root, relative ones from the link's directory) and ".." after it is taken
 * physically.  Components outside every preopen cannot be inspected and are taken as
 * they are.  Why: WASI hosts refuse to follow a symlink whose target leaves the
 * preopened directory, and an absolute target always counts as leaving it, so under
 * the native policy (/ preopened) /etc/localtime -> /usr/share/zoneinfo/... would fail.
 * Opening the resolved path keeps the host's check for anything else (a link created
 * meanwhile). */
static int32_t resolve_links(char *abs, int32_t *len) {
    char todo[PATH_CAP], out[PATH_CAP], link[PATH_CAP];
    int32_t tn = *len - 1, on = 1, links = 0;   /* todo: what follows "/" in abs */
    __builtin_memcpy(todo, abs + 1, tn);
    out[0] = '/';
    int32_t i = 0;
    while (i < tn) {
        while (i < tn && todo[i] == '/') i++;
        int32_t s = i;
        while (i < tn && todo[i] != '/') i++;
        int32_t k = i - s;
        if (k == 0 || (k == 1 && todo[s] == '.')) continue;
        if (k == 2 && todo[s] == '.' && todo[s + 1] == '.') {
            if (on > 1) {
                int32_t j = on - 1;
                while (j > 0 && out[j] != '/') j--;
                on = j == 0 ? 1 : j;
            }
            continue;
        }
        int32_t cand = on, sep = on > 1;
        if (cand + sep + k >= PATH_CAP) return E_NAMETOOLONG;
        if (sep) out[cand++] = '/';
        __builtin_memcpy(out + cand, todo + s, k);
        cand += k;
        int32_t from, pre = match_preopen(out, cand, &from), got = 0;
        if (pre >= 0 && cand > from) {
            char rel[PATH_CAP + 1];
            __builtin_memcpy(rel, out + from, cand - from);
            rel[cand - from] = 0;
            int32_t e = w_path_readlink(pre_fd[pre], P(rel), cand - from, P(link), PATH_CAP, P(&got));
            if (e == E_PERM) {  /* a link to an absolute path: the host will not say where */
                __builtin_memcpy(perm_link, out, cand);
                perm_link_len = cand;
                return E_PERM;
            }
            if (e == 0 && got > 0) {
                if (++links > 40) return E_LOOP;
                /* todo = link target + the rest not yet walked */
                int32_t rest = tn - i;
                if (got + rest >= PATH_CAP) return E_NAMETOOLONG;
                __builtin_memmove(todo + got, todo + i, rest);
                __builtin_memcpy(todo, link, got);
                tn = got + rest;
                i = 0;
                if (link[0] == '/') on = 1;  /* absolute target: from the root */
                continue;                      /* relative: from the link's directory (out as it was) */
            }
        }
        on = cand;
    }
    __builtin_memcpy(abs, out, on);
    *len = on;
    return 0;
}

/* Resolve the path string to (preopen fd, relative path in rel, NUL-terminated).
 * Returns 0 or an error (ERR_ACCESS, E_NOENT for "", E_NAMETOOLONG, E_LOOP). */
static int32_t resolve(int32_t path, int32_t *fd, char *rel, int32_t *rel_len) {
    perm_link_len = 0;
    pre_init();
    cwd_init();
    const uint8_t *p = ny_str_bytes(path);
    int32_t n = ny_str_len(path);
    if (n == 0) return E_NOENT;
    for (int32_t k = 0; k < n; k++)
        if (p[k] == 0) return E_INVAL;
    char abs[PATH_CAP];
    int32_t len = 0, e;
    if (p[0] == '/' || cwd_state == 1) {
        /* cwd + path as written: resolve_links takes "." and ".." (physically) */
        if (p[0] != '/') {
            if (cwd_len + 1 + n >= PATH_CAP) return E_NAMETOOLONG;
            __builtin_memcpy(abs, cwd_buf, cwd_len);
            abs[cwd_len] = '/';
            len = cwd_len + 1;
        } else {
            len = 0;
            if (n >= PATH_CAP) return E_NAMETOOLONG;
        }
        __builtin_memcpy(abs + len, p, n);
        len += n;
        if ((e = resolve_links(abs, &len)) != 0) return e;
        int32_t from, best = match_preopen(abs, len, &from);
        if (best < 0) return ERR_ACCESS;
        *rel_len = len - from;
        __builtin_memcpy(rel, abs + from, *rel_len);
        *fd = pre_fd[best];
    } else {
        if (dot_fd < 0) return ERR_ACCESS;
        if ((e = append_segments(abs, &len, p, n)) != 0) return e;
        __builtin_memcpy(rel, abs, len);
        *rel_len = len;
        *fd = dot_fd;
    }
    if (*rel_len == 0) {
        rel[0] = '.';
        *rel_len = 1;
    }
    rel[*rel_len] = 0;
    return 0;
}

static int32_t open_at(int32_t path, int32_t oflags, int64_t rights, int32_t fdflags, int32_t *fd) {
    char rel[PATH_CAP + 1];
    int32_t dir, n, e;
    if ((e = resolve(path, &dir, rel, &n)) != 0) return e;
    return w_path_open(dir, LOOKUP_FOLLOW, P(rel), n, oflags, rights, 0, fdflags, P(fd));
}

/* ------------------------------------------------------------------ messages */
void sb_add(sb_t *b, const void *p, int32_t n) {
    if (b->len + n > b->cap) {
        int32_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n) cap *= 2;
        b->buf = ny_realloc(b->buf, cap);
        b->cap = cap;
    }
    __builtin_memcpy(ny_mem(b->buf + b->len), p, n);
    b->len += n;
}
void sb_c(sb_t *b, const char *s) { sb_add(b, s, ny_cstr_len(s)); }
void sb_s(sb_t *b, int32_t s) { sb_add(b, ny_str_bytes(s), ny_str_len(s)); }
int32_t sb_done(sb_t *b) {
    int32_t s = ny_str_copy(ny_mem(b->buf), b->len);
    ny_free(b->buf);
    return s;
}

static int32_t denied(int32_t err) {
    return err == ERR_ACCESS || err == E_NOTCAPABLE || (err == E_PERM && !have_root);
}

/* "cannot <verb> '<path>': <reason>", or "access denied: <path>" (owned string) */
static int32_t io_message(const char *verb, int32_t path, int32_t err) {
    sb_t b = {0, 0, 0};
    if (denied(err)) {
        sb_c(&b, "access denied: ");
        sb_s(&b, path);
    } else if (err == E_PERM && perm_link_len > 0) {
        /* WASI hosts refuse to follow a symbolic link to an absolute path */
        sb_c(&b, "cannot ");
        sb_c(&b, verb);
        sb_c(&b, " '");
        sb_s(&b, path);
        sb_c(&b, "': ");
        sb_add(&b, perm_link, perm_link_len);
        sb_c(&b, " is a symbolic link to an absolute path, which WASI does not follow");
    } else {
        sb_c(&b, "cannot ");
        sb_c(&b, verb);
        sb_c(&b, " '");
        sb_s(&b, path);
        sb_c(&b, "': ");
        sb_s(&b, ny_errno_text(err));
    }
    return sb_done(&b);
}

static void raise_io(const char *verb, int32_t path, int32_t err) { ny_raise_s(io_message(verb, path, err)); }

/* "cannot <verb> '<path>': <reason text>" */
static void raise_state(const char *verb, int32_t path, const char *why) {
    sb_t b = {0, 0, 0};
    sb_c(&b, "cannot ");
    sb_c(&b, verb);
    sb_c(&b, " '");
    sb_s(&b, path);
    sb_c(&b, "': ");
    sb_c(&b, why);
    ny_raise_s(sb_done(&b));
}

/* ------------------------------------------------------------------ file contents */
/* The whole content of fd from where it stands, as a new string (repaired to UTF-8
 * when `text`); 0 and *err on failure. */
static int32_t read_fd(int32_t fd, int32_t text, int32_t *err) {
    uint8_t st[64];
    int64_t size = 0;
    if (w_fd_filestat_get(fd, P(st)) == 0) {
        if (st[16] == 3) {
            *err = E_ISDIR;
            return 0;
        }
        __builtin_memcpy(&size, st + 32, 8);
    }
    int32_t cap = size > 0 && size < 0x3ff00000 ? (int32_t)size + 1 : 4096;
    int32_t s = ny_alloc(8 + cap), used = 0;
    for (;;) {
        if (used == cap) {
            if (cap >= 0x3ff00000) {
                ny_free(s);
                *err = 22; /* EFBIG: strings are limited to 1 GiB here */
                return 0;
            }
            cap *= 2;
            s = ny_realloc(s, 8 + cap);
        }
        int32_t iov[2] = {s + 8 + used, cap - used}, got = 0;
        int32_t e = w_fd_read(fd, P(iov), 1, P(&got));
        if (e == E_INTR) continue;
        if (e) {
            ny_free(s);
            *err = e == E_BADF ? E_ISDIR : e;
            return 0;
        }
        if (got == 0) break;
        used += got;
    }
    *(int32_t *)ny_mem(s) = 1;
    *(int32_t *)ny_mem(s + 4) = used;
    return text ? ny_str_lossy(s) : s;
}

static int32_t write_fd(int32_t fd, const uint8_t *p, int32_t n) {
    while (n > 0) {
        int32_t iov[2] = {P(p), n}, put = 0;
        int32_t e = w_fd_write(fd, P(iov), 1, P(&put));
        if (e == E_INTR) continue;
        if (e) return e;
        if (put <= 0) return 29; /* EIO */
        p += put;
        n -= put;
    }
    return 0;
}

/* ------------------------------------------------------------------ FileBox */
#define F_PATH(b) (*(int32_t *)ny_mem((b) + 8))
#define F_MODE(b) (*(int32_t *)ny_mem((b) + 12))
#define F_FD(b) (*(int32_t *)ny_mem((b) + 16))
#define F_STATE(b) (*(int32_t *)ny_mem((b) + 20))
enum { S_NONE = 0, S_OPEN = 1, S_CLOSED = 2 };

static ny_value ok_value(void) { return ny_strv(ny_str_c("ok")); }

static int32_t need_path(int32_t b, const char *method) {
    if (F_PATH(b)) return 1;
    sb_t m = {0, 0, 0};
    sb_c(&m, method);
    sb_c(&m, "() needs a file: give new FileBox(path) a path or call open(path, mode) first");
    ny_raise_s(sb_done(&m));
    return 0;
}

NY_EXPORT(m_File_read) ny_value m_File_read(int64_t self) {
    int32_t b = (int32_t)self, err = 0, s, fd;
    if (F_STATE(b) == S_OPEN) {
        if (F_MODE(b) != 'r' && F_MODE(b) != '+') {
            raise_state("read", F_PATH(b), "the file is open for writing");
            return NY_VOID;
        }
        int64_t pos;
        w_fd_seek(F_FD(b), 0, 0, P(&pos)); /* read() gives the whole file, as upstream's plugin */
        if (!(s = read_fd(F_FD(b), 1, &err))) {
            raise_io("read", F_PATH(b), err);
            return NY_VOID;
        }
        return ny_strv(s);
    }
    if (F_STATE(b) == S_CLOSED) {
        raise_state("read", F_PATH(b), "the file is closed");
        return NY_VOID;
    }
    if (!need_path(b, "read")) return NY_VOID;
    if ((err = open_at(F_PATH(b), 0, R_READ, 0, &fd)) != 0) {
        raise_io("read", F_PATH(b), err);
        return NY_VOID;
    }
    s = read_fd(fd, 1, &err);
    w_fd_close(fd);
    if (!s) {
        raise_io("read", F_PATH(b), err);
        return NY_VOID;
    }
    return ny_strv(s);
}

NY_EXPORT(m_File_write) ny_value m_File_write(int64_t self, ny_value content) {
    int32_t b = (int32_t)self, err, fd;
    if (F_STATE(b) == S_OPEN && F_MODE(b) == 'r') {
        raise_state("write", F_PATH(b), "the file is open for reading");
        return NY_VOID;
    }
    if (F_STATE(b) == S_CLOSED) {
        raise_state("write", F_PATH(b), "the file is closed");
        return NY_VOID;
    }
    if (F_STATE(b) == S_NONE && !need_path(b, "write")) return NY_VOID;
    int32_t text = ny_to_string(content);
    if (F_STATE(b) == S_OPEN) {
        err = write_fd(F_FD(b), ny_str_bytes(text), ny_str_len(text));
    } else if ((err = open_at(F_PATH(b), O_CREAT | O_TRUNC, R_WRITE, 0, &fd)) == 0) {
        err = write_fd(fd, ny_str_bytes(text), ny_str_len(text));
        w_fd_close(fd);
    }
    ny_release_str(text);
    if (err) {
        raise_io("write", F_PATH(b), err);
        return NY_VOID;
    }
    return ok_value();
}

NY_EXPORT(m_File_exists) ny_value m_File_exists(int64_t self) {
    int32_t b = (int32_t)self, dir, n, e;
    if (!F_PATH(b)) return ny_bool(0);
    char rel[PATH_CAP + 1];
    uint8_t st[64];
    if ((e = resolve(F_PATH(b), &dir, rel, &n)) == 0) e = w_path_filestat_get(dir, LOOKUP_FOLLOW, P(rel), n, P(st));
    if (e == 0) return ny_bool(1);
    if (e == E_NOENT || e == E_NOTDIR) return ny_bool(0);
    raise_io("check", F_PATH(b), e);
    return NY_VOID;
}

NY_EXPORT(m_File_delete) ny_value m_File_delete(int64_t self) {
    int32_t b = (int32_t)self, dir, n, e;
    if (!need_path(b, "delete")) return NY_VOID;
    char rel[PATH_CAP + 1];
    if ((e = resolve(F_PATH(b), &dir, rel, &n)) == 0) e = w_path_unlink_file(dir, P(rel), n);
    if (e) {
        raise_io("delete", F_PATH(b), e);
        return NY_VOID;
    }
    return ok_value();
}

NY_EXPORT(m_File_copy) ny_value m_File_copy(int64_t self, ny_value dest) {
    int32_t b = (int32_t)self, fd, err = 0, s;
    if (dest.tag != T_STR) {
        ny_raise_c("copy() requires string destination path");
        return NY_VOID;
    }
    if (!need_path(b, "copy")) return NY_VOID;
    if ((err = open_at(F_PATH(b), 0, R_READ, 0, &fd)) != 0) {
        raise_io("copy", F_PATH(b), err);
        return NY_VOID;
    }
    s = read_fd(fd, 0, &err); /* bytes as they are */
    w_fd_close(fd);
    if (!s) {
        raise_io("copy", F_PATH(b), err);
        return NY_VOID;
    }
    if ((err = open_at(ny_ptr(dest), O_CREAT | O_TRUNC, R_WRITE, 0, &fd)) == 0) {
        err = write_fd(fd, ny_str_bytes(s), ny_str_len(s));
        w_fd_close(fd);
    }
    ny_release_str(s);
    if (err) {
        raise_io("copy to", ny_ptr(dest), err);
        return NY_VOID;
    }
    return ok_value();
}

NY_EXPORT(m_File_open) ny_value m_File_open(int64_t self, ny_value path, ny_value mode) {
    int32_t b = (int32_t)self, m = 0, fd, err;
    if (mode.tag == T_STR) {
        const uint8_t *t = ny_str_bytes(ny_ptr(mode));
        int32_t n = ny_str_len(ny_ptr(mode));
        if (n == 1) m = t[0];
        /* "rw" / "r+": read and write, created when missing (as upstream's plugin) */
        if (n == 2 && t[0] == 'r' && (t[1] == 'w' || t[1] == '+')) m = '+';
    }
    if (m != 'r' && m != 'w' && m != 'a' && m != '+') {
        ny_raise_c("open() mode must be \"r\", \"w\", \"a\", \"rw\" or \"r+\"");
        return NY_VOID;
    }
    if (F_STATE(b) == S_OPEN) {
        w_fd_close(F_FD(b));
        F_STATE(b) = S_CLOSED;
    }
    int32_t p = ny_to_string(path);
    if (m == 'r') err = open_at(p, 0, R_READ, 0, &fd);
    else if (m == 'w') err = open_at(p, O_CREAT | O_TRUNC, R_WRITE, 0, &fd);
    else if (m == '+') err = open_at(p, O_CREAT, R_READ | R_WRITE, 0, &fd);
    else err = open_at(p, O_CREAT, R_WRITE, FD_APPEND, &fd);
    if (err) {
        raise_io("open", p, err);
        ny_release_str(p);
        return NY_VOID;
    }
    if (F_PATH(b)) ny_release_str(F_PATH(b));
    F_PATH(b) = p;
    F_MODE(b) = m;
    F_FD(b) = fd;
    F_STATE(b) = S_OPEN;
    return NY_VOID;
}

NY_EXPORT(m_File_close) ny_value m_File_close(int64_t self) {
    int32_t b = (int32_t)self;
    if (F_STATE(b) == S_OPEN) {
        w_fd_close(F_FD(b));
        F_STATE(b) = S_CLOSED;
    }
    return NY_VOID;
}

NY_EXPORT(tostr_File) int32_t tostr_File(int32_t b) {
    sb_t s = {0, 0, 0};
    sb_c(&s, "FileBox(");
    if (F_PATH(b)) sb_s(&s, F_PATH(b));
    sb_c(&s, ")");
    return sb_done(&s);
}

NY_EXPORT(drop_File) void drop_File(int32_t b) {
    if (F_STATE(b) == S_OPEN) w_fd_close(F_FD(b));
    if (F_PATH(b)) ny_release_str(F_PATH(b));
}

/* two FileBoxes are == when their paths are (upstream compares paths) */
NY_EXPORT(eq_File) int32_t eq_File(int32_t a, int32_t b) {
    int32_t pa = F_PATH(a), pb = F_PATH(b);
    if (!pa || !pb) return !pa && !pb;
    return ny_str_eq(pa, pb);
}

/* The bytes of the file at path (a C string, absolute or relative) as a new string, or
 * 0 when it cannot be read (no error is raised): time zone files. */
int32_t world_read_file(const char *path) {
    int32_t ps = ny_str_c(path), fd, err = 0, s = 0;
    if (open_at(ps, 0, R_READ, 0, &fd) == 0) {
        s = read_fd(fd, 0, &err);
        w_fd_close(fd);
    }
    ny_release_str(ps);
    return s;
}

/* Create or truncate the file at path (a string) and write n bytes at p: 0, or the
 * owned text of what failed ("cannot write 'PATH': reason", "access denied: PATH");
 * DebugBox.saveToFile. */
int32_t world_write_file(int32_t path, const uint8_t *p, int32_t n) {
    int32_t fd, err = open_at(path, O_CREAT | O_TRUNC, R_WRITE, 0, &fd);
    if (err == 0) {
        err = write_fd(fd, p, n);
        w_fd_close(fd);
    }
    return err ? io_message("write", path, err) : 0;
}

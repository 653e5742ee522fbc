/* world_time.c: TimeBox, DateTimeBox and TimerBox (docs/world.md), and the local time
 * zone, which WASI does not provide.
 *
 * Upstream's boxes are Rust chrono 0.4 `DateTime<Local>`; this file follows chrono's
 * rules where programs can see them: the zone (TZ as a file name or a POSIX rule,
 * else the system zone, else UTC; TZif v1-v3 with the POSIX footer rule), the
 * proleptic Gregorian calendar, strftime as chrono's StrftimeItems and its Display
 * (numeric padding, signed years outside 0..9999, %Z printing the offset as chrono's
 * FixedOffset does), RFC 3339 output and the two input formats of TimeBox.parse with
 * chrono's error texts.  Where chrono panics (an invalid format specifier, a local
 * time that does not exist or is ambiguous, out-of-range instants) this raises a
 * runtime error instead.
 *
 * DateTimeBox object (24 bytes): +0 rc, +4 kind id, +8 i64 seconds since the Unix
 * epoch (UTC), +16 i32 nanoseconds (>= 1e9 only for a leap second, as chrono).
 * TimerBox object (24 bytes): +8 i64 start (monotonic ns), +16 i32 object id.
 */
#include "world.h"

NY_IMPORT(wasi_clock_time_get) int32_t w_clock_time_get(int32_t id, int64_t precision, int32_t out);
NY_IMPORT(wasi_poll_oneoff) int32_t w_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nevents);
NY_IMPORT(new_DateTime_at) int32_t ny_new_datetime(int64_t secs, int32_t nanos);

#define DT_SECS(b) (*(int64_t *)ny_mem((b) + 8))
#define DT_NANOS(b) (*(int32_t *)ny_mem((b) + 16))

static int64_t floor_div(int64_t a, int64_t b) { int64_t q = a / b; return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q; }
static int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

/* ------------------------------------------------------------------ calendar */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int32_t *m, int32_t *d) {
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int32_t)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int32_t)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (floor_mod(y, 4) == 0 && floor_mod(y, 100) != 0) || floor_mod(y, 400) == 0; }
static const int32_t MDAYS[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
static int32_t days_in_month(int64_t y, int32_t m) { return m == 2 ? 28 + is_leap(y) : MDAYS[m - 1]; }

/* chrono's NaiveDate range (years -262144 ..= 262143) */
#define MIN_YEAR (-262144)
#define MAX_YEAR 262143
static int64_t min_days(void) { return days_from_civil(MIN_YEAR, 1, 1); }
static int64_t max_days(void) { return days_from_civil(MAX_YEAR, 12, 31); }

/* ------------------------------------------------------------------ the zone */
typedef struct { int32_t off; int32_t dst; } ltt_t;
typedef struct { int32_t kind; int32_t a, b, c; } ruleday_t;   /* kind: 0 Jn, 1 n, 2 Mm.w.d */
typedef struct {
    int32_t alternate;
    ltt_t std, dst;
    ruleday_t start, end;
    int32_t start_time, end_time;
} rule_t;

static struct {
    int32_t loaded;
    int64_t *times;
    int32_t *idx;
    int32_t ntr;
    ltt_t *types;
    int32_t ntypes;
    int32_t has_rule;
    rule_t rule;
} Z;

static const int32_t CUMUL[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};

static void transition_date(const ruleday_t *r, int64_t year, int32_t *month, int64_t *mday) {
    if (r->kind == 0) {           /* Jn: 1..365, Feb 29 never counted */
        int32_t m = 1;
        while (m < 12 && CUMUL[m] <= r->a - 1) m++;
        *month = m;
        *mday = r->a - CUMUL[m - 1];
    } else if (r->kind == 1) {    /* n: 0..365, leap days counted */
        int32_t leap = is_leap(year), cum[12];
        for (int i = 0; i < 12; i++) cum[i] = CUMUL[i] + (i >= 2 ? leap : 0);
        int32_t m = 1;
        while (m < 12 && cum[m] <= r->a) m++;
        *month = m;
        *mday = 1 + r->a - cum[m - 1];
    } else {                      /* Mm.w.d */
        int32_t m = r->a;
        int64_t dim = days_in_month(year, m);
        int64_t first = floor_mod(4 + days_from_civil(year, m, 1), 7);
        int64_t occ = 1 + floor_mod(r->c - first, 7);
        int64_t md = occ + (int64_t)(r->b - 1) * 7;
        if (md > dim) md -= 7;
        *month = m;
        *mday = md;
    }
}

static int64_t rule_unix_time(const ruleday_t *r, int64_t year, int64_t day_time) {
    int32_t m;
    int64_t d;
    transition_date(r, year, &m, &d);
    return days_from_civil(year, m, d) * 86400 + day_time;
}

static const ltt_t *rule_find(const rule_t *r, int64_t t) {
    if (!r->alternate) return &r->std;
    int64_t st = (int64_t)r->start_time - r->std.off, et = (int64_t)r->end_time - r->dst.off;
    int64_t y;
    int32_t mm, dd;
    civil_from_days(floor_div(t, 86400), &y, &mm, &dd);
    int64_t s0 = rule_unix_time(&r->start, y, st), e0 = rule_unix_time(&r->end, y, et);
    int dst;
    if (s0 <= e0) {
        if (t < s0) dst = t < rule_unix_time(&r->end, y - 1, et) && rule_unix_time(&r->start, y - 1, st) <= t;
        else if (t < e0) dst = 1;
        else dst = rule_unix_time(&r->start, y + 1, st) <= t && t < rule_unix_time(&r->end, y + 1, et);
    } else {
        if (t < e0) dst = t < rule_unix_time(&r->start, y - 1, st) ? t < rule_unix_time(&r->end, y - 1, et) : 1;
        else if (t < s0) dst = 0;
        else dst = rule_unix_time(&r->end, y + 1, et) <= t ? rule_unix_time(&r->start, y + 1, st) <= t : 1;
    }
    return dst ? &r->dst : &r->std;
}

/* ---- POSIX TZ rule strings (chrono's TransitionRule::from_tz_string) */
typedef struct { const uint8_t *p; int32_t n, i; } cur_t;

static int cur_int(cur_t *c, int32_t *out) {
    int32_t s = c->i;
    int64_t v = 0;
    while (c->i < c->n && c->p[c->i] >= '0' && c->p[c->i] <= '9') {
        v = v * 10 + (c->p[c->i] - '0');
        if (v > 0x7fffffff) return 0;
        c->i++;
    }
    if (c->i == s) return 0;
    *out = (int32_t)v;
    return 1;
}

static int cur_tag(cur_t *c, uint8_t ch) {
    if (c->i < c->n && c->p[c->i] == ch) { c->i++; return 1; }
    return 0;
}

static int valid_name(const uint8_t *p, int32_t n) {
    if (n < 3 || n > 7) return 0;
    for (int32_t i = 0; i < n; i++) {
        uint8_t b = p[i];
        if (!((b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '+' || b == '-')) return 0;
    }
    return 1;
}

static int parse_name(cur_t *c) {
    int32_t s;
    if (c->i < c->n && c->p[c->i] == '<') {
        c->i++;
        s = c->i;
        while (c->i < c->n && c->p[c->i] != '>') c->i++;
        int32_t e = c->i;
        if (c->i >= c->n) return 0;
        c->i++;
        return valid_name(c->p + s, e - s);
    }
    s = c->i;
    while (c->i < c->n && ((c->p[c->i] | 32) >= 'a' && (c->p[c->i] | 32) <= 'z')) c->i++;
    return valid_name(c->p + s, c->i - s);
}

static int parse_hms(cur_t *c, int32_t *h, int32_t *m, int32_t *s) {
    *m = *s = 0;
    if (!cur_int(c, h)) return 0;
    if (cur_tag(c, ':')) {
        if (!cur_int(c, m)) return 0;
        if (cur_tag(c, ':') && !cur_int(c, s)) return 0;
    }
    return 1;
}

static int parse_signed(cur_t *c, int32_t *sign, int32_t *h, int32_t *m, int32_t *s) {
    *sign = 1;
    if (c->i < c->n && (c->p[c->i] == '+' || c->p[c->i] == '-')) {
        if (c->p[c->i] == '-') *sign = -1;
        c->i++;
    }
    return parse_hms(c, h, m, s);
}

static int parse_offset(cur_t *c, int32_t *out) {
    int32_t sg, h, m, s;
    if (!parse_signed(c, &sg, &h, &m, &s) || h > 24 || m > 59 || s > 59) return 0;
    *out = sg * (h * 3600 + m * 60 + s);
    return 1;
}

static int parse_ruleday(cur_t *c, int ext, ruleday_t *r, int32_t *time) {
    if (cur_tag(c, 'M')) {
        int32_t m, w, d;
        if (!cur_int(c, &m) || !cur_tag(c, '.') || !cur_int(c, &w) || !cur_tag(c, '.') || !cur_int(c, &d)) return 0;
        if (m < 1 || m > 12 || w < 1 || w > 5 || d > 6) return 0;
        r->kind = 2; r->a = m; r->b = w; r->c = d;
    } else if (cur_tag(c, 'J')) {
        int32_t n;
        if (!cur_int(c, &n) || n < 1 || n > 365) return 0;
        r->kind = 0; r->a = n;
    } else {
        int32_t n;
        if (!cur_int(c, &n) || n > 365) return 0;
        r->kind = 1; r->a = n;
    }
    *time = 2 * 3600;
    if (cur_tag(c, '/')) {
        int32_t sg = 1, h, m, s;
        if (ext) {
            if (!parse_signed(c, &sg, &h, &m, &s) || h < -167 || h > 167) return 0;
        } else {
            if (!parse_hms(c, &h, &m, &s) || h > 24) return 0;
        }
        if (m > 59 || s > 59) return 0;
        *time = sg * (h * 3600 + m * 60 + s);
    }
    return 1;
}

static int parse_rule(const uint8_t *p, int32_t n, int ext, rule_t *r) {
    cur_t c = {p, n, 0};
    int32_t std_off, dst_off;
    if (!parse_name(&c) || !parse_offset(&c, &std_off)) return 0;
    r->std.off = -std_off;
    r->std.dst = 0;
    if (c.i == c.n) {
        r->alternate = 0;
        return 1;
    }
    if (!parse_name(&c)) return 0;
    if (c.i >= c.n) return 0;
    if (c.p[c.i] == ',') dst_off = std_off - 3600;
    else if (!parse_offset(&c, &dst_off)) return 0;
    if (c.i == c.n) return 0;
    if (!cur_tag(&c, ',') || !parse_ruleday(&c, ext, &r->start, &r->start_time)) return 0;
    if (!cur_tag(&c, ',') || !parse_ruleday(&c, ext, &r->end, &r->end_time)) return 0;
    if (c.i != c.n) return 0;
    if (r->start_time <= -604800 || r->start_time >= 604800 || r->end_time <= -604800 || r->end_time >= 604800) return 0;
    r->dst.off = -dst_off;
    r->dst.dst = 1;
    r->alternate = 1;
    return 1;
}

/* ---- TZif (RFC 8536), as chrono's parser */
static int64_t be(const uint8_t *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | p[i];
    if (n == 4) return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static int parse_tzif(const uint8_t *p, int32_t len) {
    int32_t pos = 0;
    int version = 0;
    const uint8_t *hdr = 0;
    int32_t tcnt = 0, ycnt = 0, chars = 0, leaps = 0, isstd = 0, isut = 0, tsize = 4;
    for (int pass = 0; pass < 2; pass++) {
        if (len - pos < 44 || __builtin_memcmp(p + pos, "TZif", 4) != 0) return 0;
        hdr = p + pos;
        version = hdr[4] == 0 ? 1 : hdr[4] == '2' ? 2 : hdr[4] == '3' ? 3 : -1;
        if (version < 0) return 0;
        isut = (int32_t)be(hdr + 20, 4); isstd = (int32_t)be(hdr + 24, 4); leaps = (int32_t)be(hdr + 28, 4);
        tcnt = (int32_t)be(hdr + 32, 4); ycnt = (int32_t)be(hdr + 36, 4); chars = (int32_t)be(hdr + 40, 4);
        if (tcnt < 0 || ycnt <= 0 || chars < 0 || leaps < 0 || isstd < 0 || isut < 0) return 0;
        if (isut && isut != ycnt) return 0;
        if (isstd && isstd != ycnt) return 0;
        tsize = pass == 0 ? 4 : 8;
        int64_t body = (int64_t)tcnt * tsize + tcnt + (int64_t)ycnt * 6 + chars + (int64_t)leaps * (tsize + 4) + isstd + isut;
        if (44 + body > len - pos) return 0;
        if (pass == 0 && version == 1) {
            pos += 44 + (int32_t)body;
            if (pos != len) return 0;
            break;
        }
        if (pass == 1) break;
        pos += 44 + (int32_t)body;
    }
    const uint8_t *d = hdr + 44;
    const uint8_t *tt = d, *ti = d + tcnt * tsize, *ty = ti + tcnt, *nm = ty + ycnt * 6;
    const uint8_t *lp = nm + chars, *sw = lp + leaps * (tsize + 4), *ut = sw + isstd;
    const uint8_t *end = ut + isut;
    int64_t *times = ny_malloc(8 * (tcnt ? tcnt : 1));
    int32_t *idx = ny_malloc(4 * (tcnt ? tcnt : 1));
    ltt_t *types = ny_malloc(8 * ycnt);
    for (int32_t i = 0; i < tcnt; i++) {
        times[i] = be(tt + i * tsize, tsize);
        idx[i] = ti[i];
        if (idx[i] >= ycnt || (i && times[i - 1] >= times[i])) goto bad;
    }
    for (int32_t i = 0; i < ycnt; i++) {
        const uint8_t *e = ty + 6 * i;
        int32_t off = (int32_t)be(e, 4);
        if (off == (int32_t)0x80000000 || e[4] > 1 || e[5] >= chars) goto bad;
        int32_t k = e[5], n = 0;
        while (k + n < chars && nm[k + n]) n++;
        if (k + n >= chars) goto bad;
        if (n && !valid_name(nm + k, n)) goto bad;
        types[i].off = off;
        types[i].dst = e[4];
    }
    for (int32_t i = 0; i < ycnt; i++)
        if ((i < isstd ? sw[i] : 0) == 0 && (i < isut ? ut[i] : 0) == 1) goto bad;
    Z.has_rule = 0;
    if (version >= 2) {
        const uint8_t *f = end;
        int32_t fl = (int32_t)(p + len - f);
        if (fl < 2 || f[0] != '\n' || f[fl - 1] != '\n') goto bad;
        int32_t a = 0, b = fl;
        while (a < b && (f[a] == ' ' || f[a] == '\t' || f[a] == '\n' || f[a] == '\r' || f[a] == 12)) a++;
        while (b > a && (f[b - 1] == ' ' || f[b - 1] == '\t' || f[b - 1] == '\n' || f[b - 1] == '\r' || f[b - 1] == 12)) b--;
        if (b > a) {
            if (f[a] == ':') goto bad;
            for (int32_t i = a; i < b; i++) if (!f[i]) goto bad;
            if (!parse_rule(f + a, b - a, version == 3, &Z.rule)) goto bad;
            Z.has_rule = 1;
        }
    }
    Z.times = times; Z.idx = idx; Z.ntr = tcnt; Z.types = types; Z.ntypes = ycnt;
    return 1;
bad:
    ny_mfree(times); ny_mfree(idx); ny_mfree(types);
    return 0;
}

static int load_file(const char *path) {
    int32_t s = world_read_file(path);
    if (!s) return 0;
    int ok = parse_tzif(ny_str_bytes(s), ny_str_len(s));
    ny_release_str(s);
    return ok;
}

/* chrono's find_tz_file: absolute, or under the usual zoneinfo directories */
static int load_zone_file(const uint8_t *name, int32_t n) {
    char path[1024];
    static const char *dirs[3] = {"/usr/share/zoneinfo/", "/share/zoneinfo/", "/etc/zoneinfo/"};
    if (n <= 0 || n > 900) return -1;
    if (name[0] == '/') {
        __builtin_memcpy(path, name, n);
        path[n] = 0;
        return load_file(path) ? 1 : 0;   /* found (or not) decides */
    }
    for (int k = 0; k < 3; k++) {
        int32_t dl = ny_cstr_len(dirs[k]);
        __builtin_memcpy(path, dirs[k], dl);
        __builtin_memcpy(path + dl, name, n);
        path[dl + n] = 0;
        int32_t s = world_read_file(path);
        if (!s) continue;   /* File::open failed: next directory */
        int ok = parse_tzif(ny_str_bytes(s), ny_str_len(s));
        ny_release_str(s);
        return ok;
    }
    return -1;   /* no such file anywhere */
}

static int load_system_zone(void) {
    int32_t name = ny_str_c("NYASH_LOCALTIME");
    int32_t v = ny_world_env(name);
    ny_release_str(name);
    if (v) {
        char path[1024];
        int32_t n = ny_str_len(v);
        int ok = 0;
        if (n > 0 && n < 1000) {
            __builtin_memcpy(path, ny_str_bytes(v), n);
            path[n] = 0;
            ok = load_file(path);
        }
        ny_release_str(v);
        if (ok) return 1;
    }
    return load_file("/etc/localtime");
}

static int load_tz(const uint8_t *tz, int32_t n) {
    if (n == 0) return 0;
    if (n == 9 && __builtin_memcmp(tz, "localtime", 9) == 0) return load_file("/etc/localtime");
    if (tz[0] == ':') return load_zone_file(tz + 1, n - 1) == 1;
    int found = load_zone_file(tz, n);
    if (found >= 0) return found;
    int32_t a = 0, b = n;
    while (a < b && (tz[a] == ' ' || tz[a] == '\t' || tz[a] == '\n' || tz[a] == '\r' || tz[a] == 12)) a++;
    while (b > a && (tz[b - 1] == ' ' || tz[b - 1] == '\t' || tz[b - 1] == '\n' || tz[b - 1] == '\r' || tz[b - 1] == 12)) b--;
    if (!parse_rule(tz + a, b - a, 0, &Z.rule)) return 0;
    Z.has_rule = 1;
    Z.ntr = 0;
    Z.types = ny_malloc(8);
    Z.types[0] = Z.rule.std;
    Z.ntypes = 1;
    return 1;
}

static void tz_init(void) {
    if (Z.loaded) return;
    Z.loaded = 1;
    int32_t name = ny_str_c("TZ");
    int32_t v = ny_world_env(name);
    ny_release_str(name);
    int ok = 0;
    if (v) {
        ok = load_tz(ny_str_bytes(v), ny_str_len(v));
        ny_release_str(v);
    }
    if (!ok) ok = load_system_zone();
    if (!ok) {   /* UTC */
        Z.ntr = 0;
        Z.has_rule = 0;
        Z.types = ny_malloc(8);
        Z.types[0].off = 0;
        Z.types[0].dst = 0;
        Z.ntypes = 1;
    }
}

/* UTC offset (seconds east) in effect at instant t */
static int32_t tz_offset(int64_t t) {
    tz_init();
    if (Z.ntr == 0) return Z.has_rule ? rule_find(&Z.rule, t)->off : Z.types[0].off;
    if (t >= Z.times[Z.ntr - 1]) return Z.has_rule ? rule_find(&Z.rule, t)->off : Z.types[Z.idx[Z.ntr - 1]].off;
    int32_t lo = 0, hi = Z.ntr;   /* number of transitions <= t */
    while (lo < hi) {
        int32_t mid = (lo + hi) / 2;
        if (Z.times[mid] <= t) lo = mid + 1; else hi = mid;
    }
    return lo > 0 ? Z.types[Z.idx[lo - 1]].off : Z.types[0].off;
}

/* Local wall time -> instant (chrono's find_local_time_type_from_local): returns the
 * number of candidates (0 none, 1 single, 2 ambiguous) and the first offset. */
static int from_local_rule(const rule_t *r, int64_t lt, int64_t year, int32_t *off) {
    if (!r->alternate || r->std.off == r->dst.off) { *off = r->std.off; return 1; }
    int64_t s_base = rule_unix_time(&r->start, year, 0) + r->start_time;
    int64_t e_base = rule_unix_time(&r->end, year, 0) + r->end_time;
    int64_t ss = s_base, se = s_base + r->dst.off - r->std.off;
    int64_t es = e_base, ee = e_base + r->std.off - r->dst.off;
    int32_t sm, em;
    int64_t sd, ed;
    transition_date(&r->start, year, &sm, &sd);
    transition_date(&r->end, year, &em, &ed);
    int start_first = sm < em;
    int32_t S = r->std.off, D = r->dst.off;
    if (S < D) {
        if (start_first) {
            if (lt <= ss) { *off = S; return 1; }
            if (lt < se) return 0;
            if (lt < ee) { *off = D; return 1; }
            if (lt <= es) { *off = S; return 2; }
            *off = S; return 1;
        }
        if (lt < ee) { *off = D; return 1; }
        if (lt <= es) { *off = S; return 2; }
        if (lt < ss) { *off = S; return 1; }
        if (lt < se) return 0;
        *off = D; return 1;
    }
    if (start_first) {
        if (lt < se) { *off = S; return 1; }
        if (lt <= ss) { *off = D; return 2; }
        if (lt < es) { *off = D; return 1; }
        if (lt < ee) return 0;
        *off = S; return 1;
    }
    if (lt <= es) { *off = D; return 1; }
    if (lt < ee) return 0;
    if (lt < se) { *off = S; return 1; }
    if (lt <= ss) { *off = D; return 2; }
    *off = D; return 1;
}

static int from_local(int64_t lt, int64_t year, int32_t *off) {
    tz_init();
    if (Z.ntr > 0) {
        ltt_t prev = Z.types[0];
        for (int32_t i = 0; i < Z.ntr; i++) {
            ltt_t after = Z.types[Z.idx[i]];
            int64_t t_end = Z.times[i] + after.off, t_start = Z.times[i] + prev.off;
            if (t_start > t_end) {
                if (lt < t_end) { *off = prev.off; return 1; }
                if (lt <= t_start) { *off = prev.off < after.off ? prev.off : after.off; return 2; }
            } else if (t_start == t_end) {
                if (lt < t_start) { *off = prev.off; return 1; }
                if (lt == t_end) { *off = prev.off < after.off ? prev.off : after.off; return 2; }
            } else {
                if (lt <= t_start) { *off = prev.off; return 1; }
                if (lt < t_end) return 0;
                if (lt == t_end) { *off = after.off; return 1; }
            }
            prev = after;
        }
    }
    if (Z.has_rule) return from_local_rule(&Z.rule, lt, year, off);
    *off = Z.types[0].off;
    return 1;
}

/* ------------------------------------------------------------------ broken-down time */
typedef struct {
    int64_t year, ts;
    int32_t month, day, hour, minute, second, nano, wday, yday, off;
} tm_t;

static void breakdown(int64_t secs, int32_t nanos, tm_t *t) {
    t->ts = secs;
    t->off = tz_offset(secs);
    int64_t local = secs + t->off, days = floor_div(local, 86400), rem = local - days * 86400;
    civil_from_days(days, &t->year, &t->month, &t->day);
    t->hour = (int32_t)(rem / 3600);
    t->minute = (int32_t)(rem / 60 % 60);
    t->second = (int32_t)(rem % 60);
    t->nano = nanos;
    t->wday = (int32_t)floor_mod(days + 4, 7);
    t->yday = (int32_t)(days - days_from_civil(t->year, 1, 1) + 1);
}

/* whether the instant and its local date are inside chrono's date range */
static int in_range(int64_t secs) {
    int64_t d = floor_div(secs, 86400);
    if (d < min_days() || d > max_days()) return 0;
    int64_t l = floor_div(secs + tz_offset(secs), 86400);
    return l >= min_days() && l <= max_days();
}

static int64_t iso_p(int64_t y) { return floor_mod(y + floor_div(y, 4) - floor_div(y, 100) + floor_div(y, 400), 7); }
static int32_t iso_weeks(int64_t y) { return 52 + (iso_p(y) == 4 || iso_p(y - 1) == 3); }

static void iso_week(const tm_t *t, int64_t *iy, int32_t *wk) {
    int32_t isowd = t->wday == 0 ? 7 : t->wday;
    int32_t w = (t->yday - isowd + 10) / 7;
    if (w < 1) { *iy = t->year - 1; *wk = iso_weeks(t->year - 1); }
    else if (w > iso_weeks(t->year)) { *iy = t->year + 1; *wk = 1; }
    else { *iy = t->year; *wk = w; }
}

/* ------------------------------------------------------------------ output helpers */
static void put_int(sb_t *b, int64_t v, int32_t width, int32_t pad, int32_t plus) {
    /* Rust {}, {:0w}, {:w} and the sign-forced {:+...} forms */
    char digits[24], out[48];
    int32_t nd = 0, n = 0;
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do { digits[nd++] = (char)('0' + mag % 10); mag /= 10; } while (mag);
    int32_t sign = v < 0 || plus;
    int32_t len = nd + sign;
    if (pad == ' ') while (len < width) { out[n++] = ' '; len++; }
    if (sign) out[n++] = v < 0 ? '-' : '+';
    if (pad == '0') while (len < width) { out[n++] = '0'; len++; }
    while (nd) out[n++] = digits[--nd];
    sb_add(b, out, n);
}

static void put_offset(sb_t *b, int32_t off, int colons) {
    /* chrono's write_local_minus_utc: 0 +hhmm, 1 +hh:mm, 2 +hh:mm:ss, 3 +hh */
    char sign = off < 0 ? '-' : '+';
    int32_t a = off < 0 ? -off : off;
    sb_add(b, &sign, 1);
    put_int(b, a / 3600, 2, '0', 0);
    if (colons == 3) return;
    if (colons) sb_c(b, ":");
    put_int(b, a / 60 % 60, 2, '0', 0);
    if (colons == 2) {
        sb_c(b, ":");
        put_int(b, a % 60, 2, '0', 0);
    }
}

static void put_fixed_offset(sb_t *b, int32_t off) {
    /* FixedOffset's Display (what %Z shows for Local): +hh:mm, or +hh:mm:ss */
    char sign = off < 0 ? '-' : '+';
    int32_t a = off < 0 ? -off : off;
    sb_add(b, &sign, 1);
    put_int(b, a / 3600, 2, '0', 0);
    sb_c(b, ":");
    put_int(b, a / 60 % 60, 2, '0', 0);
    if (a % 60) {
        sb_c(b, ":");
        put_int(b, a % 60, 2, '0', 0);
    }
}

static void put_frac(sb_t *b, int32_t nano) {   /* %.f and Debug: shortest of 3/6/9 digits */
    nano %= 1000000000;
    if (nano == 0) return;
    sb_c(b, ".");
    if (nano % 1000000 == 0) put_int(b, nano / 1000000, 3, '0', 0);
    else if (nano % 1000 == 0) put_int(b, nano / 1000, 6, '0', 0);
    else put_int(b, nano, 9, '0', 0);
}

static void put_rfc3339(sb_t *b, const tm_t *t) {
    /* NaiveDateTime's Debug then the offset with a colon (chrono's to_rfc3339) */
    if (t->year >= 0 && t->year <= 9999) put_int(b, t->year, 4, '0', 0);
    else put_int(b, t->year, 5, '0', 1);
    sb_c(b, "-"); put_int(b, t->month, 2, '0', 0);
    sb_c(b, "-"); put_int(b, t->day, 2, '0', 0);
    sb_c(b, "T"); put_int(b, t->hour, 2, '0', 0);
    sb_c(b, ":"); put_int(b, t->minute, 2, '0', 0);
    sb_c(b, ":"); put_int(b, t->second + t->nano / 1000000000, 2, '0', 0);
    put_frac(b, t->nano);
    put_offset(b, t->off, 1);
}

static const char *WDAY_S[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *WDAY_L[7] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
static const char *MON_S[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *MON_L[12] = {"January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December"};

/* ------------------------------------------------------------------ strftime */
enum { N_YEAR, N_YDIV, N_YMOD, N_IYEAR, N_IYDIV, N_IYMOD, N_MONTH, N_DAY, N_WSUN, N_WMON, N_IWEEK,
       N_WDSUN, N_WDMON, N_ORD, N_HOUR, N_H12, N_MIN, N_SEC, N_NANO, N_TS };

static void put_numeric(sb_t *b, const tm_t *t, int spec, int32_t pad) {
    static const int8_t W[20] = {4, 2, 2, 4, 2, 2, 2, 2, 2, 2, 2, 1, 1, 3, 2, 2, 2, 2, 9, 1};
    int64_t v = 0, iy;
    int32_t wk;
    switch (spec) {
    case N_YEAR: v = t->year; break;
    case N_YDIV: v = floor_div(t->year, 100); break;
    case N_YMOD: v = floor_mod(t->year, 100); break;
    case N_IYEAR: iso_week(t, &iy, &wk); v = iy; break;
    case N_IYDIV: iso_week(t, &iy, &wk); v = floor_div(iy, 100); break;
    case N_IYMOD: iso_week(t, &iy, &wk); v = floor_mod(iy, 100); break;
    case N_MONTH: v = t->month; break;
    case N_DAY: v = t->day; break;
    case N_WSUN: v = (t->yday - t->wday + 7) / 7; break;
    case N_WMON: v = (t->yday - (t->wday + 6) % 7 + 7) / 7; break;
    case N_IWEEK: iso_week(t, &iy, &wk); v = wk; break;
    case N_WDSUN: v = t->wday; break;
    case N_WDMON: v = t->wday == 0 ? 7 : t->wday; break;
    case N_ORD: v = t->yday; break;
    case N_HOUR: v = t->hour; break;
    case N_H12: v = t->hour % 12 == 0 ? 12 : t->hour % 12; break;
    case N_MIN: v = t->minute; break;
    case N_SEC: v = t->second + t->nano / 1000000000; break;
    case N_NANO: v = t->nano % 1000000000; break;
    case N_TS: v = t->ts; break;
    }
    int32_t w = W[spec];
    if ((spec == N_YEAR || spec == N_IYEAR) && !(v >= 0 && v < 10000))
        put_int(b, v, pad == 0 ? 0 : w + 1, pad, 1);
    else
        put_int(b, v, pad == 0 ? 0 : w, pad, 0);
}

/* One pass over a chrono strftime pattern.  b == 0: only check it (returns 0 at the
 * first item chrono turns into Item::Error or cannot format); else write into b. */
static int strftime_run(const uint8_t *f, int32_t n, const tm_t *t, sb_t *b) {
    int32_t i = 0;
    while (i < n) {
        if (f[i] != '%') {
            int32_t s = i;
            while (i < n && f[i] != '%') i++;
            if (b) sb_add(b, f + s, i - s);
            continue;
        }
        i++;
        if (i >= n) return 0;
        int32_t pad = -1, alt = 0;
        uint8_t c = f[i++];
        if (c == '-' || c == '0' || c == '_' || c == '#') {
            if (c == '-') pad = 0; else if (c == '0') pad = '0'; else if (c == '_') pad = ' '; else alt = 1;
            if (i >= n) return 0;
            c = f[i++];
        }
        if (alt && c != 'z') return 0;
        int num = -1, defpad = '0';
        const char *fixed = 0;
        switch (c) {
        case 'Y': num = N_YEAR; break;
        case 'C': num = N_YDIV; break;
        case 'y': num = N_YMOD; break;
        case 'G': num = N_IYEAR; break;
        case 'g': num = N_IYMOD; break;
        case 'm': num = N_MONTH; break;
        case 'd': num = N_DAY; break;
        case 'e': num = N_DAY; defpad = ' '; break;
        case 'U': num = N_WSUN; break;
        case 'W': num = N_WMON; break;
        case 'V': num = N_IWEEK; break;
        case 'w': num = N_WDSUN; defpad = 0; break;
        case 'u': num = N_WDMON; defpad = 0; break;
        case 'j': num = N_ORD; break;
        case 'H': num = N_HOUR; break;
        case 'k': num = N_HOUR; defpad = ' '; break;
        case 'I': num = N_H12; break;
        case 'l': num = N_H12; defpad = ' '; break;
        case 'M': num = N_MIN; break;
        case 'S': num = N_SEC; break;
        case 'f': num = N_NANO; break;
        case 's': num = N_TS; defpad = 0; break;
        case 'D': fixed = "%m/%d/%y"; break;
        case 'F': fixed = "%Y-%m-%d"; break;
        case 'R': fixed = "%H:%M"; break;
        case 'T': case 'X': fixed = "%H:%M:%S"; break;
        case 'r': fixed = "%I:%M:%S %p"; break;
        case 'v': fixed = "%e-%b-%Y"; break;
        case 'c': fixed = "%a %b %e %H:%M:%S %Y"; break;
        case 'x': fixed = "%m/%d/%y"; break;
        default: break;
        }
        if (num >= 0) {
            if (b) put_numeric(b, t, num, pad >= 0 ? pad : defpad);
            continue;
        }
        if (pad >= 0) return 0;   /* padding only for a single numeric item */
        if (fixed) {
            if (b) strftime_run((const uint8_t *)fixed, ny_cstr_len(fixed), t, b);
            continue;
        }
        if (!b) {
            /* validate the remaining fixed specifiers without writing */
            switch (c) {
            case 'A': case 'B': case 'Z': case 'a': case 'b': case 'h': case 'P': case 'p': case 'n': case 't':
            case '+': case '%': break;
            case 'z': if (alt) return 0; break;   /* %#z: chrono panics when formatting */
            case ':':
                if (i + 2 <= n && f[i] == ':' && f[i + 1] == ':' && i + 3 <= n && f[i + 2] == 'z') i += 3;
                else if (i + 2 <= n && f[i] == ':' && f[i + 1] == 'z') i += 2;
                else if (i < n && f[i] == 'z') i += 1;
                else return 0;
                break;
            case '.':
                if (i >= n) return 0;
                if (f[i] == 'f') { i++; break; }
                if ((f[i] == '3' || f[i] == '6' || f[i] == '9') && i + 1 < n && f[i + 1] == 'f') { i += 2; break; }
                return 0;
            case '3': case '6': case '9':
                if (i < n && f[i] == 'f') { i++; break; }
                return 0;
            default: return 0;
            }
            continue;
        }
        switch (c) {
        case 'A': sb_c(b, WDAY_L[t->wday]); break;
        case 'a': sb_c(b, WDAY_S[t->wday]); break;
        case 'B': sb_c(b, MON_L[t->month - 1]); break;
        case 'b': case 'h': sb_c(b, MON_S[t->month - 1]); break;
        case 'p': sb_c(b, t->hour >= 12 ? "PM" : "AM"); break;
        case 'P': sb_c(b, t->hour >= 12 ? "pm" : "am"); break;
        case 'Z': put_fixed_offset(b, t->off); break;
        case 'z': put_offset(b, t->off, 0); break;
        case 'n': sb_c(b, "\n"); break;
        case 't': sb_c(b, "\t"); break;
        case '%': sb_c(b, "%"); break;
        case '+': put_rfc3339(b, t); break;
        case ':':
            if (f[i] == ':' && f[i + 1] == ':') { i += 3; put_offset(b, t->off, 3); }
            else if (f[i] == ':') { i += 2; put_offset(b, t->off, 2); }
            else { i += 1; put_offset(b, t->off, 1); }
            break;
        case '.':
            if (f[i] == 'f') { i++; put_frac(b, t->nano); break; }
            sb_c(b, ".");
            put_int(b, (t->nano % 1000000000) / (f[i] == '3' ? 1000000 : f[i] == '6' ? 1000 : 1),
                    f[i] == '3' ? 3 : f[i] == '6' ? 6 : 9, '0', 0);
            i += 2;
            break;
        case '3': case '6': case '9':
            put_int(b, (t->nano % 1000000000) / (c == '3' ? 1000000 : c == '6' ? 1000 : 1),
                    c == '3' ? 3 : c == '6' ? 6 : 9, '0', 0);
            i += 1;
            break;
        }
    }
    return 1;
}

/* The formatted string (owned), or 0 after raising for an invalid pattern. */
static int32_t format_time(int64_t secs, int32_t nanos, int32_t fmt) {
    tm_t t;
    breakdown(secs, nanos, &t);
    if (!strftime_run(ny_str_bytes(fmt), ny_str_len(fmt), &t, 0)) {
        sb_t m = {0, 0, 0};
        sb_c(&m, "format(): invalid format specifier in '");
        sb_s(&m, fmt);
        sb_c(&m, "'");
        ny_raise_s(sb_done(&m));
        return 0;
    }
    sb_t b = {0, 0, 0};
    strftime_run(ny_str_bytes(fmt), ny_str_len(fmt), &t, &b);
    return sb_done(&b);
}

/* ------------------------------------------------------------------ clocks */
static int64_t clock_ns(int32_t id) {
    int64_t t = 0;
    w_clock_time_get(id, 1, P(&t));
    return t;
}

static ny_value soft(const char *msg) { return ny_strv(ny_str_c(msg)); }

static ny_value new_dt(int64_t secs, int32_t nanos) {
    return ny_val(T_BOX, (int64_t)(uint32_t)ny_new_datetime(secs, nanos));
}

static ny_value now_value(void) {
    int64_t ns = clock_ns(0);
    return new_dt(floor_div(ns, 1000000000), (int32_t)floor_mod(ns, 1000000000));
}

/* ------------------------------------------------------------------ TimeBox */
NY_EXPORT(m_Time_now) ny_value m_Time_now(int64_t self) { (void)self; return now_value(); }

NY_EXPORT(new_DateTime) int32_t new_DateTime(void) {
    int64_t ns = clock_ns(0);
    return ny_new_datetime(floor_div(ns, 1000000000), (int32_t)floor_mod(ns, 1000000000));
}

static void raise_range(const char *what, int64_t v) {
    sb_t m = {0, 0, 0};
    sb_c(&m, what);
    int32_t s = ny_str_from_i64(v);
    sb_s(&m, s);
    ny_release_str(s);
    ny_raise_s(sb_done(&m));
}

NY_EXPORT(m_Time_fromTimestamp) ny_value m_Time_fromTimestamp(int64_t self, ny_value ts) {
    (void)self;
    if (ts.tag != T_INT) return soft("Error: fromTimestamp() requires integer input");
    if (!in_range(ts.payload)) {   /* upstream panics: No such local time */
        raise_range("fromTimestamp(): timestamp out of range: ", ts.payload);
        return NY_VOID;
    }
    return new_dt(ts.payload, 0);
}

NY_EXPORT(m_Time_format) ny_value m_Time_format(int64_t self, ny_value fmt) {
    (void)self;
    if (fmt.tag != T_STR) return soft("Error: format() requires string format pattern");
    int64_t ns = clock_ns(0);
    int32_t s = format_time(floor_div(ns, 1000000000), (int32_t)floor_mod(ns, 1000000000), ny_ptr(fmt));
    return s ? ny_strv(s) : NY_VOID;
}

NY_EXPORT(m_Time_sleep) ny_value m_Time_sleep(int64_t self, ny_value ms) {
    (void)self;
    if (ms.tag != T_INT) return soft("Error: sleep() requires integer input");
    if (ms.payload <= 0) return soft("Error: sleep() requires positive milliseconds");
    ny_out_flush();
    /* one relative monotonic-clock subscription (48 bytes), one event (32 bytes) */
    uint8_t sub[48], ev[32];
    int32_t nev = 0;
    __builtin_memset(sub, 0, sizeof sub);
    uint64_t ns = (uint64_t)ms.payload > 18446744073ULL ? ~0ULL : (uint64_t)ms.payload * 1000000ULL;
    sub[8] = 0;                       /* eventtype clock */
    *(uint32_t *)(sub + 16) = 1;      /* monotonic */
    __builtin_memcpy(sub + 24, &ns, 8);
    w_poll_oneoff(P(sub), P(ev), 1, P(&nev));
    return soft("ok");
}

/* ---- parse: RFC 3339, else "%Y-%m-%d %H:%M:%S" as local time */
enum { PE_RANGE = 1, PE_IMPOSSIBLE, PE_NOTENOUGH, PE_INVALID, PE_SHORT, PE_LONG };
static const char *PE_TEXT[7] = {"", "input is out of range", "no possible date and time matching input",
                                 "input is not enough for unique date and time",
                                 "input contains invalid characters", "premature end of input", "trailing input"};

/* scan::number: at least min and at most max ASCII digits */
static int scan_number(const uint8_t *s, int32_t n, int32_t *pos, int32_t min, int32_t max, int64_t *out) {
    int32_t p = *pos;
    if (n - p < min) return PE_SHORT;
    int64_t v = 0;
    int32_t k = 0;
    while (k < max && p + k < n && s[p + k] >= '0' && s[p + k] <= '9') {
        if (v > (0x7fffffffffffffffLL - 9) / 10) return PE_RANGE;
        v = v * 10 + (s[p + k] - '0');
        k++;
    }
    if (k < min) return PE_INVALID;
    *pos = p + k;
    *out = v;
    return 0;
}

static int valid_date(int64_t y, int64_t m, int64_t d) {
    return y >= MIN_YEAR && y <= MAX_YEAR && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, (int32_t)m);
}

/* DateTime::parse_from_rfc3339: 1 with the instant, 0 when it does not apply */
static int parse_rfc3339(const uint8_t *s, int32_t n, int64_t *secs, int32_t *nanos) {
    int32_t p = 0;
    int64_t y, mo, d, h, mi, se, frac = 0;
    if (scan_number(s, n, &p, 4, 4, &y) || p >= n || s[p++] != '-') return 0;
    if (scan_number(s, n, &p, 2, 2, &mo) || p >= n || s[p++] != '-') return 0;
    if (scan_number(s, n, &p, 2, 2, &d) || p >= n || (s[p] != 'T' && s[p] != 't')) return 0;
    p++;
    if (scan_number(s, n, &p, 2, 2, &h) || p >= n || s[p++] != ':') return 0;
    if (scan_number(s, n, &p, 2, 2, &mi) || p >= n || s[p++] != ':') return 0;
    if (scan_number(s, n, &p, 2, 2, &se)) return 0;
    if (p < n && s[p] == '.') {
        p++;
        int32_t st = p;
        if (scan_number(s, n, &p, 1, 9, &frac)) return 0;
        for (int32_t k = p - st; k < 9; k++) frac *= 10;
        while (p < n && s[p] >= '0' && s[p] <= '9') p++;
    }
    int64_t off;
    if (p < n && (s[p] == 'Z' || s[p] == 'z')) { off = 0; p++; }
    else if (p + 3 <= n && (s[p] | 32) == 'u' && (s[p + 1] | 32) == 't' && (s[p + 2] | 32) == 'c') { off = 0; p += 3; }
    else {
        if (p >= n || (s[p] != '+' && s[p] != '-')) return 0;
        int neg = s[p++] == '-';
        if (n - p < 2 || s[p] < '0' || s[p] > '9' || s[p + 1] < '0' || s[p + 1] > '9') return 0;
        int64_t oh = (s[p] - '0') * 10 + (s[p + 1] - '0');
        p += 2;
        if (p >= n || s[p++] != ':') return 0;
        if (n - p < 2 || s[p] < '0' || s[p] > '5' || s[p + 1] < '0' || s[p + 1] > '9') return 0;
        int64_t om = (s[p] - '0') * 10 + (s[p + 1] - '0');
        p += 2;
        off = (neg ? -1 : 1) * (oh * 3600 + om * 60);
        if (off <= -86400 || off >= 86400) return 0;
    }
    if (p != n) return 0;
    if (!valid_date(y, mo, d) || h > 23 || mi > 59 || se > 60) return 0;
    int64_t leap = 0;
    if (se == 60) { se = 59; leap = 1000000000; }
    *secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    *nanos = (int32_t)(frac + leap);
    return 1;
}

/* NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S"): 0, or a PE_ error */
static int parse_local_naive(const uint8_t *s, int32_t n, int64_t f[6]) {
    int32_t p = 0, e;
    static const char lits[6] = {'-', '-', ' ', ':', ':', 0};
    for (int k = 0; k < 6; k++) {
        while (p < n && (s[p] == ' ' || (s[p] >= 9 && s[p] <= 13))) p++;   /* trim_left */
        int64_t v;
        if (k == 0 && p < n && (s[p] == '-' || s[p] == '+')) {
            int neg = s[p] == '-';
            p++;
            if ((e = scan_number(s, n, &p, 1, 0x7fffffff, &v))) return e;
            v = neg ? -v : v;
        } else if ((e = scan_number(s, n, &p, 1, k == 0 ? 4 : 2, &v))) {
            return e;
        }
        if (k == 0 && (v < -2147483648LL || v > 2147483647LL)) return PE_RANGE;
        if (k > 0 && v > 4294967295LL) return PE_RANGE;
        f[k] = v;
        if (k == 5) break;
        if (lits[k] == ' ') {
            while (p < n && (s[p] == ' ' || (s[p] >= 9 && s[p] <= 13))) p++;
        } else {
            if (p >= n) return PE_SHORT;
            if (s[p] != (uint8_t)lits[k]) return PE_INVALID;
            p++;
        }
    }
    if (p != n) return PE_LONG;
    /* to_naive_date, then to_naive_time */
    if (!valid_date(f[0], f[1], f[2])) return PE_RANGE;
    if (f[3] / 12 > 1 || f[4] > 59 || f[5] > 60) return PE_RANGE;
    return 0;
}

NY_EXPORT(m_Time_parse) ny_value m_Time_parse(int64_t self, ny_value str) {
    (void)self;
    if (str.tag != T_STR) return soft("Error: parse() requires string input");
    const uint8_t *s = ny_str_bytes(ny_ptr(str));
    int32_t n = ny_str_len(ny_ptr(str));
    int64_t secs;
    int32_t nanos;
    if (parse_rfc3339(s, n, &secs, &nanos)) {
        if (!in_range(secs)) {
            raise_range("parse(): date out of range: ", secs);
            return NY_VOID;
        }
        return new_dt(secs, nanos);
    }
    int64_t f[6];
    int e = parse_local_naive(s, n, f);
    if (e) {
        sb_t m = {0, 0, 0};
        sb_c(&m, "Error: Failed to parse date: ");
        sb_c(&m, PE_TEXT[e]);
        return ny_strv(sb_done(&m));
    }
    int64_t leap = 0;
    if (f[5] == 60) { f[5] = 59; leap = 1000000000; }
    int64_t local = days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
    int32_t off;
    int k = from_local(local, f[0], &off);
    if (k != 1) {   /* upstream panics (LocalResult::unwrap) */
        sb_t m = {0, 0, 0};
        sb_c(&m, k == 0 ? "parse(): no such local time: '" : "parse(): ambiguous local time: '");
        sb_s(&m, ny_ptr(str));
        sb_c(&m, k == 0 ? "' (skipped by a time zone change)" : "' (repeated by a time zone change)");
        ny_raise_s(sb_done(&m));
        return NY_VOID;
    }
    if (!in_range(local - off)) {
        raise_range("parse(): date out of range: ", local - off);
        return NY_VOID;
    }
    return new_dt(local - off, (int32_t)leap);
}

/* ------------------------------------------------------------------ DateTimeBox */
static ny_value dt_field(int64_t self, int which) {
    tm_t t;
    breakdown(DT_SECS((int32_t)self), DT_NANOS((int32_t)self), &t);
    switch (which) {
    case 0: return ny_int(t.year);
    case 1: return ny_int(t.month);
    case 2: return ny_int(t.day);
    case 3: return ny_int(t.hour);
    case 4: return ny_int(t.minute);
    default: return ny_int(t.second + t.nano / 1000000000);
    }
}
NY_EXPORT(m_DateTime_year) ny_value m_DateTime_year(int64_t self) { return dt_field(self, 0); }
NY_EXPORT(m_DateTime_month) ny_value m_DateTime_month(int64_t self) { return dt_field(self, 1); }
NY_EXPORT(m_DateTime_day) ny_value m_DateTime_day(int64_t self) { return dt_field(self, 2); }
NY_EXPORT(m_DateTime_hour) ny_value m_DateTime_hour(int64_t self) { return dt_field(self, 3); }
NY_EXPORT(m_DateTime_minute) ny_value m_DateTime_minute(int64_t self) { return dt_field(self, 4); }
NY_EXPORT(m_DateTime_second) ny_value m_DateTime_second(int64_t self) { return dt_field(self, 5); }
NY_EXPORT(m_DateTime_timestamp) ny_value m_DateTime_timestamp(int64_t self) { return ny_int(DT_SECS((int32_t)self)); }

NY_EXPORT(m_DateTime_toISOString) ny_value m_DateTime_toISOString(int64_t self) {
    tm_t t;
    breakdown(DT_SECS((int32_t)self), DT_NANOS((int32_t)self), &t);
    sb_t b = {0, 0, 0};
    put_rfc3339(&b, &t);
    return ny_strv(sb_done(&b));
}

NY_EXPORT(m_DateTime_format) ny_value m_DateTime_format(int64_t self, ny_value fmt) {
    if (fmt.tag != T_STR) return soft("Error: format() requires string input");
    int32_t s = format_time(DT_SECS((int32_t)self), DT_NANOS((int32_t)self), ny_ptr(fmt));
    return s ? ny_strv(s) : NY_VOID;
}

static ny_value dt_add(int64_t self, ny_value n, int64_t unit, const char *name) {
    if (n.tag != T_INT) {
        sb_t m = {0, 0, 0};
        sb_c(&m, "Error: ");
        sb_c(&m, name);
        sb_c(&m, "() requires integer input");
        return ny_strv(sb_done(&m));
    }
    int64_t secs, limit = 0x7fffffffffffffffLL / unit;
    if (n.payload > limit || n.payload < -limit ||
        __builtin_add_overflow(DT_SECS((int32_t)self), n.payload * unit, &secs) || !in_range(secs)) {
        sb_t m = {0, 0, 0};   /* upstream panics: `DateTime + Duration` overflowed */
        sb_c(&m, name);
        sb_c(&m, "(): the result is out of range");
        ny_raise_s(sb_done(&m));
        return NY_VOID;
    }
    return new_dt(secs, DT_NANOS((int32_t)self));
}
NY_EXPORT(m_DateTime_addDays) ny_value m_DateTime_addDays(int64_t self, ny_value n) { return dt_add(self, n, 86400, "addDays"); }
NY_EXPORT(m_DateTime_addHours) ny_value m_DateTime_addHours(int64_t self, ny_value n) { return dt_add(self, n, 3600, "addHours"); }

/* printed form: %Y-%m-%d %H:%M:%S in the local zone */
NY_EXPORT(tostr_DateTime) int32_t tostr_DateTime(int32_t b) {
    tm_t t;
    breakdown(DT_SECS(b), DT_NANOS(b), &t);
    sb_t s = {0, 0, 0};
    put_numeric(&s, &t, N_YEAR, '0');
    sb_c(&s, "-"); put_numeric(&s, &t, N_MONTH, '0');
    sb_c(&s, "-"); put_numeric(&s, &t, N_DAY, '0');
    sb_c(&s, " "); put_numeric(&s, &t, N_HOUR, '0');
    sb_c(&s, ":"); put_numeric(&s, &t, N_MIN, '0');
    sb_c(&s, ":"); put_numeric(&s, &t, N_SEC, '0');
    return sb_done(&s);
}

/* == compares the instants */
NY_EXPORT(eq_DateTime) int32_t eq_DateTime(int32_t a, int32_t b) {
    return DT_SECS(a) == DT_SECS(b) && DT_NANOS(a) == DT_NANOS(b);
}

/* ------------------------------------------------------------------ TimerBox */
#define TM_START(b) (*(int64_t *)ny_mem((b) + 8))

NY_EXPORT(timer_now) int64_t timer_now(void) { return clock_ns(1); }

NY_EXPORT(m_Timer_elapsed) ny_value m_Timer_elapsed(int64_t self) {
    int64_t d = clock_ns(1) - TM_START((int32_t)self);
    return ny_int(d < 0 ? 0 : d / 1000000);
}

NY_EXPORT(m_Timer_reset) ny_value m_Timer_reset(int64_t self) {
    TM_START((int32_t)self) = clock_ns(1);
    return soft("Timer reset");
}

NY_EXPORT(tostr_Timer) int32_t tostr_Timer(int32_t b) {
    sb_t s = {0, 0, 0};
    sb_c(&s, "TimerBox(id=");
    int32_t id = ny_str_from_i64(*(int32_t *)ny_mem(b + 16));
    sb_s(&s, id);
    ny_release_str(id);
    sb_c(&s, ")");
    return sb_done(&s);
}

/* The current local time in a chrono pattern that is known to be valid (owned string);
 * DebugBox's time stamps. */
int32_t world_now_text(const char *fmt) {
    int64_t ns = clock_ns(0);
    int32_t f = ny_str_c(fmt);
    int32_t s = format_time(floor_div(ns, 1000000000), (int32_t)floor_mod(ns, 1000000000), f);
    ny_release_str(f);
    return s;
}

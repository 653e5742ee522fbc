/* world_random.c: RandomBox (docs/world.md).
 *
 * Upstream's method formulas and soft `Error: ...` strings, on a generator whose state
 * persists (spec row 22).  The generator is splitmix64 rather than upstream's LCG:
 * nothing can reproduce upstream's numbers (its state is frozen at a time-based seed),
 * and the LCG's low bit alternates, so randBool() and randInt(1, 6) would alternate
 * parity forever.  Seeds: the OS (WASI random_get) for every new RandomBox, or, when
 * NYASH_RANDOM_SEED=N is set, a sequence derived from N, so every RandomBox of a run is
 * reproducible; seed(n) restarts one box at n.
 *
 * RandomBox object (16 bytes): +0 rc, +4 kind id, +8 u64 state.
 */
#include "world.h"

NY_IMPORT(wasi_random_get) int32_t w_random_get(int32_t buf, int32_t len);

#define R_STATE(b) (*(uint64_t *)ny_mem((int32_t)(b) + 8))
#define GOLDEN 0x9E3779B97F4A7C15ULL

static uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t next(int64_t self) {
    uint64_t s = R_STATE(self) + GOLDEN;
    R_STATE(self) = s;
    return mix(s);
}

static int32_t seed_state = -1;   /* -1 not read, 0 from the OS, 1 from NYASH_RANDOM_SEED */
static uint64_t run_seed;

/* The first state of a new RandomBox; 0 and a raised error for a bad NYASH_RANDOM_SEED. */
NY_EXPORT(random_initial_state) int64_t random_initial_state(void) {
    if (seed_state < 0) {
        int32_t name = ny_str_c("NYASH_RANDOM_SEED");
        int32_t v = ny_world_env(name);
        ny_release_str(name);
        seed_state = 0;
        if (v) {
            const uint8_t *p = ny_str_bytes(v);
            int32_t n = ny_str_len(v), i = 0, neg = 0, ok = n > 0;
            uint64_t x = 0;
            if (i < n && (p[i] == '-' || p[i] == '+')) neg = p[i++] == '-';
            if (i == n) ok = 0;
            for (; i < n && ok; i++) {
                if (p[i] < '0' || p[i] > '9' || x > 1844674407370955161ULL) ok = 0;
                else x = x * 10 + (p[i] - '0');
            }
            if (!ok) {
                sb_t m = {0, 0, 0};
                sb_c(&m, "NYASH_RANDOM_SEED must be an integer, got '");
                sb_s(&m, v);
                sb_c(&m, "'");
                ny_release_str(v);
                seed_state = -1;
                ny_raise_s(sb_done(&m));
                return 0;
            }
            ny_release_str(v);
            run_seed = neg ? (uint64_t)0 - x : x;
            seed_state = 1;
        }
    }
    if (seed_state == 1) {
        run_seed += GOLDEN;
        return (int64_t)mix(run_seed);
    }
    uint64_t s = 0;
    w_random_get(P(&s), 8);
    return (int64_t)s;
}

static ny_value soft(const char *msg) { return ny_strv(ny_str_c(msg)); }
static double unit(uint64_t r) { return (double)r / 18446744073709551615.0; }   /* r / u64::MAX as f64 */

NY_EXPORT(m_Random_seed) ny_value m_Random_seed(int64_t self, ny_value n) {
    if (n.tag != T_INT) return soft("Error: seed() requires integer input");
    R_STATE(self) = (uint64_t)n.payload;
    return soft("Seed set");
}

NY_EXPORT(m_Random_random) ny_value m_Random_random(int64_t self) { return ny_float(unit(next(self))); }

NY_EXPORT(m_Random_randInt) ny_value m_Random_randInt(int64_t self, ny_value lo, ny_value hi) {
    if (lo.tag != T_INT || hi.tag != T_INT) return soft("Error: randInt() requires two integer inputs");
    if (lo.payload > hi.payload) return soft("Error: min must be <= max");
    uint64_t range = (uint64_t)hi.payload - (uint64_t)lo.payload + 1;
    if (range == 0) {   /* upstream panics (remainder by zero) */
        ny_raise_c("randInt(): the range covers every integer");
        return NY_VOID;
    }
    return ny_int((int64_t)((uint64_t)lo.payload + next(self) % range));
}

NY_EXPORT(m_Random_randBool) ny_value m_Random_randBool(int64_t self) { return ny_bool(next(self) % 2 == 0); }

NY_EXPORT(m_Random_choice) ny_value m_Random_choice(int64_t self, ny_value arr) {
    if (arr.tag != T_ARR) return soft("Error: choice() requires array input");
    int32_t n = ny_arr_len(ny_ptr(arr));
    if (n == 0) return soft("Error: cannot choose from empty array");
    return ny_arr_get_i(ny_ptr(arr), (int64_t)(next(self) % (uint64_t)n));
}

/* A new shuffled ArrayBox (upstream's remove-a-random-remaining-index order); arrays
 * of 0 or 1 elements come back as the same array, as upstream. */
NY_EXPORT(m_Random_shuffle) ny_value m_Random_shuffle(int64_t self, ny_value arr) {
    if (arr.tag != T_ARR) return soft("Error: shuffle() requires array input");
    int32_t a = ny_ptr(arr), n = ny_arr_len(a);
    if (n <= 1) {
        ny_retain(arr);
        return arr;
    }
    int32_t *left = ny_malloc(4 * n), out = ny_arr_new();
    for (int32_t i = 0; i < n; i++) left[i] = i;
    for (int32_t k = n; k > 0; k--) {
        int32_t r = (int32_t)(next(self) % (uint64_t)k), pick = left[r];
        for (int32_t j = r; j + 1 < k; j++) left[j] = left[j + 1];
        ny_arr_push_v(out, ny_val(ny_arr_tag(a, pick), ny_arr_payload(a, pick)));
    }
    ny_mfree(left);
    return ny_arrv(out);
}

NY_EXPORT(m_Random_randString) ny_value m_Random_randString(int64_t self, ny_value len) {
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    if (len.tag != T_INT) return soft("Error: randString() requires integer length");
    if (len.payload < 0) return soft("Error: length must be positive");
    if (len.payload > 0x3ff00000) {
        ny_raise_c("randString(): length too large");
        return NY_VOID;
    }
    int32_t n = (int32_t)len.payload, s = ny_str_new(n);
    for (int32_t i = 0; i < n; i++) ny_str_bytes(s)[i] = (uint8_t)chars[next(self) % 62];
    return ny_strv(s);
}

NY_EXPORT(m_Random_probability) ny_value m_Random_probability(int64_t self, ny_value p) {
    double v;
    if (p.tag == T_FLOAT) v = ny_as_float(p);
    else if (p.tag == T_INT) v = (double)p.payload;
    else return soft("Error: probability() requires numeric input");
    if (v < 0.0 || v > 1.0) return soft("Error: probability must be 0.0-1.0");
    return ny_bool(unit(next(self)) < v);
}

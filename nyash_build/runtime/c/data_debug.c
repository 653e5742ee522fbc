/* data_debug.c: DebugBox (docs/data-boxes.md).
 *
 * Upstream's methods, texts and hard errors.  Its state persists (spec row 22:
 * upstream copies the box on every read, so tracking never shows anything there).
 * Where upstream iterates a Rust HashMap (tracked boxes, the type counts of
 * memoryReport) the order here is first-recorded; time stamps are the local time now.
 * The `[DEBUG] ...` lines go to stdout, as upstream's println!.
 *
 * DebugBox object (48 bytes): +0 rc, +4 kind id, +8 tracking flag, then three lists
 * {i32 address of i32 slots, i32 count of entries, i32 capacity in entries}:
 * +12 tracked boxes (5 owned strings per entry: name, type, created, fields, value),
 * +24 breakpoints (1 string per entry), +36 traced calls (2 strings per entry: time
 * stamp, "fn(args)").
 */
#include "data.h"

NY_IMPORT(inst_field_names) int32_t ny_inst_field_names(int32_t inst);   /* databox.wat */

typedef struct { int32_t slots, n, cap; } list_t;
typedef struct { int32_t rc, kid, tracking; list_t tracked, breaks, calls; } debug_t;

#define DBG(self) ((debug_t *)ny_mem((int32_t)(self)))
#define SLOTS(l) ((int32_t *)ny_mem((l)->slots))
#define MAX_CALLS 100

enum { TRACK_W = 5, BREAK_W = 1, CALL_W = 2 };

/* append one entry of w owned strings */
static void list_push(list_t *l, int32_t w, const int32_t *strs) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->slots = l->slots ? ny_realloc(l->slots, l->cap * w * 4) : ny_alloc(l->cap * w * 4);
    }
    __builtin_memcpy(SLOTS(l) + l->n * w, strs, w * 4);
    l->n++;
}

static void list_clear(list_t *l, int32_t w) {
    for (int32_t i = 0; i < l->n * w; i++) ny_release_str(SLOTS(l)[i]);
    l->n = 0;
}

static void list_drop(list_t *l, int32_t w) {
    list_clear(l, w);
    if (l->slots) ny_free(l->slots);
    l->slots = 0;
    l->cap = 0;
}

NY_EXPORT(drop_Debug) void drop_Debug(int32_t b) {
    list_drop(&DBG(b)->tracked, TRACK_W);
    list_drop(&DBG(b)->breaks, BREAK_W);
    list_drop(&DBG(b)->calls, CALL_W);
}

NY_EXPORT(tostr_Debug) int32_t tostr_Debug(int32_t b) {
    sb_t m = {0, 0, 0};
    sb_c(&m, "DebugBox[");
    sb_int(&m, DBG(b)->tracked.n);
    sb_c(&m, " tracked]");
    return sb_done(&m);
}

/* print a finished line (owned builder) to stdout */
static void say(sb_t *m) {
    sb_c(m, "\n");
    ny_out_write(m->buf, m->len);
    ny_free(m->buf);
}

static void say_c(const char *a, int32_t s) {
    sb_t m = {0, 0, 0};
    sb_c(&m, a);
    if (s) sb_s(&m, s);
    say(&m);
}

/* upstream's hard error for a name that is not a string; 0 after raising */
static int need_string(ny_value v, const char *msg) {
    if (v.tag == T_STR) return 1;
    ny_raise_c(msg);
    return 0;
}

NY_EXPORT(m_Debug_startTracking) ny_value m_Debug_startTracking(int64_t self) {
    DBG(self)->tracking = 1;
    say_c("[DEBUG] Tracking started", 0);
    return NY_VOID;
}

NY_EXPORT(m_Debug_stopTracking) ny_value m_Debug_stopTracking(int64_t self) {
    DBG(self)->tracking = 0;
    say_c("[DEBUG] Tracking stopped", 0);
    return NY_VOID;
}

NY_EXPORT(m_Debug_isTracking) ny_value m_Debug_isTracking(int64_t self) { return ny_bool(DBG(self)->tracking); }

NY_EXPORT(m_Debug_getTrackedCount) ny_value m_Debug_getTrackedCount(int64_t self) {
    return ny_int(DBG(self)->tracked.n);
}

static int32_t type_name(ny_value v) {
    sb_t m = {0, 0, 0};
    sb_type_name(&m, v);
    return sb_done(&m);
}

/* trackBox(box, name): while tracking, records the box's type, the time, its fields
 * (user instances: declared field names; others N/A) and its string form now; a name
 * tracked before is replaced in place. */
NY_EXPORT(m_Debug_trackBox) ny_value m_Debug_trackBox(int64_t self, ny_value box, ny_value name) {
    if (!need_string(name, "trackBox() second argument must be a string")) return NY_VOID;
    if (!DBG(self)->tracking) return NY_VOID;
    int32_t e[TRACK_W];
    e[0] = ny_str_from_bytes(ny_ptr(name) + 8, ny_str_len(ny_ptr(name)));
    e[1] = type_name(box);
    e[2] = world_now_text("%Y-%m-%d %H:%M:%S");
    e[3] = box.tag == T_INST ? ny_inst_field_names(ny_ptr(box)) : ny_str_c("N/A");
    if (box.tag == T_INST) ny_retain(ny_strv(e[3]));
    e[4] = ny_to_string(box);
    list_t *l = &DBG(self)->tracked;
    for (int32_t i = 0; i < l->n; i++) {
        int32_t *old = SLOTS(l) + i * TRACK_W;
        if (ny_str_eq(old[0], e[0])) {
            for (int32_t k = 0; k < TRACK_W; k++) ny_release_str(old[k]);
            __builtin_memcpy(old, e, sizeof e);
            return NY_VOID;
        }
    }
    list_push(l, TRACK_W, e);
    return NY_VOID;
}

static int32_t dump_text(int64_t self) {
    list_t *l = &DBG(self)->tracked;
    sb_t m = {0, 0, 0};
    int32_t now = world_now_text("%Y-%m-%d %H:%M:%S");
    sb_c(&m, "=== Box State Dump ===\nTime: ");
    sb_s(&m, now);
    ny_release_str(now);
    sb_c(&m, "\nTotal tracked boxes: ");
    sb_int(&m, l->n);
    sb_c(&m, "\n\n");
    static const char *const labels[TRACK_W] = {"Box: ", "  Type: ", "  Created: ", "  Fields: ", "  Value: "};
    for (int32_t i = 0; i < l->n; i++) {
        for (int32_t k = 0; k < TRACK_W; k++) {
            sb_c(&m, labels[k]);
            sb_s(&m, SLOTS(l)[i * TRACK_W + k]);
            sb_c(&m, "\n");
        }
        sb_c(&m, "\n");
    }
    return sb_done(&m);
}

NY_EXPORT(m_Debug_dumpAll) ny_value m_Debug_dumpAll(int64_t self) { return ny_strv(dump_text(self)); }

/* saveToFile(path): the dumpAll text written to path (created or truncated) */
NY_EXPORT(m_Debug_saveToFile) ny_value m_Debug_saveToFile(int64_t self, ny_value path) {
    if (!need_string(path, "saveToFile() argument must be a string")) return NY_VOID;
    int32_t text = dump_text(self);
    int32_t err = world_write_file(ny_ptr(path), ny_str_bytes(text), ny_str_len(text));
    ny_release_str(text);
    if (err) {
        sb_t m = {0, 0, 0};
        sb_c(&m, "Failed to write debug file: ");
        sb_s(&m, err);
        ny_release_str(err);
        ny_raise_s(sb_done(&m));
        return NY_VOID;
    }
    say_c("[DEBUG] Saved debug info to ", ny_ptr(path));
    return NY_VOID;
}

/* watch(box, name): prints "[DEBUG] Watching name (type): value" */
NY_EXPORT(m_Debug_watch) ny_value m_Debug_watch(int64_t self, ny_value box, ny_value name) {
    (void)self;
    if (!need_string(name, "watch() second argument must be a string")) return NY_VOID;
    sb_t m = {0, 0, 0};
    sb_c(&m, "[DEBUG] Watching ");
    sb_s(&m, ny_ptr(name));
    sb_c(&m, " (");
    sb_type_name(&m, box);
    sb_c(&m, "): ");
    int32_t s = ny_to_string(box);
    sb_s(&m, s);
    ny_release_str(s);
    say(&m);
    return NY_VOID;
}

/* memoryReport(): the tracked count and how many of each type (first-seen order) */
NY_EXPORT(m_Debug_memoryReport) ny_value m_Debug_memoryReport(int64_t self) {
    list_t *l = &DBG(self)->tracked;
    sb_t m = {0, 0, 0};
    sb_c(&m, "=== Memory Report ===\nTracked boxes: ");
    sb_int(&m, l->n);
    sb_c(&m, "\n\nBoxes by type:\n");
    for (int32_t i = 0; i < l->n; i++) {
        int32_t t = SLOTS(l)[i * TRACK_W + 1], seen = 0, count = 0;
        for (int32_t j = 0; j < l->n; j++) {
            if (!ny_str_eq(SLOTS(l)[j * TRACK_W + 1], t)) continue;
            if (j < i) seen = 1;
            count++;
        }
        if (seen) continue;
        sb_c(&m, "  ");
        sb_s(&m, t);
        sb_c(&m, ": ");
        sb_int(&m, count);
        sb_c(&m, "\n");
    }
    return ny_strv(sb_done(&m));
}

NY_EXPORT(m_Debug_setBreakpoint) ny_value m_Debug_setBreakpoint(int64_t self, ny_value fn) {
    if (!need_string(fn, "setBreakpoint() argument must be a string")) return NY_VOID;
    int32_t s = ny_str_from_bytes(ny_ptr(fn) + 8, ny_str_len(ny_ptr(fn)));
    list_push(&DBG(self)->breaks, BREAK_W, &s);
    say_c("[DEBUG] Breakpoint set at function: ", ny_ptr(fn));
    return NY_VOID;
}

/* traceCall(fn, args...): records the call with its arguments' string forms and the
 * time; the last 100 calls are kept */
NY_EXPORT(mv_Debug_traceCall) ny_value mv_Debug_traceCall(int64_t self, int32_t args) {
    int32_t n = ny_arr_len(args);
    if (n < 1) {
        ny_raise_c("traceCall() expects at least 1 argument, got 0");
        return NY_VOID;
    }
    ny_value fn = ny_val(ny_arr_tag(args, 0), ny_arr_payload(args, 0));
    if (!need_string(fn, "traceCall() first argument must be a string")) return NY_VOID;
    sb_t m = {0, 0, 0};
    sb_s(&m, ny_ptr(fn));
    sb_c(&m, "(");
    for (int32_t i = 1; i < n; i++) {
        if (i > 1) sb_c(&m, ", ");
        int32_t s = ny_to_string(ny_val(ny_arr_tag(args, i), ny_arr_payload(args, i)));
        sb_s(&m, s);
        ny_release_str(s);
    }
    sb_c(&m, ")");
    int32_t e[CALL_W] = {world_now_text("%H:%M:%S.%3f"), sb_done(&m)};
    list_t *l = &DBG(self)->calls;
    if (l->n == MAX_CALLS) {
        ny_release_str(SLOTS(l)[0]);
        ny_release_str(SLOTS(l)[1]);
        __builtin_memmove(SLOTS(l), SLOTS(l) + CALL_W, (l->n - 1) * CALL_W * 4);
        l->n--;
    }
    list_push(l, CALL_W, e);
    return NY_VOID;
}

NY_EXPORT(m_Debug_showCallStack) ny_value m_Debug_showCallStack(int64_t self) {
    list_t *l = &DBG(self)->calls;
    sb_t m = {0, 0, 0};
    sb_c(&m, "=== Call Stack ===\n");
    for (int32_t i = 0; i < l->n; i++) {
        sb_int(&m, i);
        sb_c(&m, ": [");
        sb_s(&m, SLOTS(l)[i * CALL_W]);
        sb_c(&m, "] ");
        sb_s(&m, SLOTS(l)[i * CALL_W + 1]);
        sb_c(&m, "\n");
    }
    return ny_strv(sb_done(&m));
}

/* clear(): forgets the tracked boxes and traced calls (breakpoints stay, as upstream) */
NY_EXPORT(m_Debug_clear) ny_value m_Debug_clear(int64_t self) {
    list_clear(&DBG(self)->tracked, TRACK_W);
    list_clear(&DBG(self)->calls, CALL_W);
    say_c("[DEBUG] Cleared all debug information", 0);
    return NY_VOID;
}

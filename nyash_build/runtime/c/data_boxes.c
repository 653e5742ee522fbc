/* data_boxes.c: the box layer of JSONBox, RegexBox, ResultBox and the network boxes
 * (SocketBox, HTTPClientBox, HTTPServerBox, P2PBox): methods, printed forms, equality
 * and release, as docs/data-boxes.md describes them.  The engines are json.c and
 * regex.c; the constructors that need a kind id are in data.wat.
 *
 * Objects (+0 rc, +4 kind id, then):
 *   JSONBox      +8 the document's root (json.c tree)                      16 bytes
 *   RegexBox     +8 pattern string, +12 compiled program (regex.c RegexObj) 16 bytes
 *   ResultBox    +8 i32 tag, +16 i64 payload of the Ok value (owned)       24 bytes
 *   SocketBox, HTTPClientBox, HTTPServerBox  +8 object id                   16 bytes
 *   P2PBox       +8 node id string (the transport is always "inprocess")    16 bytes
 *
 * Every argument is taken in its string form (upstream calls to_string_box on it), so
 * arguments of any kind are accepted; the argument counts are checked by the compiler
 * and the dispatcher (one function per method and arity).
 */
#include "nyrt.h"

#define I32(b, off) (*(int32_t *)ny_mem((int32_t)(b) + (off)))

/* json.c */
int32_t json_parse_str(int32_t text, int32_t *err);
void json_free(int32_t root);
int32_t json_stringify(int32_t root);
int32_t json_equal(int32_t a, int32_t b);
ny_value json_get(int32_t root, ny_value key);
int32_t json_has(int32_t root, ny_value key);
int32_t json_keys(int32_t root);
int32_t json_set(int32_t root, ny_value key, ny_value value);
/* regex.c */
int32_t rx_new(int32_t kid, int32_t pattern_str);
void rx_drop(int32_t self);
int32_t rx_test(int32_t self, int32_t text);
int32_t rx_find(int32_t self, int32_t text);
int32_t rx_find_all(int32_t self, int32_t text);
int32_t rx_split(int32_t self, int32_t text);
int32_t rx_replace(int32_t self, int32_t text, int32_t rep);

NY_IMPORT(box_alloc) int32_t ny_box_alloc(int32_t kid, int32_t size);

static ny_value soft(const char *msg) { return ny_strv(ny_str_c(msg)); }

/* a + b + c as a new string (b borrowed string object) */
static int32_t wrap(const char *a, int32_t b, const char *c) {
    int32_t na = ny_cstr_len(a), nb = ny_str_len(b), nc = ny_cstr_len(c);
    int32_t s = ny_str_new(na + nb + nc);
    uint8_t *p = ny_str_bytes(s);
    __builtin_memcpy(p, a, na);
    __builtin_memcpy(p + na, ny_str_bytes(b), nb);
    __builtin_memcpy(p + na + nb, c, nc);
    return s;
}

/* ================================================================== JSONBox */

/* a new JSONBox of kind kid from the string form of text; 0 after raising
 * "Invalid JSON: <serde_json's message>" (upstream: a hard error) */
NY_EXPORT(json_box_new) int32_t json_box_new(int32_t kid, ny_value text) {
    int32_t s = ny_to_string(text), err = 0;
    int32_t root = json_parse_str(s, &err);
    ny_release_str(s);
    if (!root) {
        int32_t m = wrap("Invalid JSON: ", err, "");
        ny_release_str(err);
        ny_raise_s(m);
        return 0;
    }
    int32_t b = ny_box_alloc(kid, 16);
    I32(b, 8) = root;
    return b;
}

NY_EXPORT(tostr_JSON) int32_t tostr_JSON(int32_t b) { return json_stringify(I32(b, 8)); }
NY_EXPORT(drop_JSON) void drop_JSON(int32_t b) { json_free(I32(b, 8)); }
NY_EXPORT(eq_JSON) int32_t eq_JSON(int32_t a, int32_t b) { return json_equal(I32(a, 8), I32(b, 8)); }

NY_EXPORT(m_JSON_stringify) ny_value m_JSON_stringify(int64_t self) { return ny_strv(json_stringify(I32(self, 8))); }
NY_EXPORT(m_JSON_get) ny_value m_JSON_get(int64_t self, ny_value key) { return json_get(I32(self, 8), key); }
NY_EXPORT(m_JSON_has) ny_value m_JSON_has(int64_t self, ny_value key) { return ny_bool(json_has(I32(self, 8), key)); }
NY_EXPORT(m_JSON_keys) ny_value m_JSON_keys(int64_t self) { return ny_arrv(json_keys(I32(self, 8))); }

/* stored (spec row 22: upstream says "ok" and forgets it) */
NY_EXPORT(m_JSON_set) ny_value m_JSON_set(int64_t self, ny_value key, ny_value value) {
    int32_t r = json_set(I32(self, 8), key, value);
    if (r < 0) return NY_VOID;
    return soft(r ? "ok" : "Error: JSONBox is not an object");
}

/* a new JSONBox (the receiver is not used), or upstream's soft error string */
NY_EXPORT(m_JSON_parse) ny_value m_JSON_parse(int64_t self, ny_value text) {
    int32_t s = ny_to_string(text), err = 0;
    int32_t root = json_parse_str(s, &err);
    ny_release_str(s);
    if (!root) {
        int32_t m = wrap("Error parsing JSON: ", err, "");
        ny_release_str(err);
        return ny_strv(m);
    }
    int32_t b = ny_box_alloc(I32(self, 4), 16);
    I32(b, 8) = root;
    return ny_val(T_BOX, (int64_t)(uint32_t)b);
}

/* ================================================================== RegexBox */

/* a new RegexBox of kind kid from the string form of pattern; 0 after raising
 * "Invalid regex pattern: regex parse error: ..." */
NY_EXPORT(regex_box_new) int32_t regex_box_new(int32_t kid, ny_value pattern) {
    int32_t s = ny_to_string(pattern);
    int32_t r = rx_new(kid, s);
    ny_release_str(s);
    return r;
}

NY_EXPORT(tostr_Regex) int32_t tostr_Regex(int32_t b) { return wrap("RegexBox(", I32(b, 8), ")"); }
NY_EXPORT(drop_Regex) void drop_Regex(int32_t b) { rx_drop(b); }
NY_EXPORT(eq_Regex) int32_t eq_Regex(int32_t a, int32_t b) { return ny_str_eq(I32(a, 8), I32(b, 8)); }

NY_EXPORT(m_Regex_test) ny_value m_Regex_test(int64_t self, ny_value text) {
    int32_t s = ny_to_string(text), r = rx_test((int32_t)self, s);
    ny_release_str(s);
    return ny_bool(r);
}

NY_EXPORT(m_Regex_find) ny_value m_Regex_find(int64_t self, ny_value text) {
    int32_t s = ny_to_string(text), r = rx_find((int32_t)self, s);
    ny_release_str(s);
    return r ? ny_strv(r) : NY_NULL;
}

NY_EXPORT(m_Regex_findAll) ny_value m_Regex_findAll(int64_t self, ny_value text) {
    int32_t s = ny_to_string(text), r = rx_find_all((int32_t)self, s);
    ny_release_str(s);
    return ny_arrv(r);
}

NY_EXPORT(m_Regex_split) ny_value m_Regex_split(int64_t self, ny_value text) {
    int32_t s = ny_to_string(text), r = rx_split((int32_t)self, s);
    ny_release_str(s);
    return ny_arrv(r);
}

NY_EXPORT(m_Regex_replace) ny_value m_Regex_replace(int64_t self, ny_value text, ny_value rep) {
    int32_t s = ny_to_string(text), p = ny_to_string(rep);
    int32_t r = rx_replace((int32_t)self, s, p);
    ny_release_str(s);
    ny_release_str(p);
    return ny_strv(r);
}

/* ================================================================== ResultBox */

static ny_value result_value(int64_t self) {
    return ny_val(I32(self, 8), *(int64_t *)ny_mem((int32_t)self + 16));
}

NY_EXPORT(tostr_Result) int32_t tostr_Result(int32_t b) {
    int32_t s = ny_to_string(result_value(b));
    int32_t r = wrap("Ok(", s, ")");
    ny_release_str(s);
    return r;
}
NY_EXPORT(drop_Result) void drop_Result(int32_t b) { ny_release(result_value(b)); }
NY_EXPORT(eq_Result) int32_t eq_Result(int32_t a, int32_t b) { return ny_op_eq(result_value(a), result_value(b)); }

NY_EXPORT(m_Result_isOk) ny_value m_Result_isOk(int64_t self) { return ny_bool(1); }
NY_EXPORT(m_Result_is_ok) ny_value m_Result_is_ok(int64_t self) { return ny_bool(1); }
NY_EXPORT(m_Result_getValue) ny_value m_Result_getValue(int64_t self) {
    ny_value v = result_value(self);
    ny_retain(v);
    return v;
}
NY_EXPORT(m_Result_get_value) ny_value m_Result_get_value(int64_t self) { return m_Result_getValue(self); }
NY_EXPORT(m_Result_getError) ny_value m_Result_getError(int64_t self) { return soft("Error: Result is Ok"); }
NY_EXPORT(m_Result_get_error) ny_value m_Result_get_error(int64_t self) { return soft("Error: Result is Ok"); }

/* ================================================================== network boxes */

static void put_u32(uint8_t *p, int32_t *n, uint32_t u) {
    char t[12];
    int32_t d = 0;
    do { t[d++] = (char)('0' + u % 10); u /= 10; } while (u);
    while (d) p[(*n)++] = (uint8_t)t[--d];
}

/* "<a><id><b>" */
static int32_t with_id(const char *a, uint32_t id, const char *b) {
    uint8_t buf[96];
    int32_t n = 0;
    for (; *a; a++) buf[n++] = (uint8_t)*a;
    put_u32(buf, &n, id);
    for (; *b; b++) buf[n++] = (uint8_t)*b;
    return ny_str_copy(buf, n);
}

NY_EXPORT(tostr_Socket) int32_t tostr_Socket(int32_t b) {
    return with_id("SocketBox(id: ", (uint32_t)I32(b, 8), ", status: Disconnected)");
}
NY_EXPORT(tostr_HTTPClient) int32_t tostr_HTTPClient(int32_t b) {
    return with_id("HttpClientBox(id: ", (uint32_t)I32(b, 8), ")");
}
NY_EXPORT(tostr_HTTPServer) int32_t tostr_HTTPServer(int32_t b) {
    return with_id("HTTPServer(id: ", (uint32_t)I32(b, 8), ", running: false, routes: 0, connections: 0)");
}

/* new P2PBox(node_id, transport): upstream accepts the transport "inprocess" in any
 * case and names it "inprocess"; anything else is "Unknown transport kind: X" */
NY_EXPORT(p2p_box_new) int32_t p2p_box_new(int32_t kid, ny_value node, ny_value transport) {
    static const char want[] = "inprocess";
    int32_t t = ny_to_string(transport);
    int32_t ok = ny_str_len(t) == 9;
    const uint8_t *p = ny_str_bytes(t);
    for (int32_t k = 0; k < 9 && ok; k++) {
        uint8_t c = p[k];
        if (c >= 'A' && c <= 'Z') c += 32;
        ok = c == (uint8_t)want[k];
    }
    if (!ok) {
        int32_t m = wrap("Unknown transport kind: ", t, "");
        ny_release_str(t);
        ny_raise_s(m);
        return 0;
    }
    ny_release_str(t);
    int32_t b = ny_box_alloc(kid, 16);
    I32(b, 8) = ny_to_string(node);
    return b;
}
NY_EXPORT(tostr_P2P) int32_t tostr_P2P(int32_t b) {
    int32_t a = wrap("P2PBox[", I32(b, 8), ":");
    int32_t r = wrap("", a, "inprocess]");
    ny_release_str(a);
    return r;
}
NY_EXPORT(drop_P2P) void drop_P2P(int32_t b) { ny_release_str(I32(b, 8)); }

/* every network method: a runtime error naming it (spec section 9) */
static ny_value offline(const char *what) {
    static const char head[] = "network is not available in compiled programs (";
    uint8_t buf[128];
    int32_t n = 0;
    for (const char *c = head; *c; c++) buf[n++] = (uint8_t)*c;
    for (; *what; what++) buf[n++] = (uint8_t)*what;
    buf[n++] = ')';
    ny_raise_s(ny_str_copy(buf, n));
    return NY_VOID;
}

#define NET0(S, B, M) NY_EXPORT(m_##S##_##M) ny_value m_##S##_##M(int64_t self) { return offline(B "." #M); }
#define NET1(S, B, M) NY_EXPORT(m_##S##_##M) ny_value m_##S##_##M(int64_t self, ny_value a) { return offline(B "." #M); }
#define NET2(S, B, M) NY_EXPORT(m_##S##_##M) ny_value m_##S##_##M(int64_t self, ny_value a, ny_value b) { return offline(B "." #M); }
#define NET3(S, B, M) NY_EXPORT(m_##S##_##M) ny_value m_##S##_##M(int64_t self, ny_value a, ny_value b, ny_value c) { return offline(B "." #M); }

/* SocketBox: upstream's interpreter dispatch (http_methods.rs) */
NET2(Socket, "SocketBox", bind)
NET1(Socket, "SocketBox", listen)
NET0(Socket, "SocketBox", accept)
NET1(Socket, "SocketBox", acceptTimeout)
NET1(Socket, "SocketBox", accept_timeout)
NET2(Socket, "SocketBox", connect)
NET0(Socket, "SocketBox", read)
NET1(Socket, "SocketBox", recvTimeout)
NET1(Socket, "SocketBox", recv_timeout)
NET0(Socket, "SocketBox", readHttpRequest)
NET1(Socket, "SocketBox", write)
NET0(Socket, "SocketBox", close)
NET0(Socket, "SocketBox", isConnected)
NET0(Socket, "SocketBox", isServer)

/* HTTPClientBox (network_methods.rs) */
NET1(HTTPClient, "HTTPClientBox", get)
NET2(HTTPClient, "HTTPClientBox", post)
NET2(HTTPClient, "HTTPClientBox", put)
NET1(HTTPClient, "HTTPClientBox", delete)
NET3(HTTPClient, "HTTPClientBox", request)

/* HTTPServerBox (http_methods.rs) */
NET2(HTTPServer, "HTTPServerBox", bind)
NET1(HTTPServer, "HTTPServerBox", listen)
NET0(HTTPServer, "HTTPServerBox", start)
NET0(HTTPServer, "HTTPServerBox", stop)
NET2(HTTPServer, "HTTPServerBox", get)

/* P2PBox (p2p_box.rs; upstream's interpreter dispatches none of them) */
NET2(P2P, "P2PBox", send)
NET2(P2P, "P2PBox", on)
NET0(P2P, "P2PBox", getNodeId)
NET1(P2P, "P2PBox", isReachable)
NET0(P2P, "P2PBox", getTransportType)

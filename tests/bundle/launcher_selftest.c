/*
 * selftest.c - drives the launcher's decoders from tests/bundle/test_launcher_codecs.py:
 *   selftest sha256 FILE            hex digest (dispatching and portable: two lines)
 *   selftest lzma2 FILE RAW_LEN     decoded bytes on stdout, exit 1 if malformed
 *   selftest zlib FILE              decoded bytes on stdout, exit 1 if malformed
 *   selftest json FILE              the value re-serialised compactly, exit 1 if refused
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "json.h"

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) exit(2);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void hex(const uint8_t d[32]) {
    for (int i = 0; i < 32; i++) printf("%02x", d[i]);
    printf("\n");
}

static void dump(const jv *v) {
    switch (v->type) {
    case JV_NULL: printf("null"); break;
    case JV_TRUE: printf("true"); break;
    case JV_FALSE: printf("false"); break;
    case JV_NUM: if (v->is_int) printf("%lld", v->ival); else printf("%.17g", v->num); break;
    case JV_STR:
        putchar('"');
        for (size_t i = 0; i < v->len; i++) {
            unsigned char c = (unsigned char)v->str[i];
            if (c == '"' || c == '\\') printf("\\%c", c);
            else if (c < 0x20) printf("\\u%04x", c);
            else putchar(c);
        }
        putchar('"');
        break;
    default:
        putchar(v->type == JV_ARR ? '[' : '{');
        for (size_t i = 0; i < v->n; i++) {
            if (i) putchar(',');
            if (v->type == JV_OBJ) {
                jv key = {.type = JV_STR, .str = v->keys[i], .len = v->key_lens[i]};
                dump(&key);
                putchar(':');
            }
            dump(v->items[i]);
        }
        putchar(v->type == JV_ARR ? ']' : '}');
    }
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    size_t len;
    uint8_t *data = slurp(argv[2], &len);
    if (strcmp(argv[1], "sha256") == 0) {
        uint8_t d[32];
        sha256(data, len, d);
        hex(d);
        sha256_portable(data, len, d);
        hex(d);
        return 0;
    }
    if (strcmp(argv[1], "lzma2") == 0 && argc == 4) {
        size_t raw = (size_t)strtoull(argv[3], NULL, 10);
        uint8_t *out = malloc(raw ? raw : 1);
        if (lzma2_x86_decode(data, len, out, raw) != 0) return 1;
        fwrite(out, 1, raw, stdout);
        return 0;
    }
    if (strcmp(argv[1], "zlib") == 0) {
        uint8_t *out;
        size_t n;
        if (zlib_decompress(data, len, &out, &n) != 0) return 1;
        fwrite(out, 1, n, stdout);
        return 0;
    }
    if (strcmp(argv[1], "json") == 0) {
        jv *v = json_parse((const char *)data, len);
        if (!v) return 1;
        dump(v);
        return 0;
    }
    return 2;
}

/* json.h - see json.c. */
#ifndef NYASH_LAUNCHER_JSON_H
#define NYASH_LAUNCHER_JSON_H

#include <stddef.h>

enum { JV_NULL, JV_FALSE, JV_TRUE, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

typedef struct jv {
    int type;
    int is_int;          /* JV_NUM written without fraction or exponent */
    long long ival;      /* JV_NUM when is_int */
    double num;          /* JV_NUM */
    char *str;           /* JV_STR: UTF-8, NUL-terminated (may contain NULs; see len) */
    size_t len;
    struct jv **items;   /* JV_ARR, JV_OBJ: n values */
    char **keys;         /* JV_OBJ: n keys, NUL-terminated */
    size_t *key_lens;
    size_t n;
} jv;

jv *json_parse(const char *text, size_t len);        /* NULL: not (supported) JSON */
const jv *json_get(const jv *obj, const char *key);  /* NULL: absent or not an object */
int json_truthy(const jv *v);                        /* Python bool() of the value */
int json_equal(const jv *a, const jv *b);            /* Python ==; NULL counts as None */

#endif

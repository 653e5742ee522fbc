/*
 * conf.c - the runner's nyash-fastpath.json: the values the fast path shares with the
 * Python runner, written by the runner freeze from the Python definitions
 * (nyash_build/bundle/runner_cache.py:fastpath_settings), so C repeats none of them.
 * Anything missing or of the wrong type hands the run to the runner.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fastpath_parts.h"

static int64_t conf_int(const jv *root, const char *key) {
    const jv *v = json_get(root, key);
    if (!v || v->type != JV_NUM || !v->is_int) handover();
    return v->ival;
}

int str_list(const jv *v) {
    if (!v || v->type != JV_ARR) return 0;
    for (size_t i = 0; i < v->n; i++)
        if (v->items[i]->type != JV_STR) return 0;
    return 1;
}

void load_conf(runner_conf *c, const char *dir) {
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/nyash-fastpath.json", dir);
    char *text = read_file(path, &len);
    if (!text || !(c->root = json_parse(text, len))) handover();
    const jv *fmt = json_get(c->root, "format"), *lib = json_get(c->root, "wasmtime_library");
    const jv *libdir = json_get(c->root, "library_dir"), *vs = json_get(c->root, "variants");
    if (!fmt || fmt->type != JV_NUM || fmt->ival != 1 || !lib || lib->type != JV_STR || !libdir
        || libdir->type != JV_STR || !vs || vs->type != JV_ARR || vs->n > 8)
        handover();
    snprintf(c->library, sizeof c->library, "%s/%s", dir, lib->str);
    snprintf(c->library_dir, sizeof c->library_dir, "%s/%s", dir, libdir->str);
    for (size_t i = 0; i < vs->n; i++) {
        const jv *v = vs->items[i], *name = json_get(v, "name"), *keys = json_get(v, "compat_key");
        variant_conf *vc = &c->variants[c->nvariants++];
        if (!name || name->type != JV_STR) handover();
        vc->name = name->str;
        vc->target = json_get(v, "target");
        vc->flags = json_get(v, "cranelift_flags");
        vc->cpu_features = json_get(v, "cpu_features");
        vc->key_release = json_get(keys, "release");
        vc->key_debug = json_get(keys, "debug");
        if (!vc->target || vc->target->type != JV_STR || !str_list(vc->flags) || !str_list(vc->cpu_features)
            || !vc->key_release || vc->key_release->type != JV_OBJ || !vc->key_debug
            || vc->key_debug->type != JV_OBJ)
            handover();
    }
    c->info_only_keys = json_get(c->root, "info_only_keys");
    c->hidden_env = json_get(c->root, "hidden_env_prefixes");
    c->variant_choices = json_get(c->root, "variant_choices");
    if (!str_list(c->info_only_keys) || !str_list(c->hidden_env) || !str_list(c->variant_choices)) handover();
    c->max_wasm_stack = conf_int(c->root, "max_wasm_stack");
    c->async_stack_size = conf_int(c->root, "async_stack_size");
    c->native_stack = conf_int(c->root, "native_stack");
    c->default_max_memory = conf_int(c->root, "default_max_memory");
    c->frames_shown = conf_int(c->root, "stack_frames_shown");
    c->opt_level = (uint8_t)conf_int(c->root, "opt_level");
    const jv *tm = json_get(c->root, "timeout_max");
    if (!tm || tm->type != JV_NUM) handover();
    c->timeout_max = tm->num;
}

int in_list(const jv *list, const char *s) {
    for (size_t i = 0; i < list->n; i++)
        if (strcmp(list->items[i]->str, s) == 0) return 1;
    return 0;
}

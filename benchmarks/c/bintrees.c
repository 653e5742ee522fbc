/* bintrees.nyash in C: malloc'd nodes, recursive build, walk and free (the Nyash
 * program frees every tree by reference counting when it is dropped). */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct Node { struct Node *left, *right; } Node;

static Node *node_new(Node *left, Node *right) {
    Node *p = malloc(sizeof *p);
    if (!p) { perror("malloc"); exit(1); }
    p->left = left;
    p->right = right;
    return p;
}

static Node *make(int64_t d) {
    if (d == 0) return node_new(NULL, NULL);
    Node *l = make(d - 1);
    return node_new(l, make(d - 1));
}

static int64_t check(const Node *p) {
    if (p->left == NULL) return 1;
    return 1 + check(p->left) + check(p->right);
}

static void drop(Node *p) {
    if (p->left) { drop(p->left); drop(p->right); }
    free(p);
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 14);
    Node *stretch = make(n + 1);
    int64_t total = check(stretch);
    drop(stretch);
    Node *long_lived = make(n);
    for (int64_t d = 4; d <= n; d += 2) {
        int64_t iters = (int64_t)1 << (n - d + 4), chk = 0;
        for (int64_t i = 0; i < iters; i++) {
            Node *t = make(d);
            chk += check(t);
            drop(t);
        }
        total += chk * d;
    }
    printf("%ld\n", (long)(total + check(long_lived)));
    drop(long_lived);
    return 0;
}

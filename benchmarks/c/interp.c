/* interp.nyash in C: instructions are heap objects with a run function pointer (the
 * virtual call of the Nyash program); the machine's stack grows like an ArrayBox. */
#include <stdint.h>
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>

typedef struct Vm { int64_t *stack; size_t sp, cap; int64_t vars[2]; } Vm;
typedef struct Op Op;
struct Op { int64_t (*run)(const Op *, Vm *, int64_t); int64_t arg; };

static void push(Vm *vm, int64_t v) {
    if (vm->sp == vm->cap) {
        vm->cap = vm->cap ? vm->cap * 2 : 4;
        vm->stack = realloc(vm->stack, vm->cap * sizeof *vm->stack);
        if (!vm->stack) { perror("realloc"); exit(1); }
    }
    vm->stack[vm->sp++] = v;
}
static int64_t pop(Vm *vm) { return vm->stack[--vm->sp]; }

static int64_t op_const(const Op *o, Vm *vm, int64_t pc) { push(vm, o->arg); return pc + 1; }
static int64_t op_load(const Op *o, Vm *vm, int64_t pc) { push(vm, vm->vars[o->arg]); return pc + 1; }
static int64_t op_store(const Op *o, Vm *vm, int64_t pc) { vm->vars[o->arg] = pop(vm); return pc + 1; }
static int64_t op_add(const Op *o, Vm *vm, int64_t pc) { (void)o; int64_t b = pop(vm); push(vm, pop(vm) + b); return pc + 1; }
static int64_t op_mul(const Op *o, Vm *vm, int64_t pc) { (void)o; int64_t b = pop(vm); push(vm, pop(vm) * b); return pc + 1; }
static int64_t op_mod(const Op *o, Vm *vm, int64_t pc) { (void)o; int64_t b = pop(vm); push(vm, pop(vm) % b); return pc + 1; }
static int64_t op_less(const Op *o, Vm *vm, int64_t pc) { (void)o; int64_t b = pop(vm); push(vm, pop(vm) < b ? 1 : 0); return pc + 1; }
static int64_t op_jz(const Op *o, Vm *vm, int64_t pc) { return pop(vm) == 0 ? o->arg : pc + 1; }
static int64_t op_jump(const Op *o, Vm *vm, int64_t pc) { (void)vm; (void)pc; return o->arg; }

static Op *op(int64_t (*run)(const Op *, Vm *, int64_t), int64_t arg) {
    Op *o = malloc(sizeof *o);
    if (!o) { perror("malloc"); exit(1); }
    o->run = run;
    o->arg = arg;
    return o;
}

int main(int argc, char **argv) {
    int64_t n = arg_n(argc, argv, 200000);
    /* while i < n: acc = acc + i * 3 % 7; i = i + 1   (i in vars[0], acc in vars[1]) */
    Op *prog[] = {op(op_load, 0), op(op_const, n), op(op_less, 0), op(op_jz, 17),
                  op(op_load, 1), op(op_load, 0), op(op_const, 3), op(op_mul, 0),
                  op(op_const, 7), op(op_mod, 0), op(op_add, 0), op(op_store, 1),
                  op(op_load, 0), op(op_const, 1), op(op_add, 0), op(op_store, 0),
                  op(op_jump, 0)};
    int64_t len = (int64_t)(sizeof prog / sizeof prog[0]);
    Vm vm = {0};
    int64_t pc = 0, steps = 0;
    while (pc < len) {
        pc = prog[pc]->run(prog[pc], &vm, pc);
        steps++;
    }
    printf("%ld\n", (long)(vm.vars[1] * 1000000 + steps));
    return 0;
}

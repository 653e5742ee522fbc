# interp.nyash in Python: a stack-machine interpreter whose instructions are objects of
# eight classes; every step is a polymorphic method call.
class Vm:
    def __init__(self):
        self.stack = []
        self.vars = [0, 0]

    def push(self, v):
        self.stack.append(v)

    def pop(self):
        return self.stack.pop()


class Const:
    def __init__(self, arg):
        self.arg = arg

    def run(self, vm, pc):
        vm.push(self.arg)
        return pc + 1


class Load:
    def __init__(self, arg):
        self.arg = arg

    def run(self, vm, pc):
        vm.push(vm.vars[self.arg])
        return pc + 1


class Store:
    def __init__(self, arg):
        self.arg = arg

    def run(self, vm, pc):
        vm.vars[self.arg] = vm.pop()
        return pc + 1


class Add:
    def run(self, vm, pc):
        b = vm.pop()
        vm.push(vm.pop() + b)
        return pc + 1


class Mul:
    def run(self, vm, pc):
        b = vm.pop()
        vm.push(vm.pop() * b)
        return pc + 1


class Mod:
    def run(self, vm, pc):
        b = vm.pop()
        vm.push(vm.pop() % b)
        return pc + 1


class Less:
    def run(self, vm, pc):
        b = vm.pop()
        if vm.pop() < b:
            vm.push(1)
        else:
            vm.push(0)
        return pc + 1


class JumpIfZero:
    def __init__(self, arg):
        self.arg = arg

    def run(self, vm, pc):
        if vm.pop() == 0:
            return self.arg
        return pc + 1


class Jump:
    def __init__(self, arg):
        self.arg = arg

    def run(self, vm, pc):
        return self.arg


n = 200000
# while i < n: acc = acc + i * 3 % 7; i = i + 1   (i in vars[0], acc in vars[1])
prog = [Load(0), Const(n), Less(), JumpIfZero(17),
        Load(1), Load(0), Const(3), Mul(), Const(7), Mod(), Add(), Store(1),
        Load(0), Const(1), Add(), Store(0), Jump(0)]
vm = Vm()
pc = 0
steps = 0
while pc < len(prog):
    pc = prog[pc].run(vm, pc)
    steps = steps + 1
print(vm.vars[1] * 1000000 + steps)

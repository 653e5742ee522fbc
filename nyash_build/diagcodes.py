"""Every diagnostic code, with its title and the explanation ``nyash explain CODE`` prints.

Codes are stable: once published a code keeps its meaning (a retired code stays here,
marked retired). Ranges: N01xx source text and syntax, N02xx names and calls found at
compile time (most are runtime errors the reference interpreter reports when the code
runs), N03xx declarations, N04xx warnings about old or doubtful spellings, N05xx
compiler limits, N06xx the environment (files, tools, disks), N07xx errors raised while
the program runs (shown by `nyash run` under the line they happened on), N09xx compiler
bugs.
docs/diagnostics.md lists the same codes (a test keeps them in step).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    title: str
    explanation: str


CODES: dict[str, Code] = {
    # ---------------------------------------------------------------- source text, syntax
    "N0101": Code("source is not valid UTF-8", """\
Nyash source files must be UTF-8. The position points at the first byte that is not
part of a valid UTF-8 sequence. Re-save the file as UTF-8 (most editors have an
"encoding" menu), or remove the stray byte."""),
    "N0102": Code("unterminated string literal", """\
A string literal starts with `"` and must end with `"` on the same line: Nyash strings
cannot span lines. Close the string, or write a line break inside it as `\\n`:

    print("first line\\nsecond line")"""),
    "N0103": Code("unexpected character", """\
The character cannot start any Nyash token. Nyash has no `;`, `[`, `]`, `:`, `!`, `&`
or `|` on their own: statements end at the end of the line, `not x` negates, and
`a and b` / `a or b` combine conditions."""),
    "N0104": Code("integer literal too large", """\
Integers are signed 64-bit values: from -9223372036854775808 to 9223372036854775807.
A literal outside that range cannot be represented. Use a float (write the digits with
a decimal point: `12345678901234567890.0`), or a string if you only need to print it."""),
    "N0105": Code("name too long", """\
Names are limited to 1024 characters. Longer names are never intended (a 10 MB line of
letters is a damaged file, not a variable), and quoting one in every message would
bury the real problem. Shorten the name."""),
    "N0110": Code("syntax error", """\
The parser found a token where the grammar does not allow it. The label says what was
expected. Remember that a newline ends a statement: an expression cannot continue on
the next line, so `x = 1 +` followed by `2` on the next line is an error. A newline is
allowed right after `{` and before `}`."""),
    "N0111": Code("unclosed `{`", """\
A block or box body opened with `{` is never closed: the end of the file came first.
The diagnostic points at both ends: the `{` that is still open and where the file
ends. Usually a `}` is missing further up, at the end of an earlier `if`, `loop` or
method; the indentation often shows where."""),
    "N0112": Code("`}` without an open block", """\
A `}` appears where no block is open. Either it is one too many, or a `{` is missing
earlier (for example `if x > 1` without the `{` at the end of the line)."""),
    "N0113": Code("unclosed `(`", """\
A `(` is never closed before the end of the line. Nyash statements end at the end of
the line, so every `(` must be closed on the line where it was opened. The
diagnostic points at the `(` that is still open."""),
    "N0114": Code("misspelled keyword", """\
A statement starts with a word that is not a keyword but is close to one (`retrun x`,
`fucntion f() {`), or is another language's keyword (`while` is `loop` in Nyash,
`let`/`var` are `local`, `def` is `function`). When the rest of the line cannot
follow it, this is a syntax error. When it can (`retrun x` is also two statements:
the variable `retrun`, then `x`), the program still compiles, as in the reference
interpreter, and reading `retrun` raises `Undefined variable 'retrun'` if the line
runs; `nyash check` reports it as an error. Fix the spelling."""),
    "N0115": Code("`catch` needs a type and a variable", """\
A catch clause names the kind of exception and the variable that receives it:
`catch (Error e) { ... }`. `Error`, `ErrorBox` and `Exception` catch everything.
`catch (e)` with only a variable is not accepted (the reference interpreter refuses
it too)."""),
    "N0116": Code("function declared inside a block", """\
`function name(params) { ... }` declares a global function and may only appear at top
level, not inside another function, a method or a block. Move it out; it can be called
from anywhere."""),
    "N0117": Code("`static` without `box`", """\
`static` is only used as `static box Name { ... }` (a box with exactly one instance).
Static functions do not exist in compiled programs: declare a top-level `function`, or
a method of a static box called as `Name.method()`."""),
    "N0118": Code("not available in compiled programs", """\
The word or box belongs to a feature a standalone executable does not have (for example
`nowait`/`await`, `using`, `include`, `outbox`, `interface`, or boxes for sockets,
sound or GUIs). See the language specification, section 9, for what compiled programs
support."""),
    "N0119": Code("cannot assign to this expression", """\
Only a variable (`x = 1`) or a field (`obj.f = 1`, `me.f = 1`) can be assigned. A call
result or an arithmetic expression cannot. To compare, use `==`."""),
    "N0120": Code("duplicate parameter", """\
Two parameters of one function or method have the same name; the second would hide the
first. Rename one of them."""),
    "N0121": Code("method defined twice", """\
A box defines two methods with the same name and the same number of parameters, so
calls could not tell them apart. Methods may share a name when their parameter counts
differ. Remove or rename one."""),
    "N0122": Code("`try` without `catch` or `finally`", """\
A `try` block must be followed (on the line of its closing `}`) by at least one
`catch (Type e) { ... }` or a `finally { ... }`."""),
    "N0123": Code("cannot include a file", """\
`include "path"` names a file that cannot be found (the message lists every place
tried: next to the including file, the project root, then each of `[build]
include-paths`), is a directory, lies outside the project, or cannot be read. The
marker is under the quoted path; when a `.nyash` file with a close name exists where
the include looked, the suggestion names it. Fix the path, or add its directory to
`include-paths` in nyash.toml."""),
    # ---------------------------------------------------------------- names and calls
    "N0201": Code("undefined variable", """\
The name is not a local variable or parameter visible at this point, not a global
(a name assigned somewhere outside any function's locals) and not a static box. Locals
are visible from their `local` declaration to the end of the function. Reading an
undefined name is a runtime error (`Undefined variable 'NAME'`): the compiler warns
when compiling and still raises that error if the line runs; `nyash check` treats it
as an error. A suggestion names the closest visible name."""),
    "N0202": Code("undefined function", """\
No top-level `function` of that name exists. Functions are global and can be declared
anywhere at top level. Calling an undefined function is a runtime error; the compiler
warns (an error for `nyash check`). A method must be called on its object:
`obj.name(...)` or `me.name(...)`."""),
    "N0203": Code("wrong number of arguments", """\
The function is called with a different number of arguments than it declares
parameters. Nyash has no default or variadic parameters. It is a runtime error when the
call runs; the compiler warns (an error for `nyash check`)."""),
    "N0204": Code("unknown box type", """\
`new Name(...)` names a box that is neither declared in the program nor a builtin box.
Box names are case-sensitive (`ArrayBox`, not `Arraybox`). A runtime error when the
line runs; the compiler warns (an error for `nyash check`)."""),
    "N0205": Code("no constructor with that many arguments", """\
`new Box(args)` calls the constructor `birth` (or the older `init`/`pack`) with exactly
that many parameters, from the box or its parents. A box without any constructor can
only be created with no arguments. A runtime error when the line runs; the compiler
warns (an error for `nyash check`)."""),
    "N0206": Code("static box created with `new`", """\
A `static box` has exactly one instance, created before the program starts; use it as
`Name.method()` or `Name.field`. `new` on it is a runtime error."""),
    "N0207": Code("unknown method of a user box", """\
No method of that name exists in the box (or its parents). Method names are
case-sensitive. A runtime error when the call runs; the compiler warns (an error for
`nyash check`). A suggestion names the closest method of the box."""),
    "N0208": Code("unknown method of a builtin box", """\
The builtin box (StringBox, ArrayBox, MapBox, ...) has no method of that name. The
suggestion names the closest method it does have. A runtime error when the call runs;
the compiler warns (an error for `nyash check`)."""),
    "N0209": Code("method called with the wrong number of arguments", """\
The box has a method of that name, but none with this number of parameters. A runtime
error when the call runs; the compiler warns (an error for `nyash check`)."""),
    "N0210": Code("`from` names a box that is not a parent", """\
`from Parent.method(...)` calls a method of a box this box delegates to (`box Child
from Parent`). The named box is not one of its parents. A runtime error when the call
runs; the compiler warns (an error for `nyash check`)."""),
    "N0211": Code("parent has no such method", """\
`from Parent.method(...)` names a method (with this many arguments) that the parent box
does not have. A runtime error when the call runs; the compiler warns (an error for
`nyash check`)."""),
    "N0212": Code("field never declared or assigned", """\
The field is read but no box declares it and nothing in the program ever assigns it,
so reading it can only fail (`Field 'NAME' not found in BOX` at run time). Usually a
misspelling of a declared field; the suggestion names the closest field of the box.
This is a warning: the program still compiles and behaves as the reference
interpreter does."""),
    "N0213": Code("network is not available in compiled programs", """\
SocketBox, HTTPClientBox, HTTPServerBox and P2PBox can be created and printed, but
compiled programs have no network access: every other method of these boxes raises the
runtime error `network is not available in compiled programs (SocketBox.connect)` when
the call runs (catchable with try/catch). The compiler warns at each such call it can
see (an error for `nyash check`)."""),
    # ---------------------------------------------------------------- declarations
    "N0301": Code("box declared twice", """\
Two boxes have the same name. Box names are global (a box declared inside a function is
still global); rename one."""),
    "N0302": Code("box redefines a builtin box", """\
The name belongs to a builtin box (StringBox, ArrayBox, ...). Choose another name; to
extend a builtin, delegate to it: `box MyString from StringBox { ... }`."""),
    "N0303": Code("function declared twice", """\
Two top-level functions have the same name. Functions cannot be overloaded by their
number of parameters (methods can); rename one."""),
    "N0304": Code("unknown parent box", """\
`box Child from Parent` names a parent that is neither declared nor a builtin box. The
suggestion names the closest box."""),
    "N0305": Code("box inherits from itself", """\
The `from` chain of a box leads back to the box itself (directly or through other
boxes). Delegation must form a tree; remove one of the links."""),
    "N0306": Code("constructor named after its box", """\
Old Nyash spelled a constructor with the box's name: `Point(x, y) { ... }` inside
`box Point`. It is still accepted as the constructor (the reference interpreter's
parser accepts it too), with this warning. Constructors are now called `birth`:
rename it to `birth(x, y) { ... }`."""),
    "N0307": Code("`break` outside a loop", """\
`break` leaves the innermost `loop`; there is none around this one. To leave a function
early use `return`."""),
    "N0308": Code("`me` outside a method", """\
`me` is the current instance and only exists inside the methods of a box. In a plain
function, pass the object as a parameter."""),
    "N0309": Code("`from` outside a method", """\
`from Parent.method(...)` calls the parent's version of a method and only makes sense
inside a method of a box that delegates to `Parent`."""),
    # ---------------------------------------------------------------- warnings
    "N0401": Code("`override` that overrides nothing", """\
The method is marked `override` but no parent box has a method of that name and number
of parameters. Probably a misspelling of the parent's method name, or the wrong number
of parameters. The method is still defined."""),
    "N0402": Code("old constructor spelling", """\
`init(...)` and `pack(...)` are older spellings of the constructor that are still
accepted. The modern spelling is `birth(...)`; `init { a, b }` (with braces) still
declares fields."""),
    "N0403": Code("`this` instead of `me`", """\
`this` is accepted as another spelling of `me`, the current instance, as the reference
tokenizer does. Nyash code writes `me`."""),
    "N0404": Code("`&&` or `||` instead of `and` or `or`", """\
`&&` and `||` are accepted as other spellings of `and` and `or`, as the reference
tokenizer does. Nyash code writes the words: `if a > 0 and b > 0 { ... }`."""),
    # ---------------------------------------------------------------- limits
    "N0501": Code("nested too deeply", """\
Blocks, parentheses, calls and unary operators may nest at most 200 levels deep. Deeper
nesting is never needed by hand-written code; split the construct into functions or
local variables."""),
    "N0502": Code("expression too long", """\
One expression may contain at most 1000 operations (`1 + 1 + ...`). Split it using
local variables: `local a = ...` then `local b = a + ...`."""),
    "N0503": Code("`else if` chain too long", """\
An `if ... else if ...` chain may have at most 1000 branches. Use a MapBox lookup or
split the chain into functions."""),
    # ---------------------------------------------------------------- environment
    "N0601": Code("cannot read a file", """\
A source file (or a file it names) could not be read: it does not exist, is a
directory, or is not readable by you. The message gives the system's reason."""),
    "N0602": Code("cannot write an output", """\
An output file or directory could not be written: the directory does not exist or is
not writable, a path component is a regular file, or the file system is read-only.
Nothing half-written is left behind; the previous output, if any, is intact. Choose
another output path (`-o`) or fix the permissions."""),
    "N0603": Code("disk full", """\
The file system ran out of space (or quota) while writing an output. Nothing
half-written is left behind and the previous output is intact. Free some space (for
example `nyash cache prune`) and build again."""),
    "N0604": Code("a required tool is missing", """\
Building an executable needs tools that come with nyash-build's Python dependencies
(PyInstaller, wasmtime) and a few system programs PyInstaller runs (such as `ldd`).
One of them could not be found or started, or it failed. The message names the tool
and how to install it, or quotes the tool's own error line."""),
    "N0605": Code("a system library is missing", """\
A shared library that nyash-build or one of its dependencies loads (for example
wasmtime's `_libwasmtime.so`, or `liblzma`) is missing or cannot be loaded. The message
names it; reinstalling the package that provides it fixes this."""),
    "N0606": Code("invalid project file", """\
`nyash.toml` could not be read or has a key of the wrong type or an unknown key. The
message gives the position and the rule; docs/nyash-toml.md describes every key."""),
    "N0607": Code("unknown app or profile", """\
`nyash build APP` (or `doit build APP`) names an app that nyash.toml does not declare,
or `--profile NAME` (`profile=NAME`) a profile it does not define. The message lists
the ones that exist and suggests the closest. Apps are the `[apps.NAME]` tables;
profiles are `release`, `debug` and every `[profiles.NAME]` table."""),
    "N0608": Code("no C compiler for a part written in C", """\
Two parts of nyash-build are written in C: the launcher every executable starts with,
and runtime parts some builtin methods use (TimeBox.now, for example). An installed
package ships both prebuilt, so no C compiler is needed. In a checkout, or an
installation whose prebuilt files are missing or do not match its C sources, they are
built on first use with the zig C compiler of the `ziglang` package (the launcher also
with gcc), and neither is installed. `pip install ziglang` fixes it; reinstalling
nyash-build from its package brings the prebuilt parts back. A program that needs no
C runtime part still compiles and runs with `nyash run`."""),
    # ---------------------------------------------------------------- raised at run time
    "N0700": Code("runtime error", """\
The program stopped with a runtime error that has no more specific code: for example a
builtin method given the wrong kind of argument (`substring() requires integer
arguments`), a FileBox operation the system refused, or running out of memory. The
message says what happened; `nyash run` shows the line of the innermost Nyash frame.
A runtime error inside a `try` block can be caught with `catch (Error e)`."""),
    "N0701": Code("division by zero", """\
An integer was divided (`/`) or taken modulo (`%`) by the integer 0. Float division
follows IEEE arithmetic instead (`1.0 / 0` is infinity). Test the divisor first
(`if b != 0 { ... }`), or catch the error with `try { ... } catch (Error e) { ... }`."""),
    "N0702": Code("operation not supported for these values", """\
An operator was applied to kinds of values it does not accept, for example
`1 + "a"` (`Addition not supported between IntegerBox and StringBox`: a number on the
left does not convert a string on the right) or `-"a"`. Convert one side first:
`"" + 1 + "a"` or `(1).toString() + "a"` concatenates; `"5".toInteger() + 1` adds."""),
    "N0703": Code("uncaught exception", """\
`throw` raised a value (or a runtime error was rethrown) and no enclosing
`try { ... } catch (Error e) { ... }` caught it, so the program stopped. The message
shows the value as printed (`ErrorBox(message)`); the frames show where it was
thrown. Wrap the call in `try`, or fix the condition that throws."""),
    "N0704": Code("stack overflow", """\
Calls nested too deeply: a recursion that never ends, or one deeper than the stack
allows (at least 10,000 nested Nyash calls always work). Check the recursion's base
case, or turn the recursion into a `loop` with an ArrayBox as the stack."""),
    "N0705": Code("unknown method of a value", """\
A method was called on a value whose kind has no method of that name, for example
`x.push(1)` when `x` holds an integer at that moment. The message names the kind
the value had. When the compiler can tell the kind beforehand it reports N0207 or
N0208 instead; here it only became known while the program ran. Check which value
reaches the call (a function returning something else than expected, a `null`)."""),
    "N0706": Code("field not found or private", """\
A field was read from an object that does not have it (`Field 'NAME' not found in
BOX`): the box and its parents never declare it and nothing assigned it on this
object, often because the variable holds an instance of another box than expected. A
field declared with plain `init` inside a box is private to its methods (`Field 'NAME'
is private in BOX`): read it through a method."""),
    "N0707": Code("value cannot be converted", """\
A conversion such as `new IntegerBox("abc")` received a value that does not represent
the target kind (`Cannot convert 'abc' to integer`). Check the value first, or use the
string methods that answer a default instead (`"abc".toInteger()` gives 0)."""),
    # ---------------------------------------------------------------- bugs
    "N0900": Code("internal compiler error", """\
The compiler failed in a way that is a bug in nyash-build, not a problem with your
program or machine. Set NYASH_DEBUG_COMPILER=1 to see the traceback and please report
it together with the program that triggers it."""),
}


def explain(code: str) -> str | None:
    """The text ``nyash explain CODE`` prints, or None for an unknown code."""
    c = CODES.get(code.strip().upper())
    if c is None:
        return None
    return f"{code.strip().upper()}: {c.title}\n\n{c.explanation}\n"

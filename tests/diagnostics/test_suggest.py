""""Did you mean": every kind of name gets the closest visible candidate, nothing is
offered when no candidate is close, and names that are not visible at the misspelling
(another function's locals, a later declaration, unrelated boxes) are never offered."""
from __future__ import annotations

import pytest

from nyash_build.compiler.driver import check_source
from nyash_build.compiler.codegen import generate
from nyash_build.compiler.infer import infer
from nyash_build.compiler.suggest import closest, distance
from nyash_build.diagnostics import CompileError


def findings(src: str) -> list:
    """Every diagnostic of the program (errors raised, or warnings incl. code generation's)."""
    try:
        info = check_source(src, "s.nyash")
    except CompileError as e:
        return e.diagnostics
    generate(info, infer(info))
    return info.warnings


def suggestion(src: str, code: str) -> str | None:
    """The replacement suggested by the one diagnostic with this code."""
    ds = [d for d in findings(src) if d.code == code]
    assert len(ds) == 1, [(d.code, d.message) for d in findings(src)]
    repl = [s.replacement for s in ds[0].suggestions if s.replacement is not None]
    return repl[0] if repl else None


# ---------------------------------------------------------------- the distance itself
@pytest.mark.parametrize("a, b, d", [
    ("count", "count", 0), ("cout", "count", 1), ("lenght", "length", 1), ("retrun", "return", 1),
    ("abc", "acb", 1), ("kitten", "sitting", 3), ("", "abc", 3),
])
def test_distance(a, b, d):
    assert distance(a, b, 5) == d


def test_closest_prefers_case_then_distance_then_order():
    assert closest("Count", ["cuont", "count"]) == "count"       # case-only first
    assert closest("lenght", ["len", "length", "lengths"]) == "length"
    assert closest("abcd", ["abce", "abcf"]) == "abce"           # earlier (nearer scope) wins ties
    assert closest("xyz", ["abc", "total"]) is None
    assert closest("ab", ["ac"]) is None                         # too short for a typo guess
    assert closest("ab", ["AB"]) == "AB"


# ---------------------------------------------------------------- each kind of name
def test_local_variable():
    assert suggestion("local count = 1\nprint(cout + 1)\n", "N0201") == "count"


def test_parameter():
    assert suggestion("function f(total) {\n return totl\n}\nprint(f(1))\n", "N0201") == "total"


def test_global_variable_from_a_function():
    assert suggestion("counter = 0\nfunction f() {\n return countr\n}\nprint(f())\n", "N0201") == "counter"


def test_static_box_name_as_a_variable():
    assert suggestion("static box Config {\n get() {\n return 1\n }\n}\nprint(Confg.get())\n", "N0201") == "Config"


def test_function():
    assert suggestion("function square(x) {\n return x * x\n}\nprint(sqare(3))\n", "N0202") == "square"


def test_print_misspelled_as_a_function():
    assert suggestion("pritn(1)\n", "N0202") == "print"


def test_keyword_as_a_lone_statement():
    assert suggestion("loop(true) {\n brek\n}\n", "N0114") == "break"
    assert suggestion("function f(x) {\n retrun x\n}\n", "N0114") == "return"


def test_another_languages_keyword():
    assert suggestion("whle x < 3 {\n}\n", "N0114") == "loop"
    assert suggestion("let x = 1\n", "N0114") == "local"


def test_box_name_in_new():
    assert suggestion("box Point {\n}\nlocal p = new Piont()\n", "N0204") == "Point"


def test_builtin_box_name_in_new():
    assert suggestion("local a = new ArayBox()\n", "N0204") == "ArrayBox"


def test_parent_box():
    assert suggestion("box Animal {\n}\nbox Dog from Animl {\n}\n", "N0304") == "Animal"


def test_field_of_me():
    src = "box P {\n init { name }\n birth(n) {\n me.name = n\n }\n show() {\n return me.nmae\n }\n}\n"
    assert suggestion(src, "N0212") == "name"


def test_method_of_a_user_box_on_me():
    src = "box P {\n speak() {\n return 1\n }\n go() {\n return me.speek()\n }\n}\n"
    assert suggestion(src, "N0207") == "speak"


def test_method_of_a_static_box():
    src = "static box Util {\n double(x) {\n return x * 2\n }\n}\nprint(Util.doubel(2))\n"
    assert suggestion(src, "N0207") == "double"


@pytest.mark.parametrize("receiver, typo, fix", [
    ('"abc"', "lenght", "length"), ("new ArrayBox()", "pussh", "push"),
    ("new MapBox()", "sett", "set"), ("new ConsoleBox()", "lg", None),
])
def test_method_of_a_builtin_box(receiver, typo, fix):
    assert suggestion(f"local x = {receiver}\nprint(x.{typo}(1))\n", "N0208") == fix


def test_builtin_methods_come_from_the_runtime_tables():
    """Every method the runtime implements is a candidate (no hand-written list)."""
    from nyash_build.compiler.runtime_lib import runtime_lib
    for name in runtime_lib().methods_of("String"):
        if len(name) >= 4:
            typo = name[:-2] + name[-1] + name[-2]  # swap the last two letters
            if typo != name and typo not in runtime_lib().methods_of("String"):
                assert suggestion(f'local s = "x"\nprint(s.{typo}())\n', "N0208") in runtime_lib().methods_of("String")


def test_method_of_a_parent_through_from():
    src = ("box A {\n hello() {\n return 1\n }\n}\nbox B from A {\n hello() {\n return from A.helo()\n }\n}\n"
           "print(new B().hello())\n")
    assert suggestion(src, "N0211") == "hello"


def test_override_of_a_misspelled_parent_method():
    src = "box A {\n speak() {\n return 1\n }\n}\nbox B from A {\n override speek() {\n return 2\n }\n}\n"
    assert suggestion(src, "N0401") == "speak"


# ---------------------------------------------------------------- nothing close
@pytest.mark.parametrize("src, code", [
    ("local count = 1\nprint(zebra)\n", "N0201"),
    ("function square(x) {\n return x\n}\nprint(cube(1))\n", "N0202"),
    ("local a = new Telescope()\n", "N0204"),
    ('local s = "x"\nprint(s.frobnicate())\n', "N0208"),
])
def test_no_suggestion_when_nothing_is_close(src, code):
    assert suggestion(src, code) is None


# ---------------------------------------------------------------- never across scopes
def test_no_local_of_another_function():
    src = "function a() {\n local total = 1\n return total\n}\nfunction b() {\n return totl\n}\nprint(a() + b())\n"
    assert suggestion(src, "N0201") is None


def test_no_local_declared_later():
    assert suggestion("print(cont)\nlocal count = 1\n", "N0201") is None


def test_no_method_local_in_top_level_code():
    src = "box P {\n go(amount) {\n return amount\n }\n}\nprint(amout)\n"
    assert suggestion(src, "N0201") is None


def test_no_field_of_an_unrelated_box():
    src = ("box Q {\n init { name }\n}\nbox P {\n init { age }\n birth() {\n me.age = 1\n }\n"
           " show() {\n return me.nmae\n }\n}\n")
    assert suggestion(src, "N0212") is None


def test_no_method_of_an_unrelated_box():
    src = "box Q {\n speak() {\n return 1\n }\n}\nbox P {\n go() {\n return me.speek()\n }\n}\n"
    assert suggestion(src, "N0207") is None


def test_keywords_only_where_a_statement_starts():
    assert suggestion("local x = brek\n", "N0201") is None
    assert [d.code for d in findings("local x = brek\n")] == ["N0201"]


# ---------------------------------------------------------------- include paths
def include_suggestion(tmp_path, spec: str) -> str | None:
    """The replacement suggested for ``include "spec"`` in tmp_path/app.nyash, where
    tmp_path holds lib/util.nyash, lib/notes.txt and other/helper.nyash."""
    from nyash_build.compiler.sources import IncludeSettings, load_program
    for name, text in {"lib/util.nyash": "print(1)\n", "lib/notes.txt": "x\n",
                       "other/helper.nyash": "print(2)\n"}.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(text)
    app = tmp_path / "app.nyash"
    app.write_text(f'include "{spec}"\n')
    with pytest.raises(CompileError) as e:
        load_program(app, IncludeSettings(tmp_path))
    (d,) = e.value.diagnostics
    assert d.code == "N0123" and d.col == 9 and d.end_col == 9 + len(spec) + 2  # the quoted path
    return d.suggestions[0].replacement if d.suggestions else None


@pytest.mark.parametrize("spec, fix", [
    ("lib/utl.nyash", '"lib/util.nyash"'),     # the file name
    ("lbi/util.nyash", '"lib/util.nyash"'),    # a directory of the path
    ("lib/util", '"lib/util.nyash"'),          # the extension
    ("lib/zebra.nyash", None),                 # nothing close
    ("lib/note.txt", None),                    # only .nyash files are offered
    ("helpr.nyash", None),                     # other/ is not where the include looks
])
def test_include_path(tmp_path, spec, fix):
    assert include_suggestion(tmp_path, spec) == fix


def test_foreign_words_and_their_help():
    """The line's first word is what was meant as a keyword, even with more words after it."""
    for src, kw, help in [("elif x {\n}\n", "else if", "write `} else if condition {`"),
                          ("for i in items {\n}\n", "loop", "Nyash has no `for`"),
                          ("class Point {\n}\n", "box", ""),
                          ("whle x < 3 {\n}\n", "loop", "`loop(condition) { ... }`")]:
        (d,) = findings(src)
        assert (d.code, d.col, d.suggestions[0].replacement) == ("N0114", 1, kw), src
        assert help in d.help


def test_short_names_are_not_taken_for_foreign_keywords():
    # `foo` is one edit from `for` and `bar` from `var`: too short to guess
    assert [(d.code, d.col) for d in findings("foo bar {\n}\n")] == [("N0110", 9)]


@pytest.mark.parametrize("src, fix", [
    ("local done = ture\n", "true"), ("local x = Null\n", "null"), ("local x = flase\n", "false"),
    ("local x = None\n", "null"), ("local x = nil\n", "null"),
    ("box B {\n f() {\n return self\n }\n}\n", "me"),
])
def test_value_keywords(src, fix):
    assert suggestion(src, "N0201") == fix


def test_me_only_inside_a_method():
    assert suggestion("local x = self\n", "N0201") is None


@pytest.mark.parametrize("src, help", [
    ("local n = 1\nn += 1\n", "Nyash has no `+=`: write `x = x + value`"),
    ("local n = 1\nn++\n", "Nyash has no `++`: write `x = x + 1`"),
    ("local n = 1\nif n = 1 {\n}\n", "to compare two values, write `==`"),
    ("local n = 1\nloop(n = 1) {\n}\n", "to compare two values, write `==`"),
])
def test_operators_nyash_does_not_have(src, help):
    (d,) = findings(src)
    assert d.code == "N0110" and d.help == help


def test_method_of_a_user_box_through_a_local():
    src = "box Dog {\n speak() {\n return 1\n }\n}\nlocal d = new Dog()\nprint(d.speek())\n"
    assert suggestion(src, "N0207") == "speak"


def test_no_unknown_method_where_every_instance_or_a_builtin_part_answers():
    src = ("box Dog {\n speak() {\n return 1\n }\n}\nbox Name from StringBox {\n}\n"
           "local d = new Dog()\nprint(d.toString())\nd.fini()\nlocal n = new Name()\nprint(n.length())\n")
    assert [d.code for d in findings(src)] == []


def test_no_method_of_another_box_through_a_local():
    src = ("box Cat {\n speek() {\n return 1\n }\n}\nbox Dog {\n bark() {\n return 1\n }\n}\n"
           "local d = new Dog()\nprint(d.speak())\n")
    assert suggestion(src, "N0207") is None

#!/usr/bin/env python3
"""Fails when an #include in src/ runs against the architecture's arrows, or
when SQL is written outside src/db/.

Each folder of src/ is one layer; a layer may include its own headers and those
of the layers listed for it below, nothing else. The engines' client libraries
are held to the one layer that wraps them, so SQL drivers, Redis and Beast never
leak upwards. Tests beside the code (*_test.cpp) obey the same arrows and may
also use tests/support/.

This table is the README's "What is where" in a form that can fail: change the
arrows here and there together.

SQL belongs to the repositories of db/: a string literal of a production file
(not *_test.cpp) outside src/db/ that starts like a statement (SELECT, INSERT
INTO, UPDATE t SET, DELETE FROM, WITH x AS; upper case, as our SQL is written)
is an error. Comments are not looked at.

Before checking SRC_DIR the script checks itself on small trees written to a
temporary folder (a planted violation of each kind must fail, a clean tree must
pass), so a check that has stopped finding anything fails too.

    tests/layering_check.py [SRC_DIR]      (ctest: layering)
"""
import pathlib
import re
import sys
import tempfile

LAYERS = {
    "base": set(),
    "domain": {"base"},
    "db": {"domain", "base"},
    "cache": {"base"},
    "service": {"domain", "db", "cache", "base"},
    "http": {"service", "domain", "base"},
    "web": {"http", "service", "domain", "base"},
    "cli": {"web", "http", "service", "domain", "base"},
}
ENTRY_POINTS = {"main.cpp": {"cli"}}  # files directly in src/

# Third-party headers that only one layer may include (prefix of the include path).
ENGINE_HEADERS = {
    "sqlite3.h": "db",
    "libpq-fe.h": "db",
    "hiredis/": "cache",
    "boost/beast": "http",
    "zlib.h": "service",
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)

# The layer whose files may hold SQL.
SQL_LAYER = "db"
# SELECT needs a select list after it: Redis's SELECT command (cache/) is a lone word.
SQL_START = re.compile(r"^\s*(SELECT\s+\S|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|WITH\s+\w+\s+AS\b)")
# A C++ token that matters here: a comment, a raw string, a string or a character literal.
TOKEN = re.compile(r'''
    //[^\n]*                                   # line comment
  | /\*.*?\*/                                  # block comment
  | (?:u8|[uUL])?R"(?P<delim>[^()\\\s]{0,16})\((?P<raw>.*?)\)(?P=delim)"   # raw string
  | (?:u8|[uUL])?"(?P<str>(?:[^"\\\n]|\\.)*)"   # string
  | '(?:[^'\\\n]|\\.)*'                       # character
''', re.S | re.X)


def sql_literals(text: str):
    """(line, literal) of each string literal of `text` that starts like SQL.
    Adjacent literals ("SELECT " "id FROM x") are one, as the compiler sees them."""
    literals = []  # [start, end, text]
    for m in TOKEN.finditer(text):
        literal = m.group("raw") if m.group("raw") is not None else m.group("str")
        if literal is None:
            continue
        if literals and not text[literals[-1][1]:m.start()].strip():
            literals[-1][1] = m.end()
            literals[-1][2] += literal
        else:
            literals.append([m.start(), m.end(), literal])
    for start, _, literal in literals:
        if SQL_START.search(literal):
            yield text.count("\n", 0, start) + 1, literal


def check(src: pathlib.Path) -> list[str]:
    errors = []
    files = sorted(p for p in src.rglob("*") if p.suffix in (".cpp", ".hpp", ".h"))
    if not files:
        return [f"no sources under {src}"]
    for path in files:
        rel = path.relative_to(src)
        if len(rel.parts) == 1:
            layer, allowed = None, ENTRY_POINTS.get(rel.name)
            if allowed is None:
                errors.append(f"{rel}: a file directly in src/ that is not an entry point")
                continue
        else:
            layer = rel.parts[0]
            if layer not in LAYERS:
                errors.append(f"{rel}: folder '{layer}' is not a layer of tests/layering_check.py")
                continue
            allowed = LAYERS[layer] | {layer}
        is_test = path.name.endswith("_test.cpp")
        text = path.read_text(encoding="utf-8")
        if layer != SQL_LAYER and not is_test:
            for line, literal in sql_literals(text):
                errors.append(f"{rel}:{line}: SQL outside {SQL_LAYER}/ (\"{literal[:40]}...\"): "
                              f"move it into a repository of src/{SQL_LAYER}/")
        for m in INCLUDE.finditer(text):
            quote, target = m.group(1), m.group(2)
            line = text.count("\n", 0, m.start()) + 1
            if quote == '"':
                top = target.split("/", 1)[0] if "/" in target else None
                if top is None:
                    errors.append(f"{rel}:{line}: include \"{target}\" without its layer folder")
                elif top == "support" and is_test:
                    continue
                elif top not in allowed:
                    errors.append(f"{rel}:{line}: {layer or rel.name} may not include {target} "
                                  f"({layer or rel.name} uses {', '.join(sorted(allowed)) or 'nothing'})")
            else:
                for prefix, owner in ENGINE_HEADERS.items():
                    if target.startswith(prefix) and layer != owner:
                        errors.append(f"{rel}:{line}: <{target}> belongs to {owner}/ only")
    return errors


# (files of a tree, the number of errors check() must find in it)
SELF_TESTS = [
    ({"db/a.hpp": '#include "domain/b.hpp"\n', "domain/b.hpp": "",
      "service/c.cpp": '// SELECT id FROM shift: a comment\nauto s = "Select a home";\n'
                       'auto t = "SELECTED"; /* "DELETE FROM x" */\n',
      "service/c_test.cpp": 'auto q = "SELECT 1";\n',
      "cache/r.cpp": 'cmd = {"SELECT", "2"};\n',
      "db/d.cpp": 'auto q = "SELECT id FROM unit";\nauto u = R"(UPDATE x SET y = 1)";\n'}, 0),
    ({"db/a.hpp": '#include "service/c.hpp"\n', "service/c.hpp": ""}, 1),
    ({"http/e.cpp": '#include <sqlite3.h>\n'}, 1),
    ({"service/w.cpp": 'Exec("SELECT id FROM shift WHERE id = ?", {id});\n'}, 1),
    ({"service/w.cpp": 'Exec("  INSERT INTO shift (id) VALUES (?)");\n'}, 1),
    ({"web/w.cpp": 'q = "UPDATE shift SET staff_id = NULL "\n    "WHERE id = ?";\n'}, 1),
    ({"cli/w.cpp": 'q = "DELETE FROM staff";\n', "service/x.cpp": 'q = R"sql(WITH w AS (SELECT 1) SELECT 2)sql";\n'}, 2),
    ({"service/w.cpp": "char c = '\"'; auto q = \"SELECT 1\";\n"}, 1),
    ({"service/w.cpp": 'q = "SELECT "\n    "id FROM shift";\n'}, 1),
]


def self_test() -> list[str]:
    failures = []
    for i, (files, expected) in enumerate(SELF_TESTS):
        with tempfile.TemporaryDirectory() as tmp:
            root = pathlib.Path(tmp)
            for rel, text in files.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text, encoding="utf-8")
            found = check(root)
            if len(found) != expected:
                failures.append(f"self-test {i}: expected {expected} error(s), found {len(found)}: {found}")
    return failures


def main() -> int:
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "src")
    failures = self_test()
    for f in failures:
        print(f, file=sys.stderr)
    if failures:
        print("layering: the check itself is broken (its self-test failed)", file=sys.stderr)
        return 1
    errors = check(src)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"layering: {len(errors)} include(s) against the arrows or SQL outside {SQL_LAYER}/", file=sys.stderr)
        return 1
    print(f"layering: every include of {src} follows the arrows and its SQL is in {SQL_LAYER}/ "
          f"(self-test: {len(SELF_TESTS)} planted trees)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

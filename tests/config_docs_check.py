#!/usr/bin/env python3
"""Fails when a document's configuration table is not the one the schema makes.

The settings are one table in src/base/config.cpp (kSettings); `rota config
--markdown` prints it. A document holds that table between the lines

    <!-- config-table: made by `rota config --markdown`; ctest config_docs checks it -->
    <!-- /config-table -->

and this check compares the two. The README must have the table; every other
document named may hold it too, and may not hold a hand-written copy (a row that
starts "| `[server]" outside the markers). After adding or changing a setting,
--write puts the new table in place.

    tests/config_docs_check.py ROTA_BINARY README.md [OTHER.md...] [--write]   (ctest: config_docs)
"""
import difflib
import pathlib
import re
import subprocess
import sys

BEGIN = "<!-- config-table: made by `rota config --markdown`; ctest config_docs checks it -->"
END = "<!-- /config-table -->"
HAND_ROW = re.compile(r"^\| `\[(server|database|cache|cache\.aliases|auth|log)\]", re.M)


def main(argv):
    write = "--write" in argv
    args = [a for a in argv[1:] if a != "--write"]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary, docs = args[0], [pathlib.Path(d) for d in args[1:]]
    table = subprocess.run([binary, "config", "--markdown"], check=True, capture_output=True, text=True).stdout
    failures = 0
    for i, doc in enumerate(docs):
        text = doc.read_text()
        start, end = text.find(BEGIN), text.find(END)
        if start < 0 or end < start:
            if i == 0:
                print(f"{doc}: no configuration table between\n  {BEGIN}\n  {END}")
                failures += 1
            elif HAND_ROW.search(text):
                print(f"{doc}: a hand-written configuration table; use the markers and `rota config --markdown`")
                failures += 1
            continue
        inside = text[start + len(BEGIN):end].strip("\n") + "\n"
        outside = text[:start] + text[end:]
        if HAND_ROW.search(outside):
            print(f"{doc}: a configuration row outside the generated table")
            failures += 1
        if inside == table:
            continue
        if write:
            doc.write_text(text[:start + len(BEGIN)] + "\n" + table + text[end:])
            print(f"{doc}: table rewritten")
            continue
        print(f"{doc}: the configuration table differs from `rota config --markdown` "
              f"(tests/config_docs_check.py ROTA_BINARY {' '.join(map(str, docs))} --write puts it right):")
        sys.stdout.writelines(difflib.unified_diff(inside.splitlines(True), table.splitlines(True),
                                                   f"{doc}", "rota config --markdown"))
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

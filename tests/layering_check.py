#!/usr/bin/env python3
"""Fails when an #include in src/ runs against the architecture's arrows.

Each folder of src/ is one layer; a layer may include its own headers and those
of the layers listed for it below, nothing else. The engines' client libraries
are held to the one layer that wraps them, so SQL drivers, Redis and Beast never
leak upwards. Tests beside the code (*_test.cpp) obey the same arrows and may
also use tests/support/.

This table is the README's "What is where" in a form that can fail: change the
arrows here and there together.

    tests/layering_check.py [SRC_DIR]      (ctest: layering)
"""
import pathlib
import re
import sys

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
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


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


def main() -> int:
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "src")
    errors = check(src)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f"layering: {len(errors)} include(s) against the arrows", file=sys.stderr)
        return 1
    print(f"layering: every include of {src} follows the arrows")
    return 0


if __name__ == "__main__":
    sys.exit(main())

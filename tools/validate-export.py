#!/usr/bin/env python3
"""Checks an exported corpus (sealcheck export) with tools independent of sealcheck:
every vector file validates against the exported schema with Python's jsonschema, says the
release's corpus_version, and SHA256SUMS lists every other file (sha256sum -c checks the
hashes; this checks that nothing is left out).

Usage: python3 tools/validate-export.py DIR   (needs the jsonschema package)
"""
import importlib.metadata
import json
import pathlib
import sys

import jsonschema


def main(root: pathlib.Path) -> int:
    version = (root / "VERSION").read_text().strip()
    schema = json.loads((root / "schema" / "vectors.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    jsonschema.Draft202012Validator.check_schema(schema)
    problems = []
    files = sorted(p for p in root.rglob("*") if p.is_file())
    listed = {line.split("  ", 1)[1] for line in (root / "SHA256SUMS").read_text().splitlines()}
    rel = {p.relative_to(root).as_posix() for p in files} - {"SHA256SUMS"}
    if listed != rel:
        problems.append(f"SHA256SUMS lists {sorted(listed ^ rel)} differently from the directory")
    vectors = 0
    checked = 0
    for path in files:
        name = path.relative_to(root).as_posix()
        if path.suffix != ".json" or name.startswith("schema/"):
            continue
        doc = json.loads(path.read_text())
        for error in validator.iter_errors(doc):
            problems.append(f"{name}: {error.message} (at {list(error.absolute_path)})")
        if doc.get("corpus_version") != version:
            problems.append(f"{name}: corpus_version {doc.get('corpus_version')!r}, VERSION says {version}")
        vectors += len(doc.get("tests", []))
        checked += 1
    for p in problems[:50]:
        print(p)
    print(f"corpus {version}: {checked} files, {vectors} vectors, {len(problems)} problems "
          f"(jsonschema {importlib.metadata.version('jsonschema')})")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(pathlib.Path(sys.argv[1])))

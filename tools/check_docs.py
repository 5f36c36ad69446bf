"""Every public declaration of the libraries has documentation, as DocC shows it.

Reads the symbol graphs `swift package generate-documentation` extracted (.build/*/extracted-symbols)
and lists each public symbol declared in Sources/ that has no doc comment of its own and does not
inherit one from a documented protocol requirement (DocC shows the requirement's documentation for
it). Symbols Swift synthesizes (Equatable's `!=`, RawRepresentable's `init(rawValue:)`, ...) have no
location in our sources and are not ours to document. Exit 1 with one line per undocumented symbol.

  RNNKIT_DOCS=1 swift package generate-documentation --target KerasFormat
  python3 tools/check_docs.py HDF5 RecurrentLayers KerasFormat
"""

import glob
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main(modules):
    symbols, documented, origins, locations = {}, set(), {}, {}
    for module in modules:
        graphs = glob.glob(str(ROOT / f".build/*/extracted-symbols/*/{module}/*.symbols.json"))
        if not graphs:
            sys.exit(f"no symbol graph for {module}: run generate-documentation for it first")
        for path in graphs:
            graph = json.loads(pathlib.Path(path).read_text())
            for symbol in graph["symbols"]:
                identifier = symbol["identifier"]["precise"]
                if symbol.get("docComment", {}).get("lines"):
                    documented.add(identifier)
                location = symbol.get("location")
                if location and symbol.get("accessLevel") in ("public", "open"):
                    symbols[identifier] = symbol
                    locations[identifier] = location
            for relation in graph["relationships"]:
                if relation.get("sourceOrigin"):
                    origins[relation["source"]] = relation["sourceOrigin"]["identifier"]
                elif relation["kind"] == "defaultImplementationOf":
                    origins[relation["source"]] = relation["target"]
    missing = []
    for identifier, symbol in symbols.items():
        if identifier in documented or origins.get(identifier) in documented:
            continue
        location = locations[identifier]
        file = location["uri"].removeprefix("file://").removeprefix(str(ROOT) + "/")
        missing.append(f"{file}:{location['position']['line'] + 1}: {'.'.join(symbol['pathComponents'])} has no documentation")
    for line in sorted(missing):
        print(line)
    print(f"{len(symbols)} public declarations in {', '.join(modules)}; {len(missing)} without documentation")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["HDF5", "RecurrentLayers", "KerasFormat"]))

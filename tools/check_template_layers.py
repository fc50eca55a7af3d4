"""Templates follow the apps' dependency order too: a template may {% load %} a tag
library only from its own app or a lower layer. The order is the import-linter layers
contract in pyproject.toml (`make lint` runs both). Exits 1 and names each offending
template and library.

    python tools/check_template_layers.py [project root]
"""

import re
import sys
import tomllib
from pathlib import Path

LOAD = re.compile(r"{%\s*load\s+(.+?)\s*%}")


def layer_order(root: Path) -> dict[str, tuple[int, int]]:
    """Per app: (layer, position within the layer), from the layers contract; 0 is the
    bottom layer. Apps in one layer ('a | b') are independent of each other."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [
        contract
        for contract in config["tool"]["importlinter"]["contracts"]
        if contract["type"] == "layers"
    ]
    order = {}
    for level, layer in enumerate(reversed(contract["layers"])):
        for position, app in enumerate(name.strip() for name in re.split(r"[|:]", layer)):
            order[app] = (level, position)
    return order


def libraries(root: Path, apps) -> dict[str, str]:
    """Tag library name -> the app that defines it."""
    return {
        path.stem: app
        for app in apps
        for path in (root / app / "templatetags").glob("*.py")
        if path.stem != "__init__"
    }


def loaded_libraries(text: str) -> list[str]:
    names = []
    for tag in LOAD.findall(text):
        words = tag.split()
        # {% load name1 name2 from library %} loads from one library.
        names += [words[-1]] if "from" in words else words
    return names


def violations(root: Path) -> list[str]:
    order = layer_order(root)
    owner = libraries(root, order)
    found = []
    for app in order:
        for template in sorted((root / app).rglob("templates/**/*.html")):
            for library in loaded_libraries(template.read_text(encoding="utf-8")):
                other = owner.get(library)
                if other is None or other == app:
                    continue
                (level, _), (other_level, _) = order[app], order[other]
                if other_level >= level:
                    found.append(
                        f"{template.relative_to(root)}: loads {library} from {other}, "
                        f"which is not below {app}"
                    )
    return found


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    found = violations(root)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

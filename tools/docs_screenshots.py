"""Refresh the screenshots of docs/lms-integration.md (`make docs-screenshots`).

Runs the browser test that makes them, tests/e2e/test_lms_docs_screenshots.py (which
checks each page as it goes), into a screenshot folder of its own, then copies its
pictures for the guide (the folder's docs-lms/) into docs/images/lms/, reduced to at most
256 colours so that they stay small in the repository. The ordinary test run writes its
pictures under test-results/ and never into docs/.

Extra arguments go to pytest. DATABASE_URL as for the tests (the Makefile sets it)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
TEST = "tests/e2e/test_lms_docs_screenshots.py"
TARGET = ROOT / "docs" / "images" / "lms"


def copy_small(source: Path, target: Path) -> None:
    with Image.open(source) as image:
        palette = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        palette.save(target, optimize=True)


def main(pytest_args: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "SIGNAAL_SCREENSHOTS": folder, "SIGNAAL_REQUIRE_BROWSER": "1"}
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", TEST, *pytest_args]
        # The arguments are the caller's own (as when they run pytest themselves).
        if subprocess.run(command, cwd=ROOT, env=env, check=False).returncode != 0:  # noqa: S603
            print("The test failed; docs/images/lms/ is left as it was.", file=sys.stderr)
            return 1
        pictures = sorted((Path(folder) / "docs-lms").glob("*.png"))
        if not pictures:
            print("The test made no pictures.", file=sys.stderr)
            return 1
        TARGET.mkdir(parents=True, exist_ok=True)
        for picture in pictures:
            copy_small(picture, TARGET / picture.name)
            size = (TARGET / picture.name).stat().st_size // 1024
            print(f"docs/images/lms/{picture.name} ({size} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

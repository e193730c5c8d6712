"""Update the bundled ts-fsrs (the handout's scheduler) from the npm registry.

    python deckgen/assets/update-ts-fsrs.py 5.4.2

Runs `npm pack ts-fsrs@VERSION`, takes its built browser file (dist/index.umd.js) and its
licence, and writes them beside this script as ts-fsrs.js (a header records the version and
the package's sha512, the source map comment is dropped: the page is offline) and
ts-fsrs.LICENSE. The handout inlines ts-fsrs.js, so a handout stays one file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def update(version: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        out = subprocess.run(["npm", "pack", f"ts-fsrs@{version}", "--json"], cwd=work, check=True,
                             capture_output=True, text=True).stdout
        info = json.loads(out)[0]
        with tarfile.open(Path(work) / info["filename"]) as tar:
            built = tar.extractfile("package/dist/index.umd.js").read().decode("utf-8")
            licence = tar.extractfile("package/LICENSE").read().decode("utf-8")
    if f'const version="{info["version"]}";' not in built:
        sys.exit(f"ts-fsrs {info['version']}: its built file does not carry that version")
    body = "\n".join(line for line in built.splitlines() if not line.startswith("//# sourceMappingURL="))
    if "</script" in body.lower():
        sys.exit("ts-fsrs: the built file holds '</script', it cannot be inlined")
    header = (f"/*! ts-fsrs {info['version']} (MIT licence: ts-fsrs.LICENSE), "
              f"npm {info['integrity']}; updated by update-ts-fsrs.py */\n")
    (HERE / "ts-fsrs.js").write_text(header + body.rstrip() + "\n", encoding="utf-8")
    (HERE / "ts-fsrs.LICENSE").write_text(licence, encoding="utf-8")
    print(f"ts-fsrs {info['version']} -> {HERE / 'ts-fsrs.js'}")


if __name__ == "__main__":
    update(sys.argv[1] if len(sys.argv) > 1 else "latest")

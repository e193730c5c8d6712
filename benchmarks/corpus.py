"""Read every document of the corpus (benchmarks/corpus.toml) and print, per document: its true
question count, the cards deckgen read, the coverage, what was left out, and the time.

    python benchmarks/corpus.py FOLDER [--markdown]

FOLDER holds the documents at the paths the manifest's `file` fields give. A document is read
right when its card count is within 2% of the true count, no answer holds page chrome (a
back-to-top link, a "Show answer" label, a table of contents), it builds (no error from the
checks: an empty answer is one) and the manifest names no known misreading for it (`misread`: what
the card count does not show, such as a quiz's code read onto the answer side). Unanswered questions are left out
only by `deckgen import`; a source in source/ keeps them (and reports each), so the count is
compared with the true count either way. A document not in UTF-8 is decoded as `deckgen import`
decodes it (a source in source/ must be UTF-8).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from deckgen.config import Settings
from deckgen.errors import DeckgenError
from deckgen.importing import as_utf8
from deckgen.readers import read_source
from deckgen.validate import validate

MANIFEST = Path(__file__).with_name("corpus.toml")
# a line that is only a link back or a label, an arrow up, or an accordion's markup
CHROME_IN_ANSWER = re.compile(r"^\W*(?:back to top|show answer|table of contents)\W*$|⬆|<details|<summary",
                              re.IGNORECASE | re.MULTILINE)


def read_one(path: Path) -> dict:
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory() as tmp:  # a legacy encoding, decoded as `deckgen import` does
            readable, _ = as_utf8(path, Path(tmp), path.name)
            deck = read_source(readable, path.name, 50_000_000)
    except DeckgenError as err:
        return {"error": str(err.message if hasattr(err, "message") else err), "seconds": time.perf_counter() - started}
    seconds = time.perf_counter() - started
    chrome = [c.label for c in deck.cards if CHROME_IN_ANSWER.search(c.answer_text)]
    found = [d.code for d in validate(deck, Settings()) if d.severity == "error"]
    coverage = deck.coverage
    return {
        "cards": len(deck.cards),
        "shape": deck.shape,
        "coverage": coverage.line() if coverage is not None else "",
        "share": coverage.share if coverage is not None else None,
        "chrome": chrome,
        "errors": found,
        "seconds": seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    parser.add_argument("--only", default="", help="only files whose name contains this")
    args = parser.parse_args()
    docs = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["doc"]
    rows, right = [], 0
    for doc in docs:
        if args.only and args.only not in doc["file"]:
            continue
        path = args.folder / doc["file"]
        if not path.exists():
            rows.append((doc["file"], doc["true_count"], "missing", "", "", "", ""))
            continue
        got = read_one(path)
        true = doc["true_count"]
        if "error" in got:
            rows.append((doc["file"], true, "error", "", got["error"][:90], f"{got['seconds']:.2f}", "no"))
            continue
        # a question the document leaves unanswered is an empty answer (DG007) in a source too
        errors = len(got["errors"]) - min(got["errors"].count("DG007"), doc.get("unanswered", 0))
        within = abs(got["cards"] - true) <= 0.02 * true and not got["chrome"] and not errors and not doc.get("misread")
        right += within
        share = f"{round(100 * got['share'])}%" if got["share"] is not None else ""
        left = got["coverage"].split("left out: ", 1)[1] if "left out: " in got["coverage"] else ""
        if got["chrome"]:
            left = f"CHROME IN {len(got['chrome'])} ANSWERS; " + left
        if errors:
            left = f"{errors} ERRORS (builds nothing); " + left
        if doc.get("misread"):
            left = f"MISREAD: {doc['misread']}; " + left
        rows.append((doc["file"], true, got["cards"], share, left[:110], f"{got['seconds']:.2f}",
                     "yes" if within else "no"))
    header = ("document", "true", "read", "in cards", "left out", "s", "right")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("| --- | ---: | ---: | ---: | --- | ---: | --- |")
        for row in rows:
            print("| " + " | ".join(str(x).replace("|", "\\|") for x in row) + " |")
    else:
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        widths[4] = min(widths[4], 60)
        for row in [header, *rows]:
            print("  ".join(str(x)[:widths[i]].ljust(widths[i]) for i, x in enumerate(row)))
    print(f"\n{right} of {len(rows)} documents read right: within 2% of their true count, no chrome in an "
          "answer, no error, no known misreading")
    return 0


if __name__ == "__main__":
    sys.exit(main())

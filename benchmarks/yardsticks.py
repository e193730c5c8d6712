"""deckgen against other tools doing the same work, measured side by side in one run (issue 26):

- the Anki deck: `deckgen build --format apkg` into a fresh output folder against ankdown (PyPI)
  making its .apkg from the same 1,000 varied Markdown cards (benchmarks/ankdown_syntax.py
  converts deckgen's Markdown into ankdown's syntax). Target: deckgen at most ankdown's time.
- the cheat sheet: `deckgen build --format cheatsheet --no-cache` against pandoc (Markdown ->
  standalone HTML) + WeasyPrint with a comparable 3-column, 7.5 pt stylesheet
  (benchmarks/pandoc-cheatsheet.css). Target: at most 0.8x.
- `deckgen --help` (target under 0.1 s) and `deckgen check` on a 500 KB document (under 0.5 s).

Paired runs: each round runs deckgen and the yardstick back to back, the order alternating, and
the medians are compared (wall seconds; CPU seconds alongside, since a shared machine's load
moves wall time more than CPU time). Timing never fails anything: this is not a test.

    python benchmarks/yardsticks.py                 # 5 rounds
    python benchmarks/yardsticks.py --runs 3 --json /tmp/yardsticks.json

Needs ankdown (`pip install -e '.[bench]'`) and pandoc (`apt-get install pandoc`); a yardstick
whose tool is missing is reported as not measured.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ankdown_syntax import convert as to_ankdown  # noqa: E402
from bench import measure, varied  # noqa: E402

STYLESHEET = HERE / "pandoc-cheatsheet.css"
DECKGEN = [sys.executable, "-m", "deckgen"]
PANDOC_WEASYPRINT = """
import subprocess, sys, weasyprint
source, css, html, pdf = sys.argv[1:5]
subprocess.run(["pandoc", source, "-f", "markdown", "-t", "html5", "-s", "--section-divs",
                "--metadata", "pagetitle=deck", "-c", css, "-o", html], check=True)
weasyprint.HTML(html).write_pdf(pdf)
"""
TARGETS = {"apkg": 1.0, "cheatsheet": 0.8, "help": 0.1, "check": 0.5}


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 3)


def _summary(runs: list[dict]) -> dict:
    return {"wall_s": _median(runs, "wall_s"), "cpu_s": _median(runs, "cpu_s"),
            "runs_wall_s": [r["wall_s"] for r in runs], "pages": runs[0]["pages"]}


def project(work: Path, cards: int = 1000) -> Path:
    """A deckgen project of `cards` varied cards as a Markdown source (source/deck.md, written by
    `deckgen convert` from the benchmark's text generator), with its ids file already made."""
    folder = work / f"md-{cards}"
    (folder / "source").mkdir(parents=True)
    text = folder / "deck.txt"
    text.write_text(varied(cards), encoding="utf-8")
    subprocess.run(DECKGEN + ["convert", str(text), "-o", "source/deck.md"], cwd=folder, check=True,
                   capture_output=True)
    subprocess.run(DECKGEN + ["build", "--format", "apkg", "-o", "warm"], cwd=folder, check=True,
                   capture_output=True)  # the ids file, as a project has it
    return folder


def paired(rounds: int, deckgen, yardstick) -> tuple[dict, dict]:
    ours, theirs = [], []
    for n in range(rounds):
        if n % 2:
            theirs.append(yardstick(n))
            ours.append(deckgen(n))
        else:
            ours.append(deckgen(n))
            theirs.append(yardstick(n))
    return _summary(ours), _summary(theirs)


def apkg(folder: Path, rounds: int) -> dict:
    if importlib.util.find_spec("ankdown") is None:
        return {"skipped": "ankdown is not installed (pip install -e '.[bench]')"}
    cards = folder / "ankdown" / "deck"
    cards.mkdir(parents=True)
    (cards / "deck.md").write_text(to_ankdown((folder / "source" / "deck.md").read_text(encoding="utf-8")),
                                   encoding="utf-8")
    ours, theirs = paired(
        rounds,
        lambda n: measure(DECKGEN + ["build", "--format", "apkg", "-o", f"apkg-{n}"], folder),
        lambda n: measure([sys.executable, "-m", "ankdown.ankdown", "-r", str(cards), "-p",
                           str(folder / "ankdown" / f"deck-{n}.apkg")], folder))
    return {"deckgen": ours, "yardstick": theirs, "yardstick_name": "ankdown", "target": TARGETS["apkg"]}


def cheatsheet(folder: Path, rounds: int) -> dict:
    if shutil.which("pandoc") is None:
        return {"skipped": "pandoc is not installed (apt-get install pandoc)"}
    ours, theirs = paired(
        rounds,
        lambda n: measure(DECKGEN + ["build", "--format", "cheatsheet", "--no-cache", "-o", f"cheatsheet-{n}"],
                          folder),
        lambda n: measure([sys.executable, "-c", PANDOC_WEASYPRINT, "source/deck.md", str(STYLESHEET),
                           f"pandoc-{n}.html", f"pandoc-{n}.pdf"], folder))
    theirs["pages"] = _pages(folder / f"pandoc-{rounds - 1}.pdf")
    return {"deckgen": ours, "yardstick": theirs, "yardstick_name": "pandoc + WeasyPrint",
            "target": TARGETS["cheatsheet"]}


def _pages(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as document:
        return len(document.pages)


def help_and_check(work: Path, rounds: int) -> dict:
    folder = work / "check-500k"
    (folder / "source").mkdir(parents=True)
    cards = 1000
    text = varied(cards)
    cards = cards * 500_000 // len(text.encode()) + 1
    while len((text := varied(cards)).encode()) < 500_000:
        cards += 20
    (folder / "source" / "deck.txt").write_text(text, encoding="utf-8")
    help_runs = [measure(DECKGEN + ["--help"], work) for _ in range(rounds)]
    check_runs = [measure(DECKGEN + ["check"], folder) for _ in range(rounds)]
    return {"help": {"deckgen": _summary(help_runs), "best_s": min(r["wall_s"] for r in help_runs),
                     "target": TARGETS["help"]},
            "check": {"deckgen": _summary(check_runs), "best_s": min(r["wall_s"] for r in check_runs),
                      "target": TARGETS["check"], "bytes": len(text.encode()), "cards": cards}}


def run(rounds: int = 5, work: Path | None = None) -> dict:
    own = work is None
    work = work or Path(tempfile.mkdtemp(prefix="deckgen-yardsticks-"))
    try:
        folder = project(work)
        result = {"rounds": rounds, "apkg": apkg(folder, rounds), "cheatsheet": cheatsheet(folder, rounds)}
        result.update(help_and_check(work, rounds))
        return result
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def print_table(result: dict) -> None:
    print(f"\nYardsticks: 1,000 varied Markdown cards, {result['rounds']} paired rounds, medians "
          "(wall s, CPU s in brackets)")
    header = (f"{'what':<34} {'deckgen s':>14} {'yardstick':<20} {'yardstick s':>14} {'ratio':>6} "
              f"{'cpu ratio':>9} {'target':>8}  verdict")
    print(header)
    print("-" * len(header))
    for key, what in (("apkg", "apkg, fresh output folder"), ("cheatsheet", "cheat sheet, --no-cache")):
        row = result[key]
        if "skipped" in row:
            print(f"{what:<34} not measured: {row['skipped']}")
            continue
        ours, theirs = row["deckgen"], row["yardstick"]
        ratio = ours["wall_s"] / theirs["wall_s"]
        cpu = ours["cpu_s"] / theirs["cpu_s"]
        verdict = "met" if ratio <= row["target"] else f"missed by {ratio / row['target'] - 1:.0%}"
        print(f"{what:<34} {ours['wall_s']:>6.2f} ({ours['cpu_s']:>5.2f}) {row['yardstick_name']:<20} "
              f"{theirs['wall_s']:>6.2f} ({theirs['cpu_s']:>5.2f}) {ratio:>5.2f}x {cpu:>8.2f}x "
              f"{'<= ' + format(row['target'], '.1f') + 'x':>8}  {verdict}")
    for key, what in (("help", "deckgen --help"),
                      ("check", f"deckgen check, {result['check']['bytes'] // 1000} KB")):
        row = result[key]
        wall = row["deckgen"]["wall_s"]
        verdict = "met" if wall < row["target"] else f"missed by {wall / row['target'] - 1:.0%}"
        print(f"{what:<34} {wall:>6.2f} ({row['deckgen']['cpu_s']:>5.2f}) {'(best ' + format(row['best_s'], '.2f') + ' s)':<20} "
              f"{'':>14} {'':>6} {'':>9} {'< ' + format(row['target'], '.1f') + ' s':>8}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="paired rounds (default 5)")
    parser.add_argument("--json", help="also write the result here")
    options = parser.parse_args()
    result = run(options.runs)
    print_table(result)
    if options.json:
        Path(options.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""deckgen's benchmark: wall time, CPU time, peak memory and pages for every output format and a
full build, on the RNN document and on synthetic decks of 1,000 and 10,000 cards; plus the floor
(WeasyPrint laying out the same text as one plain column) and the cheat sheet's ratio to it.

    python benchmarks/bench.py                 # all sizes (10,000 cards takes minutes)
    python benchmarks/bench.py --sizes rnn,1000
    python benchmarks/bench.py --json benchmarks/results.json

Prints a table and writes it as JSON. Timing never fails anything: this is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RNN = ROOT / "source" / "rnn-interview-questions.txt"
FORMATS = ("apkg", "cheatsheet", "cards", "html")
WORDS = ("network sequence gradient hidden state memory attention layer training model input output "
         "encoder decoder recurrent vector loss weight batch token embedding dropout signal step time "
         "long short term dependency parameter unit gate cell forward backward update reset").split()


def synthetic(cards: int, seed: int = 7) -> str:
    """A deterministic Q&A text document shaped like the RNN one: a title, 10 to 100 sections,
    questions of about ten words, answers of about twenty-five, a bullet list every tenth card."""
    rng = random.Random(seed)
    sections = max(10, min(100, cards // 100))
    per_section = -(-cards // sections)
    lines = [f"Synthetic deck of {cards} cards", ""]
    number = 0
    for s in range(sections):
        lines += [f"Section {s + 1} {rng.choice(WORDS).title()} {rng.choice(WORDS).title()}", ""]
        for _ in range(per_section):
            number += 1
            if number > cards:
                break
            question = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
            lines.append(f"Q{number}. What is the {question} {number}?")
            if number % 10 == 0:
                lines.append(f"A{number}.")
                lines.append("")
                for _ in range(2):
                    lines.append("  • " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14))).capitalize() + ".")
            else:
                answer = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 35)))
                lines.append(f"A{number}. {answer.capitalize()}.")
            lines.append("")
    return "\n".join(lines) + "\n"


def measure(args: list[str], cwd: Path) -> dict:
    """Run a command; its wall time, CPU time and peak memory (its own and its waited-for workers')."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI",)}
    env["SOURCE_DATE_EPOCH"] = "1767225600"
    started = time.perf_counter()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read().decode()
    err = process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0,):
        raise SystemExit(f"{' '.join(args)} failed:\n{err[-2000:]}")
    pages = sum(int(part.split(" pages")[0].split()[-1]) for part in out.split(",") if " pages" in part)
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_mb": round(usage.ru_maxrss / 1024, 1), "pages": pages}


def layout_ratio(folder: Path) -> dict:
    """In one warm process: the cheat sheet's layout time, and the floor's (the same cards as
    plain single-column HTML, no columns, no page rules)."""
    code = """
import json, time, html
from pathlib import Path
import weasyprint
from deckgen.config import Settings
from deckgen.build import check, _plan, BuildResult
from deckgen.render import render
from deckgen.writers.pdf import FONTS
settings = Settings(sources=("source",))
checked = check(settings, Path("."))
job, deck = checked.decks[0]
plan = _plan(job, deck, settings, {"SOURCE_DATE_EPOCH": "1767225600"}, BuildResult(checked))
page = {"paper": "A4", "orientation": "portrait", "columns": 3}
sheet = render("cheatsheet.html.j2", "", deck=plan.deck, page=page, fonts=FONTS, media={})
plain = "<html><body style='font: 7.5pt DejaVu Sans'>" + "".join(
    f"<h3>{html.escape(c.card.question_text)}</h3><p>{html.escape(c.card.answer_text)}</p>" for c in plan.deck.cards) + "</body></html>"
weasyprint.HTML(string="<p>warm up</p>").render()
def timed(text):
    started = time.perf_counter(); document = weasyprint.HTML(string=text).render()
    return time.perf_counter() - started, len(document.pages)
floor, floor_pages = timed(plain)
layout, pages = timed(sheet)
print(json.dumps({"floor_s": round(floor, 3), "cheatsheet_layout_s": round(layout, 3),
                  "ratio": round(layout / floor, 2), "floor_pages": floor_pages, "cheatsheet_pages": pages}))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def run_size(name: str, text: str, work: Path) -> dict:
    folder = work / name
    (folder / "source").mkdir(parents=True)
    (folder / "source" / "deck.txt").write_text(text, encoding="utf-8")
    deckgen = [sys.executable, "-m", "deckgen"]
    row: dict = {"size": name, "n_cards": text.count("\nQ") + text.startswith("Q")}
    subprocess.run(deckgen + ["build", "--format", "apkg", "-o", "warm"], cwd=folder, capture_output=True)  # ids file
    row["check"] = measure(deckgen + ["check"], folder)
    for fmt in FORMATS:
        row[fmt] = measure(deckgen + ["build", "--format", fmt, "-o", f"only-{fmt}"], folder)
    row["full"] = measure(deckgen + ["build", "-o", "full"], folder)
    row["noop"] = measure(deckgen + ["build", "-o", "full"], folder)
    row["floor"] = layout_ratio(folder)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="rnn,1000,10000")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deckgen-bench-"))
    rows = []
    help_runs = [measure([sys.executable, "-m", "deckgen", "--help"], work)["wall_s"] for _ in range(5)]
    try:
        for size in options.sizes.split(","):
            text = RNN.read_text(encoding="utf-8") if size == "rnn" else synthetic(int(size))
            rows.append(run_size(size, text, work))
            print_table(rows, min(help_runs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()},
              "help_s": min(help_runs), "rows": rows}
    Path(options.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten to {options.json}")


def print_table(rows: list[dict], help_s: float) -> None:
    print(f"\ndeckgen --help: {help_s:.2f} s (best of 5, with interpreter start)")
    header = f"{'deck':>6} {'cards':>6} {'what':<11} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'pages':>6}"
    print(header)
    print("-" * len(header))
    for row in rows:
        for what in ("check", *FORMATS, "full", "noop"):
            m = row[what]
            print(f"{row['size']:>6} {row['n_cards']:>6} {what:<11} {m['wall_s']:>8.2f} {m['cpu_s']:>8.2f} "
                  f"{m['peak_mb']:>8.1f} {m['pages'] or '':>6}")
        f = row["floor"]
        print(f"{row['size']:>6} {row['n_cards']:>6} {'floor':<11} {f['floor_s']:>8.2f}   cheat-sheet layout "
              f"{f['cheatsheet_layout_s']:.2f} s = {f['ratio']:.2f} x the floor")


if __name__ == "__main__":
    main()

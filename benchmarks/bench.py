"""deckgen's benchmark: wall time, CPU time, peak memory and pages per output and for a full
build from a cold layout cache, on the RNN document and on synthetic decks (1,000 and 10,000
cards, two vocabularies); the floor (a fresh Python process that imports WeasyPrint and writes
the same text, one <p> per non-empty line, as a plain single-column PDF) and each ratio to it;
and one answer edited in the deck, rebuilt from a warm cache (its outputs compared with a clean
build's bytes).

    python benchmarks/bench.py                       # all decks (10,000 cards takes minutes)
    python benchmarks/bench.py --sizes rnn,1000v
    python benchmarks/bench.py --json benchmarks/results.json
    python benchmarks/bench.py --sizes none          # the yardsticks alone (benchmarks/yardsticks.py)
    python benchmarks/bench.py --yardstick-runs 0    # the decks alone

Sizes: rnn; N (the common-word generator, 37 words); Nv (varied: a Zipf draw over 6,000 made-up
words, answers of 15-40 words, 10% bullet answers of 2-4 items). Prints a table and writes it as
JSON. Then the yardsticks, measured in the same run (benchmarks/yardsticks.py): ankdown for the
Anki deck and pandoc + WeasyPrint for the cheat sheet on the same 1,000 varied Markdown cards in
paired runs, `deckgen --help` and `deckgen check` on 500 KB, each against its target (issue 26).
Timing never fails anything: this is not a test.
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


def _deck(title: str, cards: int, section_title, card_lines) -> str:
    """A Q&A text document shaped like the RNN one: a title, 10 to 100 sections of cards."""
    sections = max(10, min(100, cards // 100))
    per_section = -(-cards // sections)
    lines = [title, ""]
    number = 0
    for s in range(sections):
        lines += [section_title(s), ""]
        for _ in range(per_section):
            number += 1
            if number > cards:
                break
            lines += card_lines(number)
            lines.append("")
    return "\n".join(lines) + "\n"


def varied(cards: int, seed: int = 11) -> str:
    """A deck with a realistic vocabulary: words drawn by Zipf's law from 6,000 made-up words,
    answers of 15-40 words, a tenth of them bullet lists of 2-4 items."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "pe", "da", "gu", "fi", "zo", "be", "ha", "xu"]
    vocabulary = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(9000)})[:6000]
    rng.shuffle(vocabulary)
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]

    def words(n: int) -> str:
        return " ".join(rng.choices(vocabulary, weights, k=n))

    def card(number: int) -> list[str]:
        lines = [f"Q{number}. What is the {words(rng.randint(5, 11))} {number}?"]
        if rng.random() < 0.1:
            return lines + [f"A{number}.", ""] + [
                "  • " + words(rng.randint(6, 14)).capitalize() + "." for _ in range(rng.randint(2, 4))]
        return lines + [f"A{number}. {words(rng.randint(15, 40)).capitalize()}."]

    return _deck(f"Varied deck of {cards} cards", cards, lambda s: f"Section {s + 1} {words(2).title()}", card)


def synthetic(cards: int, seed: int = 7) -> str:
    """A deterministic deck from 37 common words: questions of about ten words, answers of about
    twenty-five, a bullet list every tenth card."""
    rng = random.Random(seed)

    def card(number: int) -> list[str]:
        question = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
        lines = [f"Q{number}. What is the {question} {number}?"]
        if number % 10 == 0:
            lines += [f"A{number}.", ""]
            for _ in range(2):
                lines.append("  • " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 14))).capitalize() + ".")
            return lines
        answer = " ".join(rng.choice(WORDS) for _ in range(rng.randint(15, 35)))
        return lines + [f"A{number}. {answer.capitalize()}."]

    return _deck(f"Synthetic deck of {cards} cards", cards,
                 lambda s: f"Section {s + 1} {rng.choice(WORDS).title()} {rng.choice(WORDS).title()}", card)


def measure(args: list[str], cwd: Path, cache: Path | None = None) -> dict:
    """Run a command; its wall time, CPU time and peak memory (the largest of it and the workers
    it waited for), with the layout cache in `cache` (a fresh folder: a cold cache)."""
    env = {k: v for k, v in os.environ.items() if k not in ("CI",)}
    env["SOURCE_DATE_EPOCH"] = "1767225600"
    cold = None if cache else Path(tempfile.mkdtemp(prefix="deckgen-cold-"))
    env["XDG_CACHE_HOME"] = str(cache or cold)
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=out_file, stderr=err_file)
        # wait4: this command's own usage, its waited-for workers included (ru_maxrss: the largest)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read().decode(), err_file.read().decode()
    if cold:
        shutil.rmtree(cold, ignore_errors=True)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{err[-2000:]}")
    pages = sum(int(part.split(" pages")[0].split()[-1]) for part in out.split(",") if " pages" in part)
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_mb": round(usage.ru_maxrss / 1024, 1), "pages": pages}


FLOOR = """
import html, sys, weasyprint
lines = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
body = "".join(f"<p>{html.escape(l)}</p>" for l in lines)
weasyprint.HTML(string=f"<html><body style='font: 7.5pt DejaVu Sans'>{body}</body></html>").write_pdf(sys.argv[2])
"""


def run_size(name: str, text: str, work: Path) -> dict:
    folder = work / name
    (folder / "source").mkdir(parents=True)
    source = folder / "source" / "deck.txt"
    source.write_text(text, encoding="utf-8")
    deckgen = [sys.executable, "-m", "deckgen"]
    row: dict = {"size": name, "n_cards": text.count("\nQ") + text.startswith("Q")}
    subprocess.run(deckgen + ["build", "--format", "apkg", "-o", "warm"], cwd=folder, capture_output=True)  # ids file
    row["floor"] = measure([sys.executable, "-c", FLOOR, str(source), str(folder / "floor.pdf")], folder)
    row["check"] = measure(deckgen + ["check"], folder)
    for fmt in FORMATS:
        row[fmt] = measure(deckgen + ["build", "--format", fmt, "-o", f"only-{fmt}"], folder)
    cache = Path(tempfile.mkdtemp(prefix="deckgen-warm-"))
    row["full"] = measure(deckgen + ["build", "-o", "full"], folder, cache)
    row["noop"] = measure(deckgen + ["build", "-o", "full"], folder, cache)
    # one answer edited, rebuilt with the cache the full build filled
    lines = text.split("\n")
    middle = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].startswith("A") and len(lines[i]) > 8)
    lines[middle] = lines[middle] + " Edited."
    source.write_text("\n".join(lines), encoding="utf-8")
    row["edit"] = measure(deckgen + ["build", "-o", "full"], folder, cache)
    clean = measure(deckgen + ["build", "-o", "clean"], folder)
    del clean
    row["edit_identical"] = all((folder / "full" / p.name).read_bytes() == p.read_bytes()
                                for p in (folder / "clean").iterdir() if not p.name.startswith("."))
    floor = row["floor"]["wall_s"]
    row["ratios"] = {"full": round(row["full"]["wall_s"] / floor, 2),
                     "cheatsheet": round(row["cheatsheet"]["wall_s"] / floor, 2),
                     "edit_of_full": round(row["edit"]["wall_s"] / row["full"]["wall_s"], 3)}
    shutil.rmtree(cache, ignore_errors=True)
    return row


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import yardsticks  # it imports this module's measure and varied

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="rnn,1000,1000v,10000v")
    parser.add_argument("--json", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--yardstick-runs", type=int, default=5,
                        help="paired rounds against ankdown and pandoc + WeasyPrint (0: none)")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deckgen-bench-"))
    rows = []
    help_runs = [measure([sys.executable, "-m", "deckgen", "--help"], work)["wall_s"] for _ in range(5)]
    try:
        for size in options.sizes.split(","):
            if size == "none":
                continue
            if size == "rnn":
                text = RNN.read_text(encoding="utf-8")
            elif size.endswith("v"):
                text = varied(int(size[:-1]))
            else:
                text = synthetic(int(size))
            rows.append(run_size(size, text, work))
            print_table(rows, min(help_runs))
        yardstick = yardsticks.run(options.yardstick_runs, work / "yardsticks") if options.yardstick_runs else None
        if yardstick:
            yardsticks.print_table(yardstick)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform()},
              "help_s": min(help_runs), "rows": rows, "yardsticks": yardstick}
    Path(options.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten to {options.json}")


def print_table(rows: list[dict], help_s: float) -> None:
    print(f"\ndeckgen --help: {help_s:.2f} s (best of 5, with interpreter start)")
    header = f"{'deck':>7} {'cards':>6} {'what':<11} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'pages':>6}"
    print(header)
    print("-" * len(header))
    for row in rows:
        for what in ("floor", "check", *FORMATS, "full", "noop", "edit"):
            m = row[what]
            print(f"{row['size']:>7} {row['n_cards']:>6} {what:<11} {m['wall_s']:>8.2f} {m['cpu_s']:>8.2f} "
                  f"{m['peak_mb']:>8.1f} {m['pages'] or '':>6}")
        r = row["ratios"]
        print(f"{row['size']:>7} {row['n_cards']:>6} ratios: full/floor {r['full']:.2f}x, cheat sheet/floor "
              f"{r['cheatsheet']:.2f}x, edit/full {r['edit_of_full']:.1%}; edited outputs = clean build: "
              f"{row['edit_identical']}")


if __name__ == "__main__":
    main()

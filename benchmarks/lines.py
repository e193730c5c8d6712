"""Why the PDFs take the time they take: the line boxes WeasyPrint lays out for each PDF of a deck,
against the benchmark's floor (the same text, one <p> per non-empty line, one plain column), and
the layout time per line. Everything in this one process, one part after another.

    python benchmarks/lines.py                 # 1,000 varied cards (bench.py's generator)
    python benchmarks/lines.py --cards 200
"""

from __future__ import annotations

import argparse
import html
import sys
import tempfile
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402 - the benchmark's deck generator


def line_boxes(document) -> int:
    from weasyprint.formatting_structure import boxes

    return sum(isinstance(box, boxes.LineBox) for page in document.pages for box in page._page_box.descendants())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    options = parser.parse_args()
    import weasyprint

    from deckgen import build, layout
    from deckgen.config import load_settings
    from deckgen.writers import pdf

    root = Path(tempfile.mkdtemp(prefix="deckgen-lines-"))
    (root / "source").mkdir()
    text = bench.varied(options.cards)
    (root / "source" / "deck.txt").write_text(text, encoding="utf-8")
    jobs = []

    class Capture:  # stands in for the layout: keeps the jobs, lays out nothing
        def __init__(self, pdf_jobs, *args, **kwargs):
            jobs.extend(pdf_jobs)
            self.cache = types.SimpleNamespace(bad=())  # the build asks which cached parts were bad

        def outputs(self):
            return iter(())

        def close(self):
            pass

    layout.PdfLayout = Capture
    settings = load_settings(root, {"formats": ("cheatsheet", "cards"), "cache": False}).settings
    build.build(settings, root, env={"SOURCE_DATE_EPOCH": "1767225600"})
    laid: list[tuple[int, float]] = []
    real = pdf.layout

    def counting(markup, allowed):
        started = time.perf_counter()
        document = real(markup, allowed)
        laid.append((line_boxes(document), time.perf_counter() - started))
        return document

    pdf.layout = counting
    weasyprint.HTML(string="<p>warm-up</p>").render()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    started = time.perf_counter()
    floor = weasyprint.HTML(string="<html><body style='font: 7.5pt DejaVu Sans'>" + "".join(
        f"<p>{html.escape(line)}</p>" for line in lines) + "</body></html>").render()
    seconds = time.perf_counter() - started
    base = line_boxes(floor)
    print(f"{'what':<11} {'line boxes':>10} {'x floor':>8} {'layout s':>9} {'ms a line':>10} {'layouts':>8}")
    print(f"{'floor':<11} {base:>10} {1:>7.1f}x {seconds:>9.2f} {seconds / base * 1000:>10.3f} {1:>8}")
    for job in jobs:
        laid.clear()
        for part in job.parts():
            layout.lay_out_part(job, part)
        count, seconds = sum(n for n, _ in laid), sum(s for _, s in laid)
        print(f"{job.fmt:<11} {count:>10} {count / base:>7.1f}x {seconds:>9.2f} {seconds / count * 1000:>10.3f} {len(laid):>8}")


if __name__ == "__main__":
    main()

"""The handout's study mode in a real browser: FSRS scheduling (ts-fsrs, inlined) driven by
Playwright's clock and checked against an independent implementation, the Python fsrs package."""

from __future__ import annotations

import json
import math
import re
from copy import copy
from datetime import UTC, datetime, timedelta

import pytest

from deckgen.writers.html import ts_fsrs
from tests.helpers import project, run
from tests.test_handout import AXE, NAME, Watched, browser  # noqa: F401  (browser: the fixture)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PHONE = {"viewport": {"width": 375, "height": 740}, "timezone_id": "UTC"}


# -- the Python side: py-fsrs with ts-fsrs's known differences applied --------------------------

def _scheduler():
    import fsrs

    return fsrs.Scheduler(desired_retention=0.9, learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
                          relearning_steps=(timedelta(minutes=10),), maximum_interval=36500, enable_fuzzing=False)


def _review(scheduler, card, rating, when):
    """py-fsrs's review of `card` at `when`, as ts-fsrs schedules it: (the card after, its due).

    The differences, read in both sources: ts-fsrs counts elapsed days as UTC calendar days
    (py-fsrs: 24-hour periods); Hard on a learning card is the mean of the first two steps
    rounded to a minute (6m; one step: 1.5 times it), where py-fsrs gives 5.5m at step 0 and the
    step itself after; and on a review card Hard <= Good, Good >= Hard + 1 day, Easy >= Good + 1 day."""
    from fsrs import Rating, State

    card = copy(card)
    if card.last_review is not None:  # calendar days: py-fsrs sees whole days between the dates
        card.last_review = when - timedelta(days=(when.date() - card.last_review.date()).days)
    after, _ = scheduler.review_card(card, rating, when)
    due = after.due
    if card.state in (State.Learning, State.Relearning) and rating == Rating.Hard and after.state != State.Review:
        steps = scheduler.learning_steps if card.state == State.Learning else scheduler.relearning_steps
        minutes = steps[0].total_seconds() / 60 * 1.5 if len(steps) == 1 else (steps[0] + steps[1]).total_seconds() / 120
        due = when + timedelta(minutes=math.floor(minutes + 0.5))
    elif card.state == State.Review and rating != Rating.Again:
        days = {r: (scheduler.review_card(card, r, when)[0].due - when).days for r in (Rating.Hard, Rating.Good, Rating.Easy)}
        hard = min(days[Rating.Hard], days[Rating.Good])
        good = max(days[Rating.Good], hard + 1)
        easy = max(days[Rating.Easy], good + 1)
        due = when + timedelta(days={Rating.Hard: hard, Rating.Good: good, Rating.Easy: easy}[rating])
    after.due = due
    return after, due


def expected(history: list[tuple[datetime, int]], now: datetime) -> dict[int, int]:
    """Grade (1-4) -> the due time in ms that py-fsrs, so adjusted, gives the item with `history`."""
    from fsrs import Card, Rating

    scheduler = _scheduler()
    card = Card(card_id=1, due=history[0][0] if history else now)
    for when, grade in history:
        card, _ = _review(scheduler, card, Rating(grade), when)
    return {grade: int(_review(scheduler, card, Rating(grade), now)[1].timestamp() * 1000) for grade in (1, 2, 3, 4)}


def label(ms: int) -> str:
    """An interval as the grade buttons write it (minutes, hours, days, months, years)."""
    minutes = math.floor(ms / 60000 + 0.5)
    if minutes < 60:
        return f"{max(minutes, 1)}m"
    hours = math.floor(ms / 3600000 + 0.5)
    if hours < 24:
        return f"{hours}h"
    days = ms / 86400000
    if math.floor(days + 0.5) < 30:
        return f"{math.floor(days + 0.5)}d"
    one = lambda x: f"{math.floor(x * 10 + 0.5) / 10:g}"  # noqa: E731
    return f"{one(days / (365 / 12))}mo" if days < 365 else f"{one(days / 365)}y"


def test_labels_are_written_as_anki_writes_them():
    minute, day = 60000, 86400000
    assert [label(x) for x in (minute, 6 * minute, 10 * minute, 3 * 3600000, 2 * day, 33 * day, 400 * day)] == \
        ["1m", "6m", "10m", "3h", "2d", "1.1mo", "1.1y"]


def test_the_handout_inlines_the_pinned_scheduler_and_allows_only_its_two_scripts(tmp_path):
    root = project(tmp_path, {"d.txt": "Q1. What is x?\nA1. X.\n"})
    assert run(["build", "--format", "html"], root).exit_code == 0
    html = (root / "build" / "d.html").read_text(encoding="utf-8")
    assert ts_fsrs().startswith("/*! ts-fsrs 5.4.2 ") and ts_fsrs() in html
    policy = re.search(r'script-src ([^;]+);', html).group(1).split()
    assert len(policy) == 2 and html.count("<script>") == 2
    assert "sourceMappingURL" not in html and 'data-new-per-day="20"' in html
    first = (root / "build" / "d.html").read_bytes()
    (root / "build" / "d.html").unlink()
    assert run(["build", "--format", "html"], root).exit_code == 0
    assert (root / "build" / "d.html").read_bytes() == first  # deterministic


# -- the browser side -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rnn_html(tmp_path_factory):
    root = project(tmp_path_factory.mktemp("study"), rnn=True)
    result = run(["build", "--format", "html"], root)
    assert result.exit_code == 0, result.output
    return root / "build" / f"{NAME}.html"


class Studying(Watched):
    """The handout in study mode on a phone, its clock held by Playwright from `start`."""

    def __init__(self, browser, url, start=T0, init_script=None, **context):  # noqa: F811
        self.context = browser.new_context(**{**PHONE, **context})
        self.page = self.context.new_page()
        if init_script:
            self.page.add_init_script(init_script)
        self.errors, self.requests = [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.now = start
        self.page.clock.install(time=start - timedelta(seconds=10))
        self.page.clock.pause_at(start)  # time stands still but for advance(): exact due times
        self.url = url
        self.page.goto(url + "#study")

    def advance(self, **delta) -> None:
        step = timedelta(**delta)
        self.now += step
        self.page.clock.fast_forward(int(step.total_seconds() * 1000))

    def item(self) -> str | None:
        if self.page.locator("#study-done").is_visible():
            return None
        return self.page.get_attribute("#study-card", "data-item")

    def counts(self) -> tuple[int, int, int]:
        return tuple(int(self.page.inner_text(f"#study-{n}")) for n in ("new", "learn", "review"))

    def grades(self) -> dict[int, tuple[str, int]]:
        """The four buttons: grade -> (its visible text, the due time it schedules)."""
        out = {}
        for button in self.page.locator("button.grade").all():
            out[int(button.get_attribute("data-grade"))] = (button.inner_text().replace("\n", " "),
                                                           int(button.get_attribute("data-due")))
        return out


@pytest.mark.slow
def test_study_over_four_simulated_days_matches_python_fsrs(rnn_html, browser):  # noqa: F811
    s = Studying(browser, rnn_html.as_uri())
    page = s.page
    assert page.get_by_role("button", name="Study", exact=True).get_attribute("aria-pressed") == "true"
    assert s.counts() == (20, 0, 0)
    histories: dict[str, list[tuple[datetime, int]]] = {}
    # (time from the start, grades to give in turn): same day steps, next days at other hours
    # (so 24-hour periods and calendar days differ), a lapse, a reload in between
    sessions = [(timedelta(0), [1, 3, 4, 2, 3]), (timedelta(minutes=2), [3, 3]), (timedelta(minutes=13), [3, 2, 3, 3, 3]),
                (timedelta(minutes=30), [3, 3, 3, 3]), (timedelta(days=1, hours=11, minutes=30), [3, 1, 4, 2, 3, 3, 3]),
                (timedelta(days=1, hours=11, minutes=45), [3, 3, 3]), (timedelta(days=2, hours=-1, minutes=-20), [2, 3, 4, 3]),
                (timedelta(days=3, hours=14), [3, 3, 1, 3, 2, 4])]
    checked = 0
    for at, grades in sessions:
        if T0 + at > s.now:
            s.advance(seconds=(T0 + at - s.now).total_seconds())
        if at == timedelta(days=1, hours=11, minutes=45):
            before = s.counts()
            page.reload()
            assert s.counts() == before  # progress survives a reload
        for grade in grades:
            item = s.item()
            assert item, f"nothing due at {s.now}"
            page.keyboard.press("Space")
            shown = s.grades()
            want = expected(histories.get(item, []), s.now)
            now_ms = int(s.now.timestamp() * 1000)
            for g, name in zip((1, 2, 3, 4), ("Again", "Hard", "Good", "Easy"), strict=True):
                assert shown[g] == (f"{name} {label(want[g] - now_ms)}", want[g]), (item, histories.get(item), s.now, g)
            checked += 1
            page.keyboard.press(str(grade))
            histories.setdefault(item, []).append((s.now, grade))
    assert checked == sum(len(g) for _, g in sessions)
    assert any(len(h) >= 4 for h in histories.values())
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert s.errors == [] and {r.split("#")[0] for r in s.requests} == {s.url}  # offline
    s.context.close()


@pytest.mark.slow
def test_new_cards_per_day_and_when_the_next_is_due(tmp_path, browser):  # noqa: F811
    lines = []
    for n in range(1, 8):
        lines += [f"Q{n}. Question {n}?", f"A{n}. Answer {n}.", ""]
    root = project(tmp_path, {"d.txt": "Part one\n\n" + "\n".join(lines)})
    (root / "deckgen.toml").write_text("study-new-per-day = 3\n", encoding="utf-8")
    assert run(["build", "--format", "html"], root).exit_code == 0
    s = Studying(browser, (root / "build" / "d.html").as_uri())
    page = s.page
    assert s.counts() == (3, 0, 0) and page.inner_text("#study-due") == "3 to study"
    for _ in range(3):
        page.get_by_role("button", name="Show answer").click()
        page.get_by_role("button", name=re.compile("^Easy ")).click()
    assert s.item() is None
    done = page.inner_text("#study-done")
    assert done.startswith("Nothing is due. The next card is due in 15h")  # tomorrow's new cards, 00:00 UTC
    page.get_by_role("button", name="Back to the list").click()
    assert page.locator("article.card >> nth=0").is_visible()
    assert page.inner_text(".toc li") .endswith("(7)")  # no due mark when nothing is due
    s.advance(hours=15, minutes=1)
    assert page.inner_text(".toc li").endswith("(7) · 3 due")
    page.get_by_role("button", name="Study", exact=True).click()
    assert s.counts() == (3, 0, 0) and s.item().endswith(page.get_attribute("article.card >> nth=3", "data-id"))
    assert s.errors == []
    s.context.close()


@pytest.mark.slow
def test_export_clear_and_import_progress(rnn_html, browser, tmp_path):  # noqa: F811
    s = Studying(browser, rnn_html.as_uri())
    page = s.page
    for grade in ("3", "4", "1"):
        page.keyboard.press("Space")
        page.keyboard.press(grade)
    assert s.counts() == (17, 0, 0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    saved = tmp_path / "progress.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["format"] == "deckgen-study-progress" and data["version"] == 1 and len(data["cards"]) == 3
    page.evaluate("localStorage.clear()")
    page.reload()
    assert s.counts() == (20, 0, 0)
    page.locator("#study-file").set_input_files(saved)
    page.wait_for_function("document.getElementById('study-message').textContent.includes('imported')")
    assert s.counts() == (17, 0, 0)
    page.reload()
    assert s.counts() == (17, 0, 0)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**data, "deck": "deckgen:1", "title": "Other deck"}), encoding="utf-8")
    page.locator("#study-file").set_input_files(other)
    page.wait_for_function("document.getElementById('study-message').textContent.includes('another deck')")
    assert page.inner_text("#study-message") == "This progress is for another deck (Other deck), not this one: nothing was changed."
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    page.locator("#study-file").set_input_files(broken)
    page.wait_for_function("document.getElementById('study-message').textContent.includes('not deckgen')")
    assert s.counts() == (17, 0, 0)
    assert s.errors == []
    s.context.close()


@pytest.mark.slow
def test_a_rebuild_keeps_schedules_by_card_id(tmp_path, browser):  # noqa: F811
    text = "Q1. What is x?\nA1. X.\n\nQ2. What is y?\nA2. Y.\n\nQ3. What is z?\nA3. Z.\n"
    root = project(tmp_path, {"d.txt": text})
    assert run(["build", "--format", "html"], root).exit_code == 0
    s = Studying(browser, (root / "build" / "d.html").as_uri())
    page = s.page
    studied = []
    for _ in range(3):
        studied.append(s.item())
        page.keyboard.press("Space")
        page.keyboard.press("4")  # Easy: due in days, all three at the same time
    stored = "() => JSON.parse(localStorage.getItem(document.body.dataset.storageKey + ':study')).cards"
    due = page.evaluate(stored)[studied[0]]["due"]
    # Q1's answer edited, Q3 removed, a question added
    edited = text.replace("A1. X.", "A1. X, edited.").replace("Q3. What is z?\nA3. Z.\n", "Q4. Which ocean is the largest?\nA4. The Pacific.\n")
    (root / "source" / "d.txt").write_text(edited, encoding="utf-8")
    assert run(["build", "--format", "html"], root).exit_code == 0
    s.advance(milliseconds=due - int(s.now.timestamp() * 1000) + 1000)
    page.reload()
    ids = page.eval_on_selector_all("article.card", "cs => cs.map(c => c.dataset.id)")
    assert ids[:2] == studied[:2] and studied[2] not in ids
    assert s.counts() == (1, 0, 2)  # Q1 and Q2 due, the added card new
    assert s.item() == studied[0] and "new" not in page.inner_text("#study-where")
    page.keyboard.press("Space")
    assert "X, edited." in page.inner_text("#study-back")
    page.keyboard.press("3")
    assert sorted(page.evaluate(stored)) == sorted(studied[:2])  # the removed card dropped out
    assert s.errors == []
    s.context.close()


@pytest.mark.slow
def test_cloze_numbers_and_reversed_cards_are_studied_apart(tmp_path, browser):  # noqa: F811
    text = ("# Deck\n\n## Part\n\n### The capital of France is {{c1::Paris}} and of Italy {{c2::Rome::city}}.\n\n"
            "Both are capitals.\n\n### What does GRU stand for?\n<!-- deckgen: reverse -->\n\nGated recurrent unit.\n")
    root = project(tmp_path, {"d.md": text})
    assert run(["build", "--format", "html"], root).exit_code == 0
    s = Studying(browser, (root / "build" / "d.html").as_uri())
    page = s.page
    assert s.counts() == (4, 0, 0)
    seen = []
    for _ in range(4):
        seen.append((page.inner_text("#study-where"), page.inner_text("#study-front")))
        page.keyboard.press("Space")
        seen[-1] += (page.inner_text("#study-back"),)
        page.keyboard.press("4")
    (w1, f1, b1), (w2, f2, b2), (w3, f3, b3), (w4, f4, b4) = seen
    assert "cloze 1" in w1 and f1 == "The capital of France is […] and of Italy Rome." and "Paris" in b1
    assert "cloze 2" in w2 and f2 == "The capital of France is Paris and of Italy [city]." and "Rome" in b2
    assert f3 == "What does GRU stand for?" and b3 == "Gated recurrent unit."
    assert "answer → question" in w4 and f4 == "Gated recurrent unit." and b4 == "What does GRU stand for?"
    assert s.item() is None and s.errors == []
    s.context.close()


NO_STORAGE = """Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('denied', 'SecurityError'); }});"""


@pytest.mark.slow
def test_without_storage_study_works_and_says_progress_is_not_kept(rnn_html, browser):  # noqa: F811
    s = Studying(browser, rnn_html.as_uri(), init_script=NO_STORAGE)
    page = s.page
    notice = page.locator("#study-notice")
    assert notice.is_visible() and "progress is lost when the page closes" in notice.inner_text()
    first = s.item()
    page.keyboard.press("Space")
    page.keyboard.press("1")
    assert s.counts() == (19, 0, 0)
    s.advance(minutes=1)
    assert s.item() == first and s.counts() == (19, 1, 0)  # its 1-minute step came due
    assert s.errors == []
    s.context.close()


@pytest.mark.slow
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_study_mode_is_accessible_before_and_after_the_answer(rnn_html, browser, scheme):  # noqa: F811
    s = Studying(browser, rnn_html.as_uri(), color_scheme=scheme, bypass_csp=True)
    page = s.page
    page.clock.resume()  # axe waits on timers
    page.add_script_tag(path=str(AXE))
    for step in ("question", "answer"):
        if step == "answer":
            page.get_by_role("button", name="Show answer").click()
            names = [b.evaluate("b => b.textContent.replace(/\\s+/g, ' ').trim()") for b in page.locator("button.grade").all()]
            assert [n.split()[0] for n in names] == ["Again", "Hard", "Good", "Easy"]
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        assert [(v["id"], v["impact"]) for v in result["violations"]] == [], step
        assert page.locator("main").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    s.context.close()


@pytest.mark.slow
def test_keyboard_only(rnn_html, browser):  # noqa: F811
    s = Studying(browser, rnn_html.as_uri(), start=T0)
    page = s.page
    page.goto(rnn_html.as_uri())
    page.keyboard.press("Tab")  # the skip link
    for _ in range(2):
        page.keyboard.press("Tab")  # the search, then Study
    assert page.evaluate("document.activeElement.textContent") == "Study"
    page.keyboard.press("Enter")
    assert page.locator("#study").is_visible() and page.url.endswith("#study")
    first = s.item()
    page.keyboard.press("Space")
    assert page.locator("#study-grades").is_visible()
    page.keyboard.press("3")
    assert s.item() != first
    page.keyboard.press("Enter")  # Enter shows the answer too
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Again")
    assert s.errors == []
    s.context.close()

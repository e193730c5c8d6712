"""The deck site (build/index.html) and the repository's Anki package (build/all.apkg), read back
as users meet them: the page parsed and opened in Chromium, the package imported by Anki."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup

from tests.helpers import anki_session, import_apkg, notes, project, run

SEQUENCE = """# Sequence Models

## Basics

### What is a recurrent network?

A network with a loop through time.

### What is an LSTM gate?

A sigmoid that scales what passes.

## Formulas

### What is the GRU update gate?

A mix of the old state and the new.
"""
CNN = """# Convolutions

### What is a convolution kernel?

A small grid of weights slid over the input.

### What is stride?

The step between windows.
"""
FILES = {"ml/sequence.md": SEQUENCE, "ml/cnn.md": CNN}


def repository(tmp_path: Path, *formats: str) -> Path:
    """The RNN seed at the top of source/ and two Markdown decks in source/ml/, built."""
    root = project(tmp_path, FILES, rnn=True)
    args = [arg for fmt in formats for arg in ("--format", fmt)]
    result = run(["build", *args], root, env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> Path:
    return repository(tmp_path_factory.mktemp("site"), "apkg", "html", "all", "site")


def test_the_index_groups_folders_counts_cards_and_every_link_resolves(pages):
    build = pages / "build"
    soup = BeautifulSoup((build / "index.html").read_text(encoding="utf-8"), "html.parser")
    groups = {g.h2.get_text(): [d.h3.get_text() for d in g.select("li.deck")] for g in soup.select("section.group")}
    assert groups == {"Decks": ["RNN frequent Interview Questions"], "ml": ["Convolutions", "Sequence Models"]}
    sequence = next(d for d in soup.select("li.deck") if d.h3.get_text() == "Sequence Models")
    assert "3 questions in 2 sections" in sequence.get_text() and "changed 2026-09-21" in sequence.get_text()
    assert [a.get_text() for a in sequence.select(".files a")] == ["Anki deck", "Handout"]  # only what was built
    links = [a["href"] for a in soup.find_all("a", href=True) if not a["href"].startswith("#")]
    assert "all.apkg" in links and "ml/sequence.html" in links
    for link in links:
        assert "://" not in link and not link.startswith("/"), link  # relative: file:// and a sub-path work
        assert (build / unquote(link.split("#")[0])).is_file(), link
    assert soup.title.get_text() == pages.name  # the folder's name, by default
    assert soup.find("meta", property="og:title")["content"] == pages.name
    assert not soup.find_all("img") and not soup.find_all(src=True)  # nothing loaded from anywhere


def test_only_pages_are_built_with_html_and_site(pages):
    assert sorted(p.name for p in (pages / "build" / "ml").iterdir()) == ["cnn.apkg", "cnn.html", "sequence.apkg",
                                                                        "sequence.html"]


def test_the_same_build_gives_the_same_bytes_and_rewrites_nothing(tmp_path):
    root = repository(tmp_path, "html", "site")
    index = root / "build" / "index.html"
    first, stamp = index.read_bytes(), index.stat().st_mtime_ns
    again = run(["build", "--format", "html", "--format", "site"], root, env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert again.exit_code == 0 and "unchanged build/index.html" in again.stdout
    assert index.read_bytes() == first and index.stat().st_mtime_ns == stamp
    (root / "source" / "ml" / "cnn.md").write_text(CNN + "\n### What is padding?\n\nZeros around the input.\n",
                                                   encoding="utf-8")
    changed = run(["build", "--format", "html", "--format", "site"], root, env={"SOURCE_DATE_EPOCH": "1790000000"})
    assert "wrote build/index.html" in changed.stdout and b"What is padding?" in index.read_bytes()


def test_source_text_is_data_on_the_site(tmp_path):
    hostile = "<script>alert(1)</script> & co\n\nQ1. What is </script><b>x</b>?\nA1. Y.\n"
    root = project(tmp_path, {"evil.txt": hostile})
    assert run(["build", "--format", "html", "--format", "site"], root).exit_code == 0
    html = (root / "build" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "</script><b>" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("li.deck h3").get_text() == "<script>alert(1)</script> & co"  # shown as written
    assert len(soup.find_all("script")) == 2  # the index and the page's own script, nothing else


@pytest.mark.slow
def test_searching_every_deck_leads_into_the_handout(pages):
    from playwright.sync_api import sync_playwright

    from tests.test_handout import CHROMIUM, Watched

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            watched = Watched(chromium, (pages / "build" / "index.html").as_uri())
            page = watched.page
            page.fill("#search", "network")
            page.locator("#results h3").first.wait_for()  # (locators, not page functions: the page's CSP forbids eval)
            decks = page.eval_on_selector_all("#results h3", "hs => hs.map(h => h.textContent)")
            assert "Sequence Models" in decks and "RNN frequent Interview Questions" in decks
            assert "questions match" in page.text_content("#found")
            page.fill("#search", "")
            page.locator("#results li").first.wait_for(state="detached")
            page.fill("#search", "stride")
            page.locator("#results a", has_text="What is stride?").wait_for()
            with page.expect_navigation():
                page.click("#results a")
            page.wait_for_load_state()
            assert page.url.split("#")[0].endswith("/build/ml/cnn.html")
            anchor = page.url.split("#")[1]
            assert page.locator(f"#{anchor} .q-text").text_content() == "What is stride?"
            assert page.locator(f"#{anchor} .answer").is_visible()  # the handout opens the card it names
            assert watched.errors == []
            assert all(url.startswith("file://") for url in watched.requests)
            watched.context.close()
            for scheme in ("light", "dark"):
                phone = Watched(chromium, (pages / "build" / "index.html").as_uri(),
                                viewport={"width": 375, "height": 800}, color_scheme=scheme, bypass_csp=True)
                assert phone.page.evaluate("document.documentElement.scrollWidth") <= 375
                phone.page.fill("#search", "what")
                phone.page.add_script_tag(path=str(Path(__file__).resolve().parent.parent / "node_modules" /
                                                   "axe-core" / "axe.min.js"))
                result = phone.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                serious = [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
                assert serious == [], scheme
                phone.context.close()
            keys = Watched(chromium, (pages / "build" / "index.html").as_uri())
            for _ in range(3):  # the skip link, the package of every deck, the search
                keys.page.keyboard.press("Tab")
            assert keys.page.evaluate("document.activeElement.id") == "search"
            assert keys.page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
            keys.page.keyboard.type("kernel")
            keys.page.locator("#results a", has_text="What is a convolution kernel?").wait_for()
            keys.page.keyboard.press("Tab")
            assert keys.page.evaluate("document.activeElement.textContent") == "What is a convolution kernel?"
            keys.context.close()
        finally:
            chromium.close()


@pytest.mark.slow
def test_all_apkg_holds_every_deck_and_never_duplicates_a_note(pages, tmp_path):
    collection = tmp_path / "c.anki2"
    for name in ("rnn-interview-questions.apkg", "ml/sequence.apkg", "ml/cnn.apkg"):
        import_apkg(pages / "build" / name, collection)
    before = notes(collection)
    assert len(before) == 85
    imported = import_apkg(pages / "build" / "all.apkg", collection)
    assert not imported.log.new and imported.notes == 85  # the same GUIDs: nothing twice
    fresh = tmp_path / "fresh.anki2"
    alone = import_apkg(pages / "build" / "all.apkg", fresh)
    assert len(alone.log.new) == 85
    title = pages.name
    assert {f"{title}::Sequence Models::Formulas", f"{title}::Convolutions",
            f"{title}::RNN frequent Interview Questions::Basics of RNNs"} <= set(alone.decks)


@pytest.mark.slow
def test_deck_tree_folders_names_decks_after_folders_without_duplicates(tmp_path):
    root = project(tmp_path, FILES)
    (root / "deckgen.toml").write_text('deck-tree = "folders"\n', encoding="utf-8")
    assert run(["build", "--format", "apkg"], root, env={"SOURCE_DATE_EPOCH": "1790000000"}).exit_code == 0
    collection = tmp_path / "c.anki2"
    imported = import_apkg(root / "build" / "ml" / "sequence.apkg", collection)
    assert {"ml::Sequence Models", "ml::Sequence Models::Formulas"} <= set(imported.decks)
    (root / "deckgen.toml").write_text('deck-tree = "title"\n', encoding="utf-8")
    assert run(["build", "--format", "apkg"], root, env={"SOURCE_DATE_EPOCH": "1790000100"}).exit_code == 0
    again = import_apkg(root / "build" / "ml" / "sequence.apkg", collection)
    assert again.notes == 3 and not again.log.new  # the same notes, never twice
    col = anki_session(collection)
    try:
        assert len(col.find_notes("")) == 3
    finally:
        col.close()


def test_three_shards_assembled_give_the_bytes_of_one_build(tmp_path):
    root = project(tmp_path, {**FILES, "lang/french.md": CNN.replace("Convolutions", "French"),
                              "lang/spanish.md": SEQUENCE.replace("Sequence Models", "Spanish")}, rnn=True)
    env = {"SOURCE_DATE_EPOCH": "1790000000"}
    formats = ["--format", "apkg", "--format", "html", "--format", "all", "--format", "site"]
    assert run(["build", *formats, "-o", "whole"], root, env=env).exit_code == 0
    built = []
    for shard in (1, 2, 3):
        result = run(["build", *formats, "--shard", f"{shard}/3", "-o", f"shard-{shard}"], root, env=env)
        assert result.exit_code == 0, result.output
        assert not (root / f"shard-{shard}" / "index.html").exists()  # the assembling job makes it
        built.append(sorted(p.stem for p in (root / f"shard-{shard}").rglob("*.apkg")))
    assert sorted(name for names in built for name in names) == ["cnn", "french", "rnn-interview-questions",
                                                                 "sequence", "spanish"]  # each once
    assembled = run(["site", "--from", "shard-1", "--from", "shard-2", "--from", "shard-3", "-o", "site"], root, env=env)
    assert assembled.exit_code == 0, assembled.output

    def files(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*")
                if p.is_file() and not p.name.startswith(".") and p.name != "deckgen-shard.json"}

    assert files(root / "site") == files(root / "whole")
    missing = run(["site", "--from", "shard-1", "--from", "shard-2", "-o", "part"], root, env=env)
    assert missing.exit_code == 1 and "built by no shard" in missing.stderr and "Traceback" not in missing.output
    assert not (root / "part" / "index.html").exists()


def test_the_action_uploads_the_site_for_pages_only_when_asked():
    from tests.helpers import ROOT

    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    step = text[text.index("actions/upload-pages-artifact@v3") - 10:]
    assert "if: inputs.pages == 'true'" in step and "path: build/" in step
    assert 'default: "false"' in text[text.index("  pages:"):text.index("  shard:")]
    assert '[ -n "$SHARD" ] && args+=(--shard "$SHARD")' in text


@pytest.mark.slow
def test_init_pages_writes_workflows_that_validate(tmp_path):
    import subprocess
    import sys

    for args in (["--pages"], ["--pages", "--shards", "3"]):
        folder = tmp_path / "-".join(args)
        assert run(["init", str(folder), *args], tmp_path).exit_code == 0
        workflow = folder / ".github" / "workflows" / "deckgen.yml"
        checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                                  "vendor.github-workflows", str(workflow)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        text = workflow.read_text(encoding="utf-8")
        assert "actions/deploy-pages@v4" in text and "pages: write" in text and "id-token: write" in text
        assert "if: github.event_name == 'push' && github.ref_name == github.event.repository.default_branch" in text
        if "--shards" in args:
            assert "shard: [1, 2, 3]" in text and "site-from: shards" in text and "needs: site" in text

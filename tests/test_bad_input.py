"""Input a reader cannot take: one clear line naming the file, exit 1, never a traceback.
And a property test: readers return records or raise deckgen's own error, nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deckgen.errors import SourceError
from deckgen.readers import read_source
from tests.helpers import RNN, project, run


def build_error(tmp_path, name: str, data: bytes) -> str:
    root = project(tmp_path)
    (root / "source" / name).write_bytes(data)
    result = run(["build"], root)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not (root / "build").exists()
    return result.stderr


def test_empty_file(tmp_path):
    assert build_error(tmp_path, "e.txt", b"  \n\n") == "error: source/e.txt: the file is empty\n"


def test_binary_file(tmp_path):
    message = build_error(tmp_path, "b.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert message == "error: source/b.txt: this is a binary file, not a text document\n"


def test_not_utf8_names_line_and_column(tmp_path):
    data = b"Q1. What?\nA1. Caf" + b"\xe9 au lait\n"
    message = build_error(tmp_path, "l.txt", data)
    assert message == (
        "error: source/l.txt:2:8: not UTF-8: byte 0xe9 cannot be decoded as UTF-8 "
        "(save the file as UTF-8)\n"
    )


def test_unknown_extension(tmp_path):
    root = project(tmp_path)
    (root / "notes.docx").write_bytes(b"PK")
    result = run(["build", "notes.docx"], root)
    assert result.exit_code == 1
    assert result.stderr == (
        "error: notes.docx: unknown kind of source '.docx' (deckgen reads .htm, .html, .markdown, .md, .text, .txt)\n"
    )


def test_every_unreadable_source_is_reported_at_once(tmp_path):
    root = project(tmp_path)
    (root / "source" / "a.txt").write_bytes(b"")
    (root / "source" / "b.txt").write_bytes(b"\xff\xfe")
    result = run(["check"], root)
    assert result.exit_code == 1
    assert "source/a.txt: the file is empty" in result.stderr
    assert "source/b.txt:1:1: not UTF-8" in result.stderr


def test_control_characters_are_removed_with_a_warning(tmp_path):
    root = project(tmp_path, {"c.txt": "Q1. Wh\u200bat\x07?\nA1. That.\n"})
    result = run(["check"], root)
    assert result.exit_code == 0
    assert ("source/c.txt:1:7: warning: invisible control characters removed: U+0007, U+200B "
            "[DG303]") in result.stdout
    deck = read_source(root / "source" / "c.txt", "c.txt", 10**6)
    assert deck.cards[0].question_text == "What?"


def test_size_limit(tmp_path):
    root = project(tmp_path, {"big.txt": "Q1. What?\nA1. " + "word " * 400 + "\n"})
    (root / "deckgen.toml").write_text("max-source-bytes = 1000\n", encoding="utf-8")
    result = run(["check"], root)
    assert result.exit_code == 1
    assert "source/big.txt: the file is 2,015 bytes, over the limit of 1,000 (setting 'max-source-bytes')" in result.stderr


seed = RNN.read_bytes()[:3000]


@st.composite
def mutated(draw):
    data = bytearray(seed if draw(st.booleans()) else draw(st.binary(max_size=400)))
    for _ in range(draw(st.integers(0, 8))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        data[at:at + draw(st.integers(0, 20))] = draw(st.binary(max_size=12))
    return bytes(data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated(), suffix=st.sampled_from([".txt", ".md"]))
def test_readers_return_records_or_their_own_error(tmp_path, data, suffix):
    path = tmp_path / f"doc{suffix}"
    path.write_bytes(data)
    try:
        deck = read_source(path, path.name, 10**6)
    except SourceError:
        return
    for card in deck.cards:
        assert isinstance(card.question_text, str) and isinstance(card.answer_text, str)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300))
def test_readers_take_any_text(text):
    from deckgen.readers.markdown import read_markdown
    from deckgen.readers.text import read_text

    read_text(text, "x.txt", "X")
    read_markdown(text, "x.md", "X")

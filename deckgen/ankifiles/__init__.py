"""Reading what Anki gives back: exported packages (.apkg, .colpkg) and a profile's collection
file, with the standard library and zstandard. Never writes to the file it is given."""

from deckgen.ankifiles.collection import AnkiNote, read_notes

__all__ = ["AnkiNote", "read_notes"]

"""Reading what Anki gives back: exported packages (.apkg, .colpkg) and a profile's collection
file, with the standard library and zstandard, within limits (an Anki file is untrusted input).
Never writes to the file it is given."""

from deckgen.ankifiles.collection import AnkiNote, NotesRead, read_notes
from deckgen.ankifiles.package import AnkiFileError, ReadLimits

__all__ = ["AnkiFileError", "AnkiNote", "NotesRead", "ReadLimits", "read_notes"]

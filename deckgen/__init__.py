"""deckgen: turn a question-and-answer document into study material."""

__version__ = "0.1.0"

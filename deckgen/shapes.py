"""The shapes a source can be read in (`--source-format`), named without importing the readers.

PAGE_SHAPES: the shapes of text documents readers/pages.py reads, in the order `auto` tries them
(readers/text.py reads qa-markers, tried first)."""

PAGE_SHAPES = ("qa-labels", "coaching", "numbered-inline", "numbered", "headings")
SHAPES = ("auto", "qa-markers", *PAGE_SHAPES, "markdown")
# the markers the question setting names (the structure finder's families a person picks)
QUESTION_SETTING_NAMES = ("auto", "h2", "h3", "h4", "h5", "h6", "list-heading", "bold", "label", "details",
                          "numbered")

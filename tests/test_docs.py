"""The README documents what the code does: every rule, with the summary `deckgen rules` prints."""

from deckgen.validate import RULES
from tests.helpers import ROOT


def test_readme_lists_every_rule_as_the_code_defines_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| {rule.code} | {rule.name} | {rule.severity} | {rule.summary} |" in readme

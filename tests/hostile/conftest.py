"""The hostile tier: counts every file it tried and prints the tally at the end of the session."""

from __future__ import annotations

from collections import Counter

import pytest

TRIED: Counter[str] = Counter()  # kind of generated file -> how many were imported
OUTCOMES: Counter[str] = Counter()  # "exit 0" / "exit 3" / "exit 2"
BACKSTOP: Counter[str] = Counter()  # exception names the catch-all turned into a refusal


@pytest.fixture(scope="session")
def tally() -> tuple[Counter[str], Counter[str], Counter[str]]:
    """The session's counters (kinds tried, exit codes, catch-all exception names)."""
    return TRIED, OUTCOMES, BACKSTOP


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TRIED:
        return
    tr = terminalreporter
    tr.section("hostile import files")
    tr.write_line(f"{sum(TRIED.values())} files imported through the CLI, "
                  + ", ".join(f"{k}: {v}" for k, v in sorted(OUTCOMES.items())))
    for kind, n in sorted(TRIED.items()):
        tr.write_line(f"  {n:6}  {kind}")
    if BACKSTOP:
        tr.write_line("refused by the catch-all (library exceptions while reading): "
                      + ", ".join(f"{k} ×{v}" for k, v in BACKSTOP.most_common()))

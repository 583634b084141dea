"""The scripted staff week (benchmarks/staff_week.py) still plays and reads as staff expect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import staff_week


def test_the_scripted_week_reaches_every_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert staff_week.main(["--db", str(tmp_path / "week.sqlite3")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Lotse – Rückmeldungen 23.11.2026 bis 29.11.2026")
    weak = text.split("Schwache Antworten auf Suchen", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"Pflegegrad beantragen +Pflege für Angehörige +5\n", weak + "\n")
    assert re.search(r"Pflege +Pflege für Angehörige +< 5", weak)  # via "none fits"
    assert re.search(r"Bewertungen +28 ", text)
    assert "(37 conversations, 172 turns" in text

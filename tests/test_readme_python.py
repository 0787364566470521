"""The README's «Python» example, run exactly as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_example() -> str:
    section = README.read_text(encoding="utf-8").split("\n## Python\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_python_example_runs_as_written(tmp_path):
    result = subprocess.run([sys.executable, "-c", python_example()], capture_output=True, text=True, timeout=600,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "['sproytebuss', 'frokost']"
    assert lines[1].startswith("Sprøytebuss i nord avsnitt ") and "– Sprøytebussen kjører hver tirsdag" in lines[1]
    assert lines[2].startswith("Helseetaten None None")
    assert lines[3:5] == ["sproytebuss Sprøytebuss i nord 1", "frokost frokost 1"]
    assert lines[-1] == "1"

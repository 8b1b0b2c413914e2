"""`mypy --strict` over src/: the ports are Protocols, and this is what holds every adapter
(memory and SQL units of work included, see their `_conforms`) to them."""

import subprocess
import sys

from tests.conftest import ROOT


def test_the_source_type_checks_strictly():
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "src"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]

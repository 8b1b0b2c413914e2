import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_core_and_ports_stay_free_of_frameworks_and_dependencies_point_inwards():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout

"""Secrets that are public because the repository shows them: compose.yaml's fallbacks,
examples in the docs, the tests' tokens. Production refuses them (settings.py)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# compose.yaml's fallbacks: an image holds no compose.yaml to scan, so they are named here too.
SHIPPED_DEFAULTS = frozenset({"local-compose-secret-change-me", "local-compose-portal-secret-change-me"})

_SKIP_DIRS = {".git", ".venv", "var", "node_modules", "target", "build", "dist", "__pycache__"}
_TEXT_SUFFIXES = {
    ".py", ".md", ".txt", ".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".sh", ".pem",
    ".example", ".env", ".html", ".js", ".ts", ".go", ".java", ".c", ".h", ".rs", "",
}
_MAX_FILE = 2 * 1024 * 1024


@lru_cache(maxsize=1)
def _repository_text() -> tuple[str, ...]:
    texts = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        for name in files:
            path = Path(folder) / name
            if name.startswith(".") and name != ".env.example":
                continue  # .env and the like hold the operator's own secrets, not the repository's
            if path.suffix not in _TEXT_SUFFIXES and name != "Dockerfile":
                continue
            try:
                if path.stat().st_size > _MAX_FILE:
                    continue
                texts.append(path.read_text(errors="replace"))
            except OSError:
                continue
    return tuple(texts)


def published_in_repository(value: str) -> bool:
    value = value.strip()
    if len(value) < 16:  # too short to tell a secret from a word (and refused elsewhere)
        return False
    return value in SHIPPED_DEFAULTS or any(value in text for text in _repository_text())

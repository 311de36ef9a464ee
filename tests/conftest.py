"""Shared fixtures: small sites in temporary folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .deepl_server import fake_deepl, fast_deepl_client  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "content" / "en").glob("*.md"))

ARTICLE = """---
title: "Open model tops the charts"
slug: "open-model-tops-the-charts"
date: 2026-03-01
category: models
tags: [open-source, benchmarks]
language: en
url: https://news.example.test/en/story/open-model-tops-the-charts
---

# Open model tops the charts

**Published**: 2026-03-01 | **Category**: models

---

## TL;DR

- A small lab released an open model that beats larger rivals.
- The weights are on [the lab's site](https://lab.example.test/weights).

## Why it matters

A small lab released an open model that beats larger rivals.

---

*Last Updated: 2026-03-01*
"""


def write_site(root: Path, articles: dict[str, str], config: str = 'target_langs = ["de"]\n') -> Path:
    """A site folder with a pyproject and the given source articles (name -> text)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.l10n]\n" + config, encoding="utf-8")
    for name, text in articles.items():
        path = root / "content" / "en" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


#: The DeepL key of the tests: distinctive, so that a leak into a file or a message shows.
DEEPL_KEY = "5e3c1a9b-7d2f-4e8a-b6c0-secret-test-key:fx"


@pytest.fixture
def server(fake_deepl, fast_deepl_client, monkeypatch):  # noqa: F811 - fixtures of deepl_server
    """The fake DeepL server, with the key and its address in the environment, as a user
    sets them for ``l10n translate --engine deepl``."""
    fake_deepl.auth_key = DEEPL_KEY
    monkeypatch.setenv("DEEPL_AUTH_KEY", DEEPL_KEY)
    monkeypatch.setenv("DEEPL_SERVER_URL", fake_deepl.url)
    monkeypatch.delenv("CI", raising=False)
    return fake_deepl


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """DeepL retries after 10 ms instead of a second: tests wait for nothing."""
    from l10n.engines.deepl import DeepLEngine

    monkeypatch.setattr(DeepLEngine, "BACKOFF", 0.01)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A one-article site."""
    return write_site(tmp_path / "site", {"open-model.md": ARTICLE})


@pytest.fixture
def example_site(tmp_path: Path) -> Path:
    """A copy of the bundled example site: sources, catalogs and German articles."""
    root = tmp_path / "example"
    for part in ("content", "locales"):
        if (REPO / part).exists():
            shutil.copytree(REPO / part, root / part)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes, for asserting that nothing changed."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path_factory, monkeypatch) -> Path:
    """Each test gets its own cache folder, outside the sites it works on."""
    path = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("L10N_CACHE_DIR", str(path))
    return path

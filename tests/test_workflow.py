"""The workflow's own logic: parallel runs, skip records."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from l10n import config, pofile, workflow
from l10n.engines.simple import PseudoEngine

from .conftest import ARTICLE, snapshot, write_site

def test_parallel_run_equals_a_single_process_run(tmp_path, monkeypatch):
    monkeypatch.setattr(workflow, "CHUNK", 2)
    articles = {f"a{i}.md": ARTICLE.replace("Open model", f"Model {i}") for i in range(7)}
    one = write_site(tmp_path / "one", articles)
    two = write_site(tmp_path / "two", articles)
    today = date(2026, 3, 1)
    for root, jobs in ((one, 1), (two, 2)):
        cfg = config.load(root)
        summary = workflow.run_many(cfg, "de", today, cfg.articles(), PseudoEngine(), jobs=jobs)
        assert len(summary.outcomes) == 7 and all(o.catalog_written for o in summary.outcomes)
    assert snapshot(one) == snapshot(two)
    cfg = config.load(two)
    again = workflow.run_many(cfg, "de", today, cfg.articles(), PseudoEngine(), jobs=2)
    assert all(o.stats is None for o in again.outcomes)  # the workers' records were kept


def test_obsolete_entries_age_out_of_an_unchanged_article(tmp_path):
    """The record that lets a rerun skip an article holds only until an obsolete entry of its
    catalog is due to be dropped."""
    root = write_site(tmp_path / "s", {"a.md": ARTICLE}, 'target_langs = ["de"]\nobsolete_days = 10\n')
    cfg = config.load(root)
    source = root / "content/en/a.md"
    catalog_path = cfg.catalog_path(source, "de")
    day = date(2026, 3, 1)
    workflow.run_many(cfg, "de", day, cfg.articles(), PseudoEngine(), jobs=1)
    source.write_text(ARTICLE.replace("- The weights are on [the lab's site](https://lab.example.test/weights).\n", ""),
                      encoding="utf-8")
    workflow.run_many(cfg, "de", day, cfg.articles(), PseudoEngine(), jobs=1)
    assert [e.msgid[:18] for e in pofile.load(catalog_path).obsolete_entries()] == ["The weights are on"]
    before = snapshot(root)

    kept = workflow.run_many(cfg, "de", day + timedelta(days=10), cfg.articles(), PseudoEngine(), jobs=1)
    assert kept.outcomes[0].stats is None and snapshot(root) == before  # skipped: nothing is due
    due = workflow.run_many(cfg, "de", day + timedelta(days=11), cfg.articles(), PseudoEngine(), jobs=1)
    assert due.outcomes[0].stats is not None
    assert pofile.load(catalog_path).obsolete_entries() == []


def test_l10n_jobs_one_keeps_the_work_in_this_process(tmp_path, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("no worker process should start")

    monkeypatch.setattr(workflow, "ProcessPoolExecutor", no_pool)
    monkeypatch.setattr(workflow, "CHUNK", 1)
    monkeypatch.setenv("L10N_JOBS", "1")
    root = write_site(tmp_path / "s", {f"a{i}.md": ARTICLE for i in range(3)})
    cfg = config.load(root)
    summary = workflow.run_many(cfg, "de", date(2026, 3, 1), cfg.articles(), PseudoEngine())
    assert [o.output_written for o in summary.outcomes] == [True, True, True]


def test_site_survey_on_workers_equals_one_process(tmp_path, monkeypatch):
    """The site's links are surveyed on worker processes (a cold check of a large site spent
    a millisecond per article on it in one process) with the result of one process."""
    monkeypatch.setattr(workflow, "CHUNK", 2)
    articles = {f"a{i}.md": ARTICLE.replace("open-model-tops-the-charts", f"story-{i}") for i in range(7)}
    root = write_site(tmp_path / "s", articles)
    cfg = config.load(root)
    workflow.run_many(cfg, "de", date(2026, 3, 1), cfg.articles(), PseudoEngine(), jobs=1)
    cfg.catalog_path(root / "content/en/a3.md", "de").unlink()  # a3 is no longer published
    started = []
    real = workflow.ProcessPoolExecutor
    monkeypatch.setattr(workflow, "ProcessPoolExecutor", lambda *a, **k: started.append(k) or real(*a, **k))
    one = workflow.site_links(cfg, "de", use_cache=False, jobs=1)
    assert not started
    two = workflow.site_links(cfg, "de", use_cache=False, jobs=2)
    assert started and two == one
    assert len(one.articles) == 7 and len(one.published) == 6
    assert not any(p.endswith("story-3") for p in one.published)


def test_the_survey_reads_a_catalog_only_when_asked_whether_its_article_is_published(tmp_path, monkeypatch):
    """A site's articles link to its tags and to few of its own articles: whether an article
    is published is worked out from its catalog when something asks, once per process."""
    articles = {f"a{i}.md": ARTICLE.replace("open-model-tops-the-charts", f"story-{i}") for i in range(4)}
    root = write_site(tmp_path / "s", articles)
    cfg = config.load(root)
    workflow.run_many(cfg, "de", date(2026, 3, 1), cfg.articles(), PseudoEngine(), jobs=1)
    cfg.catalog_path(root / "content/en/a1.md", "de").unlink()
    loaded = []
    real = pofile.loads
    monkeypatch.setattr(pofile, "loads", lambda *a, **k: loaded.append(a[1]) or real(*a, **k))
    site = workflow.site_links(cfg, "de", use_cache=False, jobs=1)
    assert loaded == [] and len(site.articles) == 4
    story = next(a for a in site.articles if a.endswith("story-2"))
    assert story in site.published and story in site.published
    assert [p.name for p in loaded] == ["a2.po"]
    assert "a1.md" not in site.published_pages and "a2.md" in site.published_pages
    assert [p.name for p in loaded] == ["a2.po"]  # a1 has no catalog; a2 was judged once
    assert sorted(site.published_pages) == ["a0.md", "a2.md", "a3.md"]


class _Counted:
    """A task that notes in a file each time it is pickled."""

    def __init__(self, log: Path) -> None:
        self.log = log

    def __call__(self, sources: list[Path]) -> list[str]:
        return [s.name for s in sources]

    def __getstate__(self) -> dict:
        with self.log.open("a") as f:
            f.write("pickled\n")
        return self.__dict__


def test_the_task_reaches_each_worker_once_not_with_every_chunk(tmp_path, monkeypatch):
    """A check's task holds the site's links (a megabyte and more on a large site): sent with
    every chunk, its cost grew with the square of the site."""
    monkeypatch.setattr(workflow, "CHUNK", 1)
    log = tmp_path / "log"
    log.touch()
    sources = [Path(f"a{i}.md") for i in range(40)]
    done = [name for part in workflow.parallel(_Counted(log), sources, jobs=2) for name in part]
    assert done == [s.name for s in sources]
    assert len(workflow._chunks(sources, 2)) == 40
    assert log.read_text().count("pickled") <= 2  # none when forked, once per spawned worker


def test_chunks_hold_every_article_once_and_shrink_towards_the_end(monkeypatch):
    for size in (1, 2, 8, 64):
        monkeypatch.setattr(workflow, "CHUNK", size)
        for n in (0, 1, 5, 300):
            sources = [Path(f"a{i}.md") for i in range(n)]
            for jobs in (1, 2, 8):
                chunks = workflow._chunks(sources, jobs)
                assert [s for c in chunks for s in c] == sources
                assert all(0 < len(c) <= size for c in chunks)
                assert [len(c) for c in chunks] == sorted((len(c) for c in chunks), reverse=True)

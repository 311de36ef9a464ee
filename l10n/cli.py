"""The command line: a thin click layer over the library.

Exit status: 0 success or in sync; 1 check found problems or an engine stopped the run
(what was done is kept); 2 bad usage, configuration or input.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Sequence

import click

from . import config as configs
from . import progress
from . import status as statuses
from . import workflow
from .errors import EngineError, L10nError

ENGINES = ("auto", "deepl", "memory", "pseudo", "none")


class Failure(click.ClickException):
    """A one-line error with an exit status (2: bad input, 1: engine stopped)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"error: {self.format_message()}", err=True)


class Language(click.ParamType):
    """A language code, validated with babel."""

    name = "lang"

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        try:
            return configs.language(value)
        except L10nError as e:
            self.fail(str(e), param, ctx)


class State:
    def __init__(self, root: Path, quiet: bool):
        self.root = root
        self.quiet = quiet
        self._config: configs.Config | None = None

    @property
    def config(self) -> configs.Config:
        if self._config is None:
            self._config = configs.load(self.root)
        return self._config

    def langs(self, chosen: Sequence[str]) -> tuple[str, ...]:
        langs = tuple(chosen) or self.config.target_langs
        unknown = [lang for lang in langs if lang not in self.config.target_langs]
        if unknown:
            raise click.BadParameter(
                f"{unknown[0]!r} is not in target_langs ({', '.join(self.config.target_langs)}) "
                "of [tool.l10n]; add it there first", param_hint="--lang")
        return langs

    def articles(self, given: Sequence[Path]) -> list[Path]:
        if not given:
            return self.config.articles()
        out = []
        for path in given:
            if not path.is_absolute():  # relative to the current folder, else to --root
                path = Path.cwd() / path if (Path.cwd() / path).is_file() else self.root / path
            if not path.is_file():
                raise Failure(f"{path}: no such article")
            self.config.relative(path)  # raises for files outside content/<source>/
            out.append(path)
        return out


pass_state = click.make_pass_decorator(State)


def force_option(f):  # noqa: ANN001, ANN201 - decorator
    return click.option("--force", is_flag=True,
                        help="Overwrite German files edited by hand (move such edits into the catalog).")(f)


def articles_argument(f):  # noqa: ANN001, ANN201 - decorator
    return click.argument("articles", nargs=-1, type=click.Path(path_type=Path))(f)


def lang_option(f):  # noqa: ANN001, ANN201 - decorator
    return click.option("--lang", "langs", multiple=True, type=Language(),
                        help="Target language (repeatable); default: every one configured.")(f)


@click.group()
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder holding pyproject.toml with [tool.l10n].")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.option("-v", "--verbose", is_flag=True, help="Say more about each step.")
@click.version_option(package_name="l10n")
@click.pass_context
def cli(ctx: click.Context, root: Path, quiet: bool, verbose: bool) -> None:
    """Translate a Markdown site through gettext catalogs.

    \b
    Example:
        l10n translate --engine pseudo
        l10n check --format github
    """
    # Only our own logger speaks up with -v: libraries' debug output (markdown-it's parser,
    # the HTTP client's requests) stays out of the user's terminal and CI logs.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("l10n").setLevel(logging.DEBUG if verbose else logging.WARNING)
    ctx.obj = State(root, quiet)


def _say(state: State, text: str) -> None:
    if not state.quiet:
        click.echo(text)


def _engine(name: str, state: State):  # noqa: ANN202 - returns an Engine
    from .engines import simple

    if name == "auto":
        name = "deepl" if os.environ.get("DEEPL_AUTH_KEY") else "memory"
        click.echo(f"engine: {name}" + ("" if name == "deepl" else " (DEEPL_AUTH_KEY is not set)"),
                   err=True)
    if name == "deepl":
        from .engines import deepl as deepl_engine

        return deepl_engine.from_environment(state.config)
    return {"memory": simple.MemoryEngine, "pseudo": simple.PseudoEngine, "none": simple.NoEngine}[name]()


def _report(state: State, summary: workflow.Summary, verb: str) -> None:
    for o in summary.outcomes:
        changed = []
        if o.catalog_written:
            u = o.update
            changed.append(f"catalog: {u.added} new, {u.fuzzy} changed, {u.obsoleted} obsolete"
                           + (f", {o.drafted} drafted" if o.drafted else ""))
        if o.output_written:
            changed.append(f"{o.progress.status}, {o.progress.reviewed_percent}% reviewed")
        if o.removed:
            changed.append("German file removed (nothing of the article is published)")
        if changed:
            _say(state, f"{o.source} [{o.lang}]: " + "; ".join(changed))
    for path in summary.relinked:
        _say(state, f"{path}: links brought up to date (an article it links to was published or withdrawn)")
    n_cat = sum(o.catalog_written for o in summary.outcomes)
    n_out = sum(o.output_written for o in summary.outcomes)
    _say(state, f"{verb}: {len(summary.outcomes)} articles, {n_cat} catalogs and {n_out} "
                f"articles written")


def _status(summary: workflow.Summary) -> int:
    """Print what stopped or held up a run, one line each; its exit status."""
    for e in summary.errors:
        click.echo(f"error: {e}", err=True)
    for o in summary.refused:
        click.echo(f"error: {o.refused}", err=True)
    if summary.stopped is not None:
        click.echo(f"error: {summary.stopped} (work done so far is saved; rerun to resume)", err=True)
    if summary.interrupted:
        click.echo("interrupted: every draft received is saved; rerun to resume", err=True)
        return 130
    if summary.errors:
        return 2
    return 1 if summary.stopped is not None or summary.refused else 0


def _run(state: State, articles: Sequence[Path], langs: Sequence[str], engine_name: str | None,
         write_output: bool, dry_run: bool = False, **options) -> int:
    sources = state.articles(articles)
    langs = state.langs(langs)
    engine = _engine(engine_name, state) if engine_name else None
    status = 0
    try:
        for lang in langs:
            billed_before = getattr(engine, "billed_characters", None)
            with _progress(state, engine, lang, sources, dry_run, write_output, options) as progress:
                summary = workflow.run_many(state.config, lang, date.today(), sources, engine,
                                            write_output=write_output, dry_run=dry_run,
                                            progress=progress, **options)
            if dry_run:
                _say(state, f"[{lang}] would send {summary.pending_segments} segments, "
                            f"{summary.pending_chars} characters to {engine.name if engine else 'no engine'}")
                for name in summary.embargoed:
                    _say(state, f"  {name}: embargoed, not sent (--include-drafts sends it)")
            else:
                _report(state, summary, "translate" if engine else "extract")
            if summary.sent_segments:
                billed = ("" if billed_before is None else
                          f" ({engine.billed_characters - billed_before} billed)")
                _say(state, f"[{lang}] sent {summary.sent_segments} segments, {summary.sent_chars} "
                            f"characters{billed}; {summary.withheld} translations published in "
                            "English until fixed")
                for path, chars in summary.chars_by_article().items():
                    _say(state, f"  {path}: {chars} characters")
            status = max(status, _status(summary))
            if summary.interrupted:
                return status
    finally:
        close = getattr(engine, "close", None)
        if close is not None:
            close()
    if dry_run and hasattr(engine, "usage") and not state.quiet:
        try:
            used, limit = engine.usage()
            click.echo(f"DeepL usage: {used} of {limit if limit is not None else 'unlimited'} characters")
        except EngineError as e:
            click.echo(f"DeepL usage: unavailable ({e})", err=True)
    return status


#: Seconds between two progress lines in a log (CI, a file): often enough to see it move.
LOG_EVERY = 15.0


@contextlib.contextmanager
def _progress(state: State, engine, lang: str, sources: Sequence[Path], dry_run: bool,  # noqa: ANN001
              write_output: bool, options: dict):
    """Progress of drafting with an external engine: characters sent and waiting, the rate
    and the time left. A bar on a terminal; in a log (CI, a file) a line every
    :data:`LOG_EVERY` seconds and one at the end. Never with --quiet. The totals come from
    a dry run first."""
    if dry_run or engine is None or not getattr(engine, "external", False) or state.quiet:
        yield None
        return
    probe = workflow.Run(state.config, lang, date.today(), engine, write_output=write_output,
                         dry_run=True, **options).articles(sources)
    if not probe.pending_chars:
        yield None
        return
    meter = progress.Meter(probe.pending_chars, probe.pending_segments)
    label = f"[{lang}] {engine.name}"
    if sys.stderr.isatty() and not os.environ.get("CI"):
        with click.progressbar(length=probe.pending_chars, label=label, file=sys.stderr,
                               show_pos=True, item_show_func=lambda item: item) as bar:
            def step(segments: int, chars: int) -> None:
                meter.add(segments, chars)
                bar.update(chars, f"{meter.segments}/{probe.pending_segments} segments")
            yield step
        return
    last = [time.monotonic()]

    def log(segments: int, chars: int) -> None:
        meter.add(segments, chars)
        if time.monotonic() - last[0] >= LOG_EVERY:
            last[0] = time.monotonic()
            click.echo(f"{label}: {meter.line()}", err=True)
    yield log
    click.echo(f"{label}: {meter.line()}", err=True)


@cli.command()
@articles_argument
@lang_option
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="Machine translation for untranslated segments.")
@click.option("--dry-run", is_flag=True, help="Change no file; print what would be sent.")
@click.option("--max-chars", type=click.IntRange(min=0), default=None,
              help="Stop before sending more than N characters in this run.")
@click.option("--include-drafts", is_flag=True,
              help="Also send embargoed articles (front matter draft: true) to external engines.")
@force_option
@pass_state
def translate(state: State, articles, langs, engine, dry_run, max_chars, include_drafts, force) -> None:
    """Extract, fill machine drafts and merge: the editor's one command.

    \b
    Example:
        l10n translate content/en/my-article.md --engine pseudo
    """
    sys.exit(_run(state, articles, langs, engine, True, dry_run, max_chars=max_chars,
                  include_drafts=include_drafts, force=force))


@cli.command()
@articles_argument
@lang_option
@pass_state
def extract(state: State, articles, langs) -> None:
    """Update catalogs only (no engine, no German articles).

    \b
    Example:
        l10n extract --lang de
    """
    sys.exit(_run(state, articles, langs, None, False))


@cli.command()
@articles_argument
@lang_option
@force_option
@pass_state
def merge(state: State, articles, langs, force) -> None:
    """Rebuild content/<lang>/ from the catalogs as they are.

    \b
    Example:
        l10n merge
    """
    sources = state.articles(articles)
    summary = workflow.Summary()
    for lang in state.langs(langs):
        done = workflow.merge_only(state.config, lang, sources, force=force)
        summary.outcomes += done.outcomes
        summary.errors += done.errors
        for outcome in done.outcomes:
            if outcome.output_written:
                _say(state, f"{outcome.source} [{lang}]: written")
            elif outcome.removed:
                _say(state, f"{outcome.source} [{lang}]: German file removed (nothing of it is published)")
    _say(state, f"merge: {len(summary.outcomes)} articles, "
                f"{sum(o.output_written for o in summary.outcomes)} written")
    sys.exit(_status(summary))


@cli.command()
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="github: workflow annotations; json: one object.")
@click.option("--strict", is_flag=True, help="Also fail on machine drafts and entries that need update.")
@click.option("--no-cache", is_flag=True,
              help="Check every article, trusting no skip record (for caches restored from elsewhere).")
@pass_state
def check(state: State, langs, fmt, strict, no_cache) -> None:
    """Fail when sources, catalogs and target articles disagree or a translation is unsafe.

    Changes no file. Exit status 0 in sync, 1 problems found, 2 bad usage.

    \b
    Example:
        l10n check --format github --strict
    """
    from . import check as checks

    report = checks.run(state.config, state.langs(langs), strict=strict, use_cache=not no_cache)
    if fmt == "json":
        click.echo(json.dumps(checks.as_json(report), indent=2, ensure_ascii=False))
    elif fmt == "github":
        if report.problems:
            click.echo(checks.as_github(report))
    else:
        click.echo(checks.as_text(report, color=sys.stdout.isatty()))
    sys.exit(0 if report.ok else 1)


@cli.command()
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_state
def status(state: State, langs, fmt) -> None:
    """Review progress per article and language.

    \b
    Example:
        l10n status --format json
    """
    rows = statuses.collect(state.config, state.langs(langs))
    if fmt == "json":
        click.echo(json.dumps(statuses.as_json(rows), indent=2, ensure_ascii=False))
    else:
        click.echo(statuses.table(rows, color=sys.stdout.isatty()))


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@lang_option
@pass_state
def review(state: State, outdir: Path, langs) -> None:
    """Write a static HTML review report to OUTDIR: a page per article and language, and an index.

    Changes no catalog. Open OUTDIR/index.html in a browser; no server or JavaScript needed.

    \b
    Example:
        l10n review build/review --lang de
    """
    from . import review as reviews

    files = reviews.write(state.config, state.langs(langs), outdir)
    _say(state, f"review: {len(files) - 1} article pages; open {outdir / reviews.INDEX}")


@cli.group()
def memory() -> None:
    """Exchange translation memory with CAT tools and agencies as TMX 1.4b.

    \b
    Example:
        l10n memory export build/site-de.tmx --lang de
        l10n memory import agency.tmx
    """


@memory.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
@pass_state
def memory_export(state: State, file: Path, langs) -> None:
    """Write every reviewed translation of the catalogs to FILE (TMX 1.4b).

    \b
    Example:
        l10n memory export site-de.tmx --lang de
    """
    from . import memory as memories

    done = memories.export(state.config, state.langs(langs), file)
    counts = ", ".join(f"{n} {lang}" for lang, n in done.written.items())
    _say(state, f"memory export: {_pairs(sum(done.written.values()))} ({counts}) written to {file}")
    if done.skipped:
        click.echo(f"warning: {_pairs(done.skipped)} left out: they hold control characters XML "
                   "cannot carry", err=True)


@memory.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@lang_option
@pass_state
def memory_import(state: State, file: Path, langs) -> None:
    """Make the pairs of a TMX file available to the memory engine, as drafts.

    They are kept in locales/<lang>/memory.tmx; `l10n translate` fills untranslated
    entries with them as fuzzy drafts marked "memory: tmx FILE", never as reviewed.

    \b
    Example:
        l10n memory import agency.tmx --lang de
    """
    from . import memory as memories

    langs = state.langs(langs)
    done = memories.import_file(state.config, langs, file)
    for lang in langs:
        _say(state, f"memory import [{lang}]: {_pairs(done.added[lang])} added to "
                    f"{state.config.display(memories.path(state.config, lang))}, "
                    f"{done.known[lang]} already there")


def _pairs(n: int) -> str:
    return f"{n} pair" + ("" if n == 1 else "s")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit status; library errors become one line, status 2."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="l10n",
                 standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return 1
    except KeyboardInterrupt:
        click.echo("interrupted: nothing half-written; rerun to resume", err=True)
        return 130
    except EngineError as e:
        click.echo(f"error: {e}", err=True)
        return 1
    except L10nError as e:
        click.echo(f"error: {e}", err=True)
        return 2
    except SystemExit as e:
        return int(e.code or 0)
    return 0


def entry() -> None:  # pragma: no cover - console script
    # A batch over many articles makes millions of short-lived objects (parse tokens,
    # catalog entries) and few cycles: collect rarely, and never rescan the modules.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    sys.exit(main())

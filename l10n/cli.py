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
from .plural import count

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
    """What every command shares: the site's root (given, or found upwards from the current
    folder on first use), how much to say, and the configuration, read once."""

    def __init__(self) -> None:
        self.given_root: Path | None = None
        self.quiet = False
        self.verbose = False
        self._root: Path | None = None
        self._config: configs.Config | None = None

    @property
    def root(self) -> Path:
        if self._root is None:
            self._root = self.given_root if self.given_root is not None else configs.find_root(Path.cwd())
        return self._root

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


def _set(name: str):  # noqa: ANN202 - a click callback
    """A callback storing an option given before or after the command in the shared State."""
    def store(ctx: click.Context, param: click.Parameter, value: object) -> None:
        if value:  # not given here: what was given elsewhere stands
            setattr(ctx.ensure_object(State), name, value)
            if name == "verbose":
                logging.getLogger("l10n").setLevel(logging.DEBUG)
    return store


def common_options(f):  # noqa: ANN001, ANN201 - decorator
    """``--root``, ``-q`` and ``-v``, accepted before the command and after it (as git's and
    ruff's options are)."""
    for option in reversed([
        click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
                     expose_value=False, is_eager=True, callback=_set("given_root"),
                     help="Folder holding pyproject.toml with [tool.l10n]; default: the nearest "
                          "one upwards from the current folder."),
        click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_set("quiet"),
                     help="Print only errors."),
        click.option("-v", "--verbose", is_flag=True, expose_value=False, callback=_set("verbose"),
                     help="Also a line per article, and the steps of the run."),
    ]):
        f = option(f)
    return f


@click.group()
@common_options
@click.version_option(package_name="l10n")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Translate a Markdown site through gettext catalogs.

    \b
    Example:
        l10n translate --engine pseudo
        l10n check --format github
    """
    # Only our own logger speaks up with -v: libraries' debug output (markdown-it's parser,
    # the HTTP client's requests) stays out of the user's terminal and CI logs.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    state = ctx.ensure_object(State)
    logging.getLogger("l10n").setLevel(logging.DEBUG if state.verbose else logging.WARNING)


def _say(state: State, text: str) -> None:
    if not state.quiet:
        click.echo(text)


def _detail(state: State, text: str) -> None:
    """A line about one article: only with -v."""
    if state.verbose and not state.quiet:
        click.echo(text)


def _warn(state: State, text: str) -> None:
    """A warning (stderr): not with -q, which prints only errors."""
    if not state.quiet:
        click.echo(f"warning: {text}", err=True)


def _engine(name: str, state: State):  # noqa: ANN202 - returns an Engine
    from .engines import simple

    if name == "auto":
        name = "deepl" if os.environ.get("DEEPL_AUTH_KEY") else "memory"
        if not state.quiet:
            click.echo(f"engine: {name}" + ("" if name == "deepl" else " (DEEPL_AUTH_KEY is not set)"),
                       err=True)
    if name == "deepl":
        from .engines import deepl as deepl_engine

        return deepl_engine.from_environment(state.config)
    if name == "pseudo":
        return simple.PseudoEngine(state.config.shortcode_text)
    return {"memory": simple.MemoryEngine, "none": simple.NoEngine}[name]()


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
            # a file removed is said always; what changed in an article only with -v
            (_say if o.removed else _detail)(state, f"{o.source} [{o.lang}]: " + "; ".join(changed))
    _relinked(state, summary)
    n_cat = sum(o.catalog_written for o in summary.outcomes)
    n_out = sum(o.output_written for o in summary.outcomes)
    _say(state, f"{verb}: {count(len(summary.outcomes), 'article')}, {count(n_cat, 'catalog')} and "
                f"{count(n_out, 'article')} written")


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
    every = _log_every()
    engine = _engine(engine_name, state) if engine_name else None
    status, would_send = 0, 0
    try:
        prepare = getattr(engine, "prepare", None)
        if prepare is not None:  # what the account must accept, checked before anything is sent
            prepare(state.config.source_lang, langs, sync=not dry_run)
        for lang in langs:
            billed_before = getattr(engine, "billed_characters", None)
            with _progress(state, engine, lang, sources, dry_run, write_output, options, every) as meter:
                summary = workflow.run_many(state.config, lang, date.today(), sources, engine,
                                            write_output=write_output, dry_run=dry_run,
                                            progress=meter and meter.add, done=meter and meter.done,
                                            **options)
            if dry_run:
                limit = options.get("max_chars")
                waiting = "" if limit is None else (
                    f"; {count(summary.waiting_segments, 'segment')}, "
                    f"{count(summary.waiting_chars, 'character')} would wait (--max-chars {limit:,})")
                _say(state, f"[{lang}] would send {count(summary.pending_segments, 'segment')}, "
                            f"{count(summary.pending_chars, 'character')} to "
                            f"{engine.name if engine else 'no engine'}{waiting}")
                for name in summary.embargoed:
                    _say(state, f"  {name}: embargoed, not sent (--include-drafts sends it)")
                would_send += summary.pending_chars
            else:
                _report(state, summary, "translate" if engine else "extract")
            if summary.sent_segments:
                billed = ("" if billed_before is None else
                          f" ({engine.billed_characters - billed_before:,} billed)")
                _say(state, f"[{lang}] sent {count(summary.sent_segments, 'segment')}, "
                            f"{count(summary.sent_chars, 'character')}{billed}; "
                            f"{count(summary.withheld, 'translation')} published in English until fixed")
                for path, chars in summary.chars_by_article().items():
                    _detail(state, f"  {path}: {count(chars, 'character')}")
            status = max(status, _status(summary))
            if summary.interrupted:
                return status
    finally:
        close = getattr(engine, "close", None)
        if close is not None:
            close()
    if dry_run and hasattr(engine, "usage") and not state.quiet:
        _usage(state, engine, would_send)
    return status


def _usage(state: State, engine, would_send: int) -> None:  # noqa: ANN001 - an Engine with usage()
    """The account's usage after a dry run, and a warning when the run would go past it."""
    try:
        used, limit = engine.usage()
    except EngineError as e:
        click.echo(f"DeepL usage: unavailable ({e})", err=True)
        return
    click.echo(f"DeepL usage: {used or 0:,} of " + (f"{limit:,}" if limit is not None else "unlimited")
               + " characters")
    if limit is None:
        return
    left = max(limit - (used or 0), 0)
    if would_send > left:
        _warn(state, f"this run would send {count(would_send, 'character')}, more than the {left:,} "
                     f"left on the DeepL account: it would stop at the limit; rerun with --max-chars "
                     f"{left} to send what fits, or raise the limit")


#: Seconds between two progress lines in a log (CI, a file), unless $L10N_PROGRESS_SECONDS says.
LOG_EVERY = 5.0


def _log_every() -> float:
    """Seconds between progress lines in a log: ``$L10N_PROGRESS_SECONDS`` or :data:`LOG_EVERY`."""
    value = os.environ.get("L10N_PROGRESS_SECONDS", "").strip()
    if not value:
        return LOG_EVERY
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise configs.ConfigError(f"L10N_PROGRESS_SECONDS must be a number of seconds above 0 (not {value!r})")
    return seconds


def _on_terminal() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextlib.contextmanager
def _progress(state: State, engine, lang: str, sources: Sequence[Path], dry_run: bool,  # noqa: ANN001
              write_output: bool, options: dict, every: float):
    """A :class:`progress.Meter` of the run, shown as it goes; None with -q or --dry-run.

    In a log (CI, a file): a line every ``every`` seconds for the whole run (articles done,
    characters sent and waiting, time so far), and one at the end if it took that long. On
    a terminal: a bar while an external engine drafts. Totals of characters come from a dry
    run first."""
    if dry_run or state.quiet:
        yield None
        return
    meter = progress.Meter(0, 0, len(sources))

    def totals() -> None:  # of what an external engine will be sent: a dry run first
        if engine is not None and getattr(engine, "external", False):
            meter.note = "counting what to send"
            probe = workflow.Run(state.config, lang, date.today(), engine, write_output=write_output,
                                 dry_run=True, **options).articles(sources)
            budget = options.get("max_chars")
            meter.expect(probe.pending_chars if budget is None else min(budget, probe.pending_chars),
                         probe.pending_segments)

    label = f"[{lang}] " + (engine.name if engine is not None else "extract" if not write_output else "merge")
    if not _on_terminal():
        with progress.Ticker(meter, every, lambda line: click.echo(f"{label}: {line}", err=True)):
            totals()
            yield meter
        return
    totals()
    chars = meter.total_chars
    if not chars:
        yield meter
        return
    with click.progressbar(length=chars, label=label, file=sys.stderr, show_pos=True,
                           item_show_func=lambda item: item) as bar:
        add = meter.add

        def step(segments: int, sent: int) -> None:
            add(segments, sent)
            bar.update(sent, f"{meter.segments}/{count(meter.total_segments, 'segment')}")
        meter.add = step  # type: ignore[method-assign]
        yield meter


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
@common_options
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
@common_options
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
@common_options
@pass_state
def merge(state: State, articles, langs, force) -> None:
    """Rebuild content/<lang>/ from the catalogs as they are.

    \b
    Example:
        l10n merge
    """
    sources = state.articles(articles)
    summary = workflow.Summary()
    every = _log_every()
    for lang in state.langs(langs):
        with _progress(state, None, lang, sources, False, True, {}, every) as meter:
            done = workflow.merge_only(state.config, lang, sources, force=force,
                                       done=meter and meter.done)
        summary.outcomes += done.outcomes
        summary.errors += done.errors
        for outcome in done.outcomes:
            if outcome.output_written:
                _detail(state, f"{outcome.source} [{lang}]: written")
            elif outcome.removed:
                _say(state, f"{outcome.source} [{lang}]: German file removed (nothing of it is published)")
        _relinked(state, done)
    _say(state, f"merge: {count(len(summary.outcomes), 'article')}, "
                f"{sum(o.output_written for o in summary.outcomes):,} written")
    sys.exit(_status(summary))


def _relinked(state: State, summary: workflow.Summary) -> None:
    for path in summary.relinked:
        _say(state, f"{path}: links brought up to date (an article it links to was published or withdrawn)")


@cli.command()
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="github: workflow annotations; json: one object.")
@click.option("--strict", is_flag=True, help="Also fail on machine drafts and entries that need update.")
@click.option("--no-cache", is_flag=True,
              help="Check every article, trusting no skip record (for caches restored from elsewhere).")
@common_options
@pass_state
def check(state: State, langs, fmt, strict, no_cache) -> None:
    """Fail when sources, catalogs and target articles disagree or a translation is unsafe.

    Changes no file. Exit status 0 in sync, 1 problems found, 2 bad usage.

    \b
    Example:
        l10n check --format github --strict
    """
    from . import check as checks

    langs = state.langs(langs)
    total = len(state.config.articles()) * len(langs)
    every = _log_every()
    meter = progress.Meter(0, 0, total)
    ticking = (progress.Ticker(meter, every, lambda line: click.echo(f"check: {line}", err=True))
               if not state.quiet and not _on_terminal() else contextlib.nullcontext())
    with ticking:
        report = checks.run(state.config, langs, strict=strict, use_cache=not no_cache, done=meter.done)
    if fmt == "json":
        click.echo(json.dumps(checks.as_json(report), indent=2, ensure_ascii=False))
    elif fmt == "github":
        if report.problems:
            click.echo(checks.as_github(report))
    else:
        click.echo(checks.as_text(report, color=sys.stdout.isatty()))
    sys.exit(0 if report.ok else 1)


def _relinked(state: State, summary: workflow.Summary) -> None:
    for path in summary.relinked:
        _say(state, f"{path}: links brought up to date (an article it links to was published or withdrawn)")


@cli.command()
@lang_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@common_options
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
    errors = list(dict.fromkeys(str(r.error) for r in rows if r.error is not None))
    for error in errors:
        click.echo(f"error: {error}", err=True)
    sys.exit(2 if errors else 0)


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@lang_option
@common_options
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
    _say(state, f"review: {count(len(files) - 1, 'article page')}; open {outdir / reviews.INDEX}")


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
    except click.Abort as e:
        if isinstance(e.__cause__ or e.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("interrupted: nothing half-written; rerun to resume", err=True)
            return 130
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

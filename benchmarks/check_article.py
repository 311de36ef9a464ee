"""The CPU of checking articles in one process, without start-up or the site survey.

    python benchmarks/check_article.py SITE N

runs ``check.article`` over the first N articles of SITE (a corpus from ``corpus.py`` after
``l10n translate --engine pseudo``) and prints its CPU time per article. The site's links are
surveyed first, outside the timing; the collector is set as the CLI sets it.

On a machine others share, time is noisy (20-30% from one minute to the next); instructions
are not. Run the script under callgrind for two sizes, with the interpreter's own binary
(a pyenv shim is a shell script): the difference of the two totals over the difference of
the sizes is the instructions per article, start-up and survey left out::

    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$(python -c 'import sys; print(sys.executable)')" \\
        benchmarks/check_article.py SITE 100
"""

from __future__ import annotations

import argparse
import gc
import time
from datetime import date
from pathlib import Path

from l10n import check, config, workflow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--lang", default="de")
    args = parser.parse_args()
    site = config.load(args.site)
    sources = site.articles()[:args.n]
    links = workflow.site_links(site, args.lang, False, 1)
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    today = date.today()
    start = time.process_time()
    problems = sum(len(list(check.article(site, args.lang, s, today, links, []))) for s in sources)
    spent = time.process_time() - start
    print(f"{len(sources)} articles, {problems} problems: {1000 * spent / max(len(sources), 1):.2f} ms CPU per article")


if __name__ == "__main__":
    main()

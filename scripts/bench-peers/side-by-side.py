#!/usr/bin/env python3
"""Two reportpress binaries (before and after a change) side by side, in one run, on the same
inputs, with diff2html-cli as the peer: medians of RUNS interleaved runs (wall clock), bytes of
each output, and highlighted lines per page. Written for issue 13 (compact highlighting); the
full `scripts/bench` measures everything else.

    side-by-side.py --before OLD_BIN --after NEW_BIN --work DIR [--runs 5] [--reports 1000]
                    [--d2h DIFF2HTML_BIN --d2h-template TEMPLATE] --diff BIG.diff

The 10,000-line diff is `make-diff.py`'s; TEMPLATE is diff2html-cli's template with its
stylesheets inlined (as `scripts/bench` makes it). Each timed command runs into an empty
output; the runs of the binaries alternate so they share the machine's state.
"""

import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def timed(cmd, prepare=None):
    if prepare:
        prepare()
    start = time.perf_counter()
    run(cmd)
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", required=True)
    ap.add_argument("--after", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--diff", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--d2h")
    ap.add_argument("--d2h-template")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    work = args.work
    os.makedirs(work, exist_ok=True)
    bins = {"before": args.before, "after": args.after}

    # The peer archive: one report whose only entry is a commit carrying the diff.
    peer = f"{work}/peer.sqlite"
    run([args.after, "demo", "--reports", "1", "--seed", "1", "--out", peer, "--force"])
    report = run([sys.executable, f"{here}/diff-archive.py", peer, args.diff]).stdout.decode().strip()
    archive = f"{work}/r{args.reports}.sqlite"
    if not os.path.exists(archive):
        run([args.after, "demo", "--reports", str(args.reports), "--seed", "1", "--out", archive])

    commands = {}
    for name, binary in bins.items():
        commands[f"export {name}"] = (
            [binary, "export", report, "--database", peer, "--format", "html", "-o", f"{work}/export-{name}.html"],
            None,
        )
        out = f"{work}/site-{name}"
        commands[f"build {args.reports} {name}"] = (
            [binary, "build", "--database", archive, "--out", out, "--jobs", str(args.jobs)],
            (lambda out=out: shutil.rmtree(out, ignore_errors=True)),
        )
    if args.d2h:
        commands["diff2html self-contained"] = (
            [args.d2h, "-i", "file", "-s", "line", "-f", "html", "--hwt", args.d2h_template,
             "-F", f"{work}/diff2html.html", "--", args.diff],
            None,
        )
    times = {k: [] for k in commands}
    for name, (cmd, prepare) in commands.items():  # warm-up
        timed(cmd, prepare)
    for _ in range(args.runs):
        for name, (cmd, prepare) in commands.items():
            times[name].append(timed(cmd, prepare))
    result = {"runs": args.runs, "jobs": args.jobs, "median_s": {}, "bytes": {}, "lines": {}}
    for name, values in times.items():
        result["median_s"][name] = round(statistics.median(values), 4)
        result[f"runs_s {name}"] = [round(v, 4) for v in values]
    for name in bins:
        result["bytes"][f"export {name}"] = os.path.getsize(f"{work}/export-{name}.html")
        pages = glob.glob(f"{work}/site-{name}/reports/*.html")
        total = sum(os.path.getsize(p) for p in pages)
        result["bytes"][f"report pages {args.reports} {name}"] = total
        result["bytes"][f"site {args.reports} {name}"] = int(
            run(["du", "-sb", f"{work}/site-{name}"]).stdout.split()[0]
        )
        result["lines"][f"highlighted lines shown {name}"] = count_lines(pages)
    if args.d2h:
        result["bytes"]["diff2html self-contained"] = os.path.getsize(f"{work}/diff2html.html")
    print(json.dumps(result, indent=1))


def count_lines(pages):
    """Code and diff lines shown (each once), in either markup."""
    total = 0
    for path in pages:
        page = open(path, encoding="utf-8").read()
        if '<span class="l ' in page or '<span class="ln">' in page:
            # Before: a diff row has two `ln` spans, a code line one.
            rows = len(re.findall(r'<span class="l (?:ctx|add|del)">', page))
            total += rows + (page.count('<span class="ln">') - 2 * rows)
        else:
            total += len(re.findall(r"<(?:span|ins|del)><i data-", page))
            total += len(re.findall(r"\n<i data-n=|<code><i data-n=", page))
    return total


if __name__ == "__main__":
    main()

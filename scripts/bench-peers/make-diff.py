#!/usr/bin/env python3
"""A deterministic, realistic unified diff of exactly N lines (headers included), for the peer
benchmark (diff2html-cli against reportpress).

The "before" side is real code: files of this repository at a pinned commit (Rust, JavaScript,
CSS, SQL, TOML, Markdown, HTML templates), read with `git show COMMIT:PATH`. The "after" side
is made by a seeded random editor that does what commits do: renames identifiers, changes
numbers and strings, removes lines and adds lines. Hunks carry 3 lines of context either side,
as `git diff` writes them; each file's diff stays under 1,500 lines (so no file reaches the
500 KB limit past which reportpress, like GitHub, does not render a file). When the files run
out before N lines, the list is reused under a `v2/` prefix. The last hunk is padded with added
lines so the diff is exactly N lines long.

    make-diff.py --repo ROOT --commit SHA --lines 10000 --seed 1 > big.diff
"""

import argparse
import hashlib
import random
import re
import subprocess
import sys

FILES = [
    "src/source/generate.rs",
    "static/style.css",
    "src/render/view.rs",
    "static/index.js",
    "tests/sql/posthog_newest.sql",
    "src/render/diff.rs",
    "templates/report.html",
    "src/render/markdown.rs",
    "Cargo.toml",
    "src/model/artefact.rs",
    "README.md",
    "src/render/pr.rs",
    "src/source/archive_schema.sql",
    "tests/hostile.rs",
    "src/render/text.rs",
    "templates/base.html",
    "src/render/ledger.rs",
]
MAX_FILE_LINES = 1500
IDENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]{2,}\b")
NUMBER = re.compile(r"\b\d+\b")
STRING = re.compile(r'"([^"\\]{3,})"')
SUFFIXES = ["_v2", "_count", "_id", "_next", "_ms", "_all", "s", "_raw"]


def read(repo, commit, path):
    try:
        text = subprocess.run(
            ["git", "-C", repo, "show", f"{commit}:{path}"],
            check=True,
            capture_output=True,
        ).stdout.decode("utf-8")
    except subprocess.CalledProcessError:
        print(f"make-diff: {commit}:{path} not found; using the working tree's copy", file=sys.stderr)
        with open(f"{repo}/{path}", encoding="utf-8") as f:
            text = f.read()
    return [line.rstrip("\r") for line in text.split("\n")]


def edit(rng, line, vocabulary):
    """The line as a commit might change it, or None when there is nothing to change."""
    choice = rng.random()
    numbers = list(NUMBER.finditer(line))
    strings = list(STRING.finditer(line))
    if choice < 0.2 and numbers:
        m = rng.choice(numbers)
        return line[: m.start()] + str(int(m.group()) + rng.randint(1, 50)) + line[m.end():]
    if choice < 0.35 and strings:
        m = rng.choice(strings)
        words = m.group(1).split(" ")
        words.insert(rng.randrange(len(words) + 1), rng.choice(vocabulary))
        return line[: m.start(1)] + " ".join(words) + line[m.end(1):]
    idents = list(IDENT.finditer(line))
    if not idents:
        return None
    m = rng.choice(idents)
    if rng.random() < 0.5:
        new = m.group() + rng.choice(SUFFIXES)
    else:
        new = rng.choice(vocabulary)
    if new == m.group():
        new += "_2"
    return line[: m.start()] + new + line[m.end():]


def file_hunks(rng, lines, budget):
    """Hunks over one file, at most `budget` diff lines (hunk headers included)."""
    vocabulary = sorted({m.group() for l in lines for m in IDENT.finditer(l)}) or ["value"]
    hunks, used, pos = [], 0, rng.randint(0, 30)
    while True:
        removed_n = rng.randint(0, 5)
        added_extra = rng.randint(0 if removed_n else 1, 3)
        start = pos
        if start + 6 + removed_n > len(lines):
            break
        before = lines[start:start + 3]
        removed = lines[start + 3:start + 3 + removed_n]
        after = lines[start + 3 + removed_n:start + 6 + removed_n]
        added = []
        for line in removed:
            changed = edit(rng, line, vocabulary)
            if changed is not None and rng.random() < 0.85:
                added.append(changed)
        for _ in range(added_extra):
            source = lines[rng.randrange(len(lines))]
            added.append(edit(rng, source, vocabulary) or source)
        size = 1 + 3 + len(removed) + len(added) + 3
        if used + size > budget:
            break
        hunks.append({"old_start": start + 1, "before": before, "removed": removed,
                      "added": added, "after": after})
        used += size
        pos = start + 6 + removed_n + rng.randint(2, 16)
    return hunks, used


def emit(path, hunks, rng, out):
    digest = hashlib.sha1(path.encode()).hexdigest()
    out.append(f"diff --git a/{path} b/{path}")
    out.append(f"index {digest[:7]}..{digest[7:14]} 100644")
    out.append(f"--- a/{path}")
    out.append(f"+++ b/{path}")
    delta = 0
    for h in hunks:
        old_len = len(h["before"]) + len(h["removed"]) + len(h["after"])
        new_len = len(h["before"]) + len(h["added"]) + len(h["after"])
        new_start = h["old_start"] + delta
        out.append(f"@@ -{h['old_start']},{old_len} +{new_start},{new_len} @@")
        out.extend(" " + l for l in h["before"])
        out.extend("-" + l for l in h["removed"])
        out.extend("+" + l for l in h["added"])
        out.extend(" " + l for l in h["after"])
        delta += len(h["added"]) - len(h["removed"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    target = args.lines
    files = []  # (path, hunks)
    total, round_ = 0, 0
    while target - total >= 4 + 8:
        for name in FILES:
            remaining = target - total
            if remaining < 4 + 8:
                break
            lines = read(args.repo, args.commit, name)
            path = name if round_ == 0 else f"v{round_ + 1}/{name}"
            hunks, used = file_hunks(rng, lines, min(remaining - 4, MAX_FILE_LINES))
            if hunks:
                files.append((path, hunks, lines))
                total += 4 + used
        round_ += 1
        if round_ > 20:
            sys.exit("make-diff: cannot reach the line count")
    # Pad the last hunk with added lines up to the exact count.
    path, hunks, lines = files[-1]
    vocabulary = sorted({m.group() for l in lines for m in IDENT.finditer(l)}) or ["value"]
    while total < target:
        source = lines[rng.randrange(len(lines))]
        hunks[-1]["added"].append(edit(rng, source, vocabulary) or source)
        total += 1
    out = []
    for path, hunks, _ in files:
        emit(path, hunks, rng, out)
    assert len(out) == target, (len(out), target)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What a heap profile says was live at the heap's peak, by where it was allocated.

Reads the `dhat-heap.json` a run of `reportpress` built with `--features dhat-heap` writes
(BENCHMARKS.md, "Memory") and prints the bytes live at the peak (dhat's t-gmax) grouped by the
first DEPTH frames of this crate's (and sqlx's) functions in each allocation's stack.

    python3 scripts/dhat-top.py dhat-heap.json [DEPTH] [ROWS]
"""
import collections
import json
import re
import sys


def main():
    path = sys.argv[1]
    depth = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    with open(path) as f:
        data = json.load(f)
    frames = data["ftbl"]
    by_place = collections.Counter()
    blocks = collections.Counter()
    for pp in data["pps"]:
        names = []
        for i in pp["fs"]:
            m = re.search(r"(reportpress::[^\s(]+|sqlx\w*::[^\s(]+)", frames[i])
            if m and "alloc::" not in frames[i]:
                names.append(m.group(1))
        key = " < ".join(names[:depth]) or frames[pp["fs"][0]][:100]
        by_place[key] += pp.get("gb", 0)
        blocks[key] += pp.get("gbk", 0)
    total = sum(by_place.values())
    print(f"live at the peak (t-gmax {data['tg'] / 1e6:.1f} s of {data['te'] / 1e6:.1f} s): "
          f"{total / 1e6:.1f} MB in {sum(blocks.values())} blocks")
    for key, live in by_place.most_common(rows):
        print(f"{live / 1e6:8.2f} MB {blocks[key]:8d} blocks  {key}")


if __name__ == "__main__":
    main()

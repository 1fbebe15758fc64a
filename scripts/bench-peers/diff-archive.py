#!/usr/bin/env python3
"""Turns a 1-report archive from `reportpress demo --reports 1` into the peer benchmark's
archive: the report keeps its row, and its whole log becomes one `commit` entry (by a person)
carrying the given unified diff. Tasks, runs and other entries are removed, so reportpress
renders the diff and little else. Prints the report's uuid.

    diff-archive.py ARCHIVE.sqlite DIFF_FILE
"""

import json
import sqlite3
import sys


def main():
    archive, diff_path = sys.argv[1], sys.argv[2]
    with open(diff_path, encoding="utf-8") as f:
        diff = f.read()
    db = sqlite3.connect(archive)
    reports = db.execute("SELECT id, team_id, created_at FROM signals_signalreport").fetchall()
    if len(reports) != 1:
        sys.exit(f"diff-archive: expected one report in {archive}, found {len(reports)}")
    report_id, team_id, created_at = reports[0]
    user = db.execute("SELECT min(id) FROM posthog_user").fetchone()[0]
    for table in ("signals_signalreportartefact", "signals_signalreporttask",
                  "posthog_task_run", "posthog_task"):
        db.execute(f"DELETE FROM {table}")
    db.execute("UPDATE signals_signalreport SET status = 'ready' WHERE status = 'deleted'")
    content = {
        "repository": "posthog/reportpress",
        "branch": "posthog-code/peer-benchmark",
        "commit_sha": "5f0c6e1d2b3a4c5d6e7f8091a2b3c4d5e6f70819",
        "message": "refactor: rename identifiers across the renderer (peer benchmark)",
        "note": None,
        "diff": diff,
    }
    db.execute(
        "INSERT INTO signals_signalreportartefact (id, team_id, report_id, type, content, "
        "created_at, updated_at, created_by_id, task_id, channel_id, actor_kind, actor_agent) "
        "VALUES (?, ?, ?, 'commit', ?, ?, NULL, ?, NULL, NULL, 'user', NULL)",
        ("019a0000-0000-7000-8000-00000000d1ff", team_id, report_id,
         json.dumps(content), created_at, user),
    )
    db.commit()
    db.execute("VACUUM")
    print(report_id)


if __name__ == "__main__":
    main()

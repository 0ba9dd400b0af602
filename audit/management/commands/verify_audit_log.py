"""verify_audit_log: recompute the audit chain; exit 0 when intact, 1 naming the first break.

With --replay, also rebuild every audited table from its events and name every row that
differs (audit.replay); with --export-head FILE, write the verified head to a signed file to
keep outside the database; with --expect-head FILE (or SEQ:HASH), check that the chain still
holds that head at that place (audit.anchor). docs/audit.md says how an auditor uses them.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit import anchor as anchors
from audit.chain import parse_anchor, verify_chain
from audit.replay import Difference, replay


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the audit trail. Exits 0 and prints the event count and the "
        "head hash (keep it outside the database: docs/audit.md) when intact; otherwise exits 1 "
        "with one line naming the first event that was edited, deleted or reordered. --replay "
        "also compares every audited table with its events, one line per difference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="FILE|[SEQ:]HASH",
            help="a head exported earlier (a file written by --export-head, or SEQ:HASH or HASH "
            "as printed): it must still be in the chain, at that sequence number",
        )
        parser.add_argument(
            "--export-head",
            metavar="FILE",
            help="write the verified head (sequence number, hash, dates) to FILE, signed; "
            "'-' prints it",
        )
        parser.add_argument(
            "--replay",
            action="store_true",
            help="rebuild every audited table from its events and name every row that differs",
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="rows read per query (default 5000)"
        )

    def handle(
        self,
        *args,
        expect_head=None,
        export_head=None,
        replay=False,
        batch_size=5000,
        **options,
    ):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)
        anchor = self.anchor_of(expect_head) if expect_head else None
        report = verify_chain(batch_size=batch_size, anchor=anchor)
        if not report.ok:
            raise CommandError(f"audit chain BROKEN: {report.problem}", returncode=1)
        self.stdout.write(
            f"audit chain intact: {report.events} events; head {report.head_seq}:{report.head_hash}"
        )
        if anchor is not None:
            seq, digest = anchor
            self.stdout.write(
                f"anchored head {f'{seq}:' if seq is not None else ''}{digest} is in the chain"
            )
        if export_head:
            self.export(export_head, report.head_seq, report.head_hash)
        if replay:
            self.replay(batch_size, int(options.get("verbosity", 1)))

    def anchor_of(self, value: str) -> tuple[int | None, str]:
        """SEQ:HASH or HASH as printed, else the path of an exported head file."""
        try:
            return parse_anchor(value)
        except ValueError as exc:
            if not Path(value).exists():
                raise CommandError(
                    f"--expect-head: {exc}, and no file of that name", returncode=2
                ) from None
        try:
            found = anchors.read(value)
        except anchors.AnchorError as exc:
            raise CommandError(f"--expect-head: {exc}", returncode=1 if exc.forged else 2) from None
        self.stdout.write(f"anchor {value}: head {found.head} of {found.event_time}, signed")
        return found.seq, found.hash

    def export(self, path: str, seq: int, digest: str) -> None:
        if seq == 0:
            raise CommandError("--export-head: the trail is empty, nothing to anchor", returncode=1)
        text = anchors.render(anchors.head_anchor(seq, digest))
        if path == "-":
            self.stdout.write(text, ending="")
            return
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"--export-head: cannot write {path}: {exc}", returncode=2) from None
        self.stdout.write(f"head {seq}:{digest} written to {path}; keep it outside the system")

    def replay(self, batch_size: int, verbosity: int) -> None:
        started = time.monotonic()

        def report(difference: Difference) -> None:
            self.stderr.write(difference.line())

        result = replay(report=report, batch_size=batch_size)
        for label, count in sorted(result.unregistered.items()):
            self.stderr.write(
                f"{label}: {count} events, but the table is not replayed "
                "(register it in audit.replay)"
            )
        if verbosity >= 2:
            for label, table in result.tables.items():
                self.stdout.write(
                    f"  {label}: {table.rows} rows, {table.compared} compared, {table.seeded} "
                    f"written in bulk; compared: {', '.join(sorted(table.fields)) or '-'}"
                    + (
                        f"; recorded, not compared: {', '.join(sorted(table.uncompared))}"
                        if table.uncompared
                        else ""
                    )
                )
        rows = sum(t.rows for t in result.tables.values())
        compared = sum(t.compared for t in result.tables.values())
        seeded = sum(t.seeded for t in result.tables.values())
        took = time.monotonic() - started
        if not result.ok:
            differing = sorted(
                f"{label} {t.differences}" for label, t in result.tables.items() if t.differences
            ) + [f"{label} not replayed" for label in sorted(result.unregistered)]
            sys.stderr.flush()
            raise CommandError(
                f"audit replay: {result.differences} differences between the tables and their "
                f"trail ({'; '.join(differing)})",
                returncode=1,
            )
        self.stdout.write(
            f"audit replay: every audited table matches its trail: {rows} rows in "
            f"{len(result.tables)} tables, {compared} compared with their events, {seeded} "
            f"written in bulk with a summary event ({took:.1f} s)"
        )

"""verify_audit_log: recompute the audit chain; exit 0 when intact, 1 naming the first break."""

from django.core.management.base import BaseCommand, CommandError

from audit.chain import parse_anchor, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of the audit trail. Exits 0 and prints the event count and the "
        "head hash (keep it outside the database: docs/audit.md) when intact; otherwise exits 1 "
        "with one line naming the first event that was edited, deleted or reordered."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="[SEQ:]HASH",
            help="a head printed earlier (SEQ:HASH or HASH): it must still be in the chain, "
            "at that sequence number",
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="events read per query (default 5000)"
        )

    def handle(self, *args, expect_head=None, batch_size=5000, **options):
        anchor = None
        if expect_head:
            try:
                anchor = parse_anchor(expect_head)
            except ValueError as exc:
                raise CommandError(f"--expect-head: {exc}", returncode=2) from None
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)
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

"""Odoo tier benchmark of the addon ``accrochage_certificateur`` (not a test).

Run it with Odoo's Python on a database where the addon is installed::

    $ODOO_PYTHON bench/bench_odoo.py -c odoo.conf -d <database>
    # options: --passages 10000 --attendees 500

(``-c`` is an Odoo configuration whose ``addons_path`` includes this
repository; the engine ``accrochage`` must be importable by ``$ODOO_PYTHON``,
e.g. with this repository first on ``PYTHONPATH``.) The passages and their
holders are made and committed first, as a user's exist before they press a
button; the jobs run in a transaction that is rolled back, and the setup is
removed at the end: the database is left as it was.

It measures the user's jobs end to end, printing wall time, CPU time of the
Odoo process and the number of SQL queries, against the targets of issue 7
(scaled with ``--passages``):

1. N ready passages → one deposit built, written and validated against the
   built-in schema (target ≤ 3 s for 10,000);
2. "Check again" on N passages (target ≤ 2 s for 10,000);
3. a session of 500 admitted attendees closed → the automation rule creates
   and checks 500 passages (target ≤ 2 s).

The deposit and the check are run at N/10 too: their query counts must be
the same at both sizes. The reference, in the same run: the engine alone
(``accrochage.pipeline.run``) on the same passages, already in memory.
"""

import argparse
import datetime
import os
import tempfile
import time
import uuid

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

#: seconds per 10,000 passages (deposit, check) and per 500 attendees (close)
TARGETS = {"deposit": 3.0, "recheck": 2.0, "close": 2.0}


def _backend_cpu(pid):
    """CPU seconds of the PostgreSQL backend serving us, when it runs on this
    machine (``/proc``); None otherwise."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall time, CPU time of this process and of its PostgreSQL backend, and
    SQL queries, of one job (2 noisy cores: the CPU times are the steadier)."""

    backend = None

    def __init__(self, cr):
        self.cr = cr
        if Clock.backend is None:
            cr.execute("SELECT pg_backend_pid()")
            Clock.backend = cr.fetchone()[0]

    def __enter__(self):
        self.db = _backend_cpu(self.backend)
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        self.queries = self.cr.sql_log_count
        return self

    def __exit__(self, *_exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.queries = self.cr.sql_log_count - self.queries
        after = _backend_cpu(self.backend)
        self.db = after - self.db if after is not None and self.db is not None else None

    def line(self, target=None):
        text = f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU"
        if self.db is not None:
            text += f" + {self.db:.2f} s PostgreSQL"
        text += f", {self.queries} queries"
        if target is not None:
            verdict = "OK" if self.wall <= target else "OVER"
            text += f" — target ≤ {target:.1f} s [{verdict}]"
        return text


def _holders(env, count, tag):
    return env["res.partner"].create(
        [
            {
                "name": f"Bench {tag} {index}",
                # one holder each, whatever N and across the sets: the same holder in two
                # sets would be "the same holder twice", which the checks warn about
                "accrochage_birth_name": f"BENCH{tag}{index:06d}",
                "accrochage_first_name1": "  camille   marie ",
                "accrochage_sex": "F" if index % 2 else "M",
                "accrochage_birth_year": 1970 + index % 30,
                "accrochage_birth_month": 1 + index % 12,
                "accrochage_birth_day": 1 + index % 28,
                "accrochage_birth_insee": "69123",
                "accrochage_birth_city": "Lyon",
            }
            for index in range(count)
        ]
    )


def _setup(env):
    tag = uuid.uuid4().hex[:6].upper()
    certifier = env["accrochage.certifier"].create(
        {
            "partner_id": env["res.partner"].create({"name": f"Bench {tag}"}).id,
            "id_client": "12ABC345",
            "id_contrat": "MCFCER000123",
        }
    )
    certification = env["accrochage.certification"].create(
        {
            "name": f"Bench {tag}",
            "certification_type": "RNCP",
            "code": f"RNCP9{int(tag, 16) % 10000:04d}",
            "certifier_id": certifier.id,
        }
    )
    formation = env["event.type"].create(
        {"name": f"Bench {tag}", "accrochage_certification_id": certification.id}
    )
    return tag, certification, formation


def _passages(env, certification, tag, count):
    award = datetime.date.today() - datetime.timedelta(days=10)
    partners = _holders(env, count, tag)
    passages = (
        env["accrochage.passage"]
        .with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
        .create(
            [
                {
                    "partner_id": partner.id,
                    "certification_id": certification.id,
                    "award_date": award,
                    "exam_date_start": award,
                    "exam_date_end": award,
                    "access_mode": "CANDIDAT_LIBRE",
                }
                for partner in partners
            ]
        )
    )
    env.flush_all()
    return passages


def bench_deposit(env, passages):
    ready = passages.filtered(lambda p: p.state == "ready")
    env.invalidate_all()
    with Clock(env.cr) as clock:
        deposits = _build_deposit(env, ready)
        env.flush_all()
    assert deposits.state == "generated", deposits.error_message
    size = sum(len(attachment.raw) for attachment in deposits.file_ids)
    return clock, len(ready), deposits, size


def _build_deposit(env, passages):
    """The "Build deposit" button (``action_build_deposit``) without the window
    it opens; the previous version's button created the draft, then generated it."""
    Deposit = env["accrochage.deposit"]
    if hasattr(Deposit, "_build_from_passages"):
        return Deposit._build_from_passages(passages)
    deposits = Deposit._create_from_passages(passages)
    deposits._generate()
    return deposits


def bench_recheck(env, passages):
    env.invalidate_all()
    with Clock(env.cr) as clock:
        passages.action_recheck()
        env.flush_all()
    return clock


def bench_engine(env, passages):
    """The reference: the engine alone on the same passages, already read."""
    from accrochage import pipeline

    facts = [
        dict(item, idTechnique=f"REF-{index}")
        for index, item in enumerate(passages._to_engine().values())
    ]
    with tempfile.TemporaryDirectory() as out_dir, Clock(env.cr) as clock:
        pipeline.run(facts, out_dir, options=pipeline.Options(version="1.1.2"))
    return clock


def bench_close(env, formation, tag, count):
    award = datetime.date.today() - datetime.timedelta(days=3)
    session = env["event.event"].create(
        {
            "name": f"Bench {tag}",
            "event_type_id": formation.id,
            "date_begin": datetime.datetime.now() - datetime.timedelta(days=10),
            "date_end": datetime.datetime.now() - datetime.timedelta(days=3),
            "accrochage_exam_date_start": award,
            "accrochage_exam_date_end": award,
            "accrochage_exam_mode": "EN_PRESENTIEL",
            "accrochage_exam_postcode": "69003",
        }
    )
    partners = _holders(env, count, tag + "S")
    env["event.registration"].create(
        [
            {
                "event_id": session.id,
                "partner_id": partner.id,
                "accrochage_result": "admitted",
                "accrochage_award_date": award,
                "accrochage_access_mode": "CANDIDAT_LIBRE",
            }
            for partner in partners
        ]
    )
    env.flush_all()
    env.invalidate_all()
    with Clock(env.cr) as clock:
        session.action_set_done()
        env.flush_all()
    return clock, session.accrochage_passage_ids


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--passages", type=int, default=10000)
    parser.add_argument("--attendees", type=int, default=500)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level", "warn"])
    odoo.modules.module.current_test = False
    registry = Registry(args.database)
    scale = args.passages / 10000
    # the passages exist before the user presses a button: made and committed
    # first (a row updated in the transaction that inserted it costs
    # PostgreSQL its foreign-key checks again), removed at the end
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        tag, certification, formation = _setup(env)
        small = _passages(env, certification, tag + "A", max(args.passages // 10, 1))
        big = _passages(env, certification, tag + "B", args.passages)
        made = [(records._name, records.ids) for records in (certification, formation, small, big)]
        cr.commit()
    _vacuum(registry)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            try:
                _run(env, *(env[model].browse(ids) for model, ids in made), tag, scale, args)
            finally:
                cr.rollback()
    finally:
        with registry.cursor() as cr:
            _remove(api.Environment(cr, SUPERUSER_ID, {}), made)


def _vacuum(registry):
    """The tables the jobs write, as autovacuum keeps them: the benchmark's own
    runs leave tens of thousands of dead rows there each time, which slow the
    next run's writes (one UPDATE of 10,000 passages: 0.3 s vacuumed, 0.6 s not)."""
    with registry.cursor() as cr:
        cr._cnx.autocommit = True  # VACUUM runs outside a transaction, as in odoo.service.db
        for table in ("accrochage_passage", "accrochage_deposit_line", "res_partner"):
            cr.execute(SQL("VACUUM ANALYZE %s", SQL.identifier(table)))


def _run(env, certification, formation, small, big, tag, scale, args):
    clock = bench_recheck(env, small)
    print(f"check again: {len(small)} passages in {clock.line()}")
    clock = bench_recheck(env, big)
    print(f"check again: {len(big)} passages in {clock.line(TARGETS['recheck'] * scale)}")
    reference = bench_engine(env, big)
    print(f"reference: the engine alone on {len(big)} passages in {reference.line()}")
    clock, count, deposits, size = bench_deposit(env, small)
    print(f"deposit: {count} passages in {clock.line()}")
    clock, count, deposits, size = bench_deposit(env, big)
    print(
        f"deposit: {count} passages built, written and validated in "
        f"{clock.line(TARGETS['deposit'] * scale)} ({len(deposits.file_ids)} file(s), "
        f"{size / 1e6:.1f} MB; {clock.wall / reference.wall:.1f}× the engine alone)"
    )
    clock, passages = bench_close(env, formation, tag, args.attendees)
    states = {
        state: passages.mapped("state").count(state) for state in set(passages.mapped("state"))
    }
    print(
        f"close: session of {args.attendees} admitted attendees closed in "
        f"{clock.line(TARGETS['close'] * args.attendees / 500)} → {len(passages)} "
        f"passages {states}"
    )


def _remove(env, made):
    """The committed setup, removed: passages, holders, formation, certification."""
    ids = {}
    for model, record_ids in made:
        ids.setdefault(model, []).extend(record_ids)
    passages = env["accrochage.passage"].browse(ids["accrochage.passage"])
    holders = passages.partner_id
    certification = env["accrochage.certification"].browse(ids["accrochage.certification"])
    certifier = certification.certifier_id
    owner = certifier.partner_id
    passages.unlink()
    holders.unlink()
    env["event.type"].browse(ids["event.type"]).unlink()
    certification.unlink()
    certifier.unlink()
    owner.unlink()


if __name__ == "__main__":
    main()

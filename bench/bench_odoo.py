"""Odoo tier benchmark of the addon ``accrochage_certificateur``.

Run it with Odoo's Python on a database where the addon is installed::

    $ODOO_PYTHON bench/bench_odoo.py -c odoo.conf -d <database>
    # options: --passages 10000 --attendees 500

(``-c`` is an Odoo configuration whose ``addons_path`` includes this
repository; the engine ``accrochage`` must be importable by ``$ODOO_PYTHON``,
e.g. ``$ODOO_PYTHON -m pip install -e .``.) Everything happens in one
transaction that is rolled back at the end: the database is left unchanged.

It measures, and prints against the targets of issue 3:

1. 10,000 ready passages → one deposit built, written and validated against
   the built-in schema (target ≤ 15 s);
2. a session of 500 admitted attendees closed → the automation rule creates
   and checks 500 passages (target ≤ 2 s).
"""

import argparse
import datetime
import time
import uuid

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import config

TARGETS = {"deposit": 15.0, "close": 2.0}


def _holders(env, count, tag):
    return env["res.partner"].create(
        [
            {
                "name": f"Bench {tag} {index}",
                "accrochage_birth_name": f"BENCH{index % 1000:03d}",
                "accrochage_first_name1": "Camille",
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


def bench_deposit(env, certification, tag, count):
    award = datetime.date.today() - datetime.timedelta(days=10)
    start = time.perf_counter()
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
    setup = time.perf_counter() - start
    ready = passages.filtered(lambda p: p.state == "ready")
    env.invalidate_all()
    start = time.perf_counter()
    deposits = env["accrochage.deposit"]._create_from_passages(ready)
    deposits._generate()
    env.flush_all()
    elapsed = time.perf_counter() - start
    assert deposits.state == "generated", deposits.error_message
    size = sum(len(attachment.raw) for attachment in deposits.file_ids)
    return setup, elapsed, len(ready), deposits, size


def bench_close(env, formation, tag, count):
    start = time.perf_counter()
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
    setup = time.perf_counter() - start
    env.invalidate_all()
    start = time.perf_counter()
    session.action_set_done()
    env.flush_all()
    elapsed = time.perf_counter() - start
    passages = session.accrochage_passage_ids
    return setup, elapsed, passages


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
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        tag, certification, formation = _setup(env)
        try:
            setup, elapsed, count, deposits, size = bench_deposit(
                env, certification, tag, args.passages
            )
            print(
                f"deposit: {count} passages built, written and validated in {elapsed:.2f} s "
                f"({count / elapsed:.0f}/s; {len(deposits.file_ids)} file(s), "
                f"{size / 1e6:.1f} MB) — target ≤ {TARGETS['deposit']:.0f} s "
                f"[{'OK' if elapsed <= TARGETS['deposit'] else 'OVER'}] "
                f"(setup: {setup:.1f} s to create the passages)"
            )
            setup, elapsed, passages = bench_close(env, formation, tag, args.attendees)
            states = {
                state: passages.mapped("state").count(state)
                for state in set(passages.mapped("state"))
            }
            print(
                f"close: session of {args.attendees} admitted attendees closed in "
                f"{elapsed:.2f} s → {len(passages)} passages {states} — target ≤ "
                f"{TARGETS['close']:.0f} s [{'OK' if elapsed <= TARGETS['close'] else 'OVER'}] "
                f"(setup: {setup:.1f} s)"
            )
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()

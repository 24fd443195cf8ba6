"""Odoo tier benchmark: a CDC processing receipt applied to its deposit.

Run it with Odoo's Python on a database where the addon is installed::

    $ODOO_PYTHON bench/bench_receipt.py -c odoo.conf -d <database>
    # options: --passages 50000 --rejected 5000 (repeatable: --passages 200000)

The user's job, end to end: import the accusé de traitement of a deposited
file of ``--passages`` passages, ``--rejected`` of them KO (five different
CDC messages, as real receipts repeat a few), the rest OK — parse, match the
file, write every line and passage, post the summary, flush to the
database. The reference printed in the same run is the engine alone on the
same receipt (parse + outcome per passage): what no addon can go below.

The passages, the deposit and its lines are created with SQL (setup, not
measured: the ORM would spend minutes running the pre-send rules). It runs
in one transaction rolled back at the end: the database is left unchanged.
It also runs against the previous version of the addon (a deposit with its
idFlux in ``id_flux_list``), to measure before/after on one machine.

Target (issue 10): 50,000 passages with 5,000 KO in ≤ 10 s; 200,000 in ≤ 60 s.
"""

import argparse
import datetime
import os
import time
import uuid

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tools import SQL, config

TARGETS = {50_000: 10.0, 200_000: 60.0}
MESSAGES = (
    "Aucun titulaire ne correspond aux critères obligatoires",
    "Plusieurs titulaires ont été identifiés",
    "Aucun titulaire ne correspond aux critères obligatoires enrichis",
    "Le statut de la certification RNCP34999 est KO",
    "Erreur inattendue du traitement",
)


def _clock():
    return time.perf_counter(), time.process_time()


def _since(start):
    wall, cpu = _clock()
    return wall - start[0], cpu - start[1]


def _setup(env, count):
    """A deposited file of ``count`` exported passages (SQL: setup only)."""
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
            "code": "RNCP34999",
            "certifier_id": certifier.id,
        }
    )
    holder = env["res.partner"].create({"name": f"Bench holder {tag}"})
    deposit = env["accrochage.deposit"].create(
        {"certifier_id": certifier.id, "schema_version": "1.1.2", "state": "sent"}
    )
    env.flush_all()
    award = datetime.date.today() - datetime.timedelta(days=10)
    env.cr.execute(
        SQL(
            "INSERT INTO accrochage_passage (id_technique, company_id, state, partner_id, "
            "certification_id, certifier_id, award_date, result_final, has_blocking, "
            "pending_deposit_id, create_uid, write_uid, create_date, write_date) "
            "SELECT %(tag)s || '-' || n, %(company)s, 'exported', %(holder)s, %(cert)s, "
            "%(certifier)s, %(award)s, true, false, %(deposit)s, 1, 1, now(), now() "
            "FROM generate_series(1, %(count)s) AS n RETURNING id, id_technique",
            tag=tag,
            company=deposit.company_id.id,
            holder=holder.id,
            cert=certification.id,
            certifier=certifier.id,
            award=award,
            deposit=deposit.id,
            count=count,
        )
    )
    rows = env.cr.fetchall()
    deposit._insert_lines([row[0] for row in rows])
    id_flux = str(uuid.uuid4())
    if "accrochage.deposit.file" in env:
        file = env["accrochage.deposit.file"].create(
            {
                "deposit_id": deposit.id,
                "name": f"bench-{tag}.xml",
                "id_flux": id_flux,
                "state": "sent",
                "passage_count": count,
            }
        )
        env.flush_all()
        env.cr.execute(
            SQL(
                "UPDATE accrochage_deposit_line SET file_id = %s WHERE deposit_id = %s",
                file.id,
                deposit.id,
            )
        )
    else:  # the previous version: the idFlux in a text
        deposit.write({"id_flux": id_flux, "id_flux_list": id_flux, "file_count": 1})
    env.flush_all()
    env.invalidate_all()
    return deposit, id_flux, [row[1] for row in rows]


def _receipt(id_flux, ids, rejected):
    ko = "".join(
        f"<passage><idTechnique>{ident}</idTechnique>"
        f"<messageErreur>{MESSAGES[index % len(MESSAGES)]}</messageErreur></passage>"
        for index, ident in enumerate(ids[:rejected])
    )
    ok = "".join(f"<idTechnique>{ident}</idTechnique>" for ident in ids[rejected:])
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<rapport xmlns:ns2="urn:cdc:cpf:pc5:rapport:schema">'
        f"<nomFichier>bench.xml</nomFichier><idFlux>{id_flux}</idFlux>"
        f"<idTraitement>1</idTraitement><PassagesKO>{ko}</PassagesKO>"
        f"<PassagesOK>{ok}</PassagesOK></rapport>"
    ).encode()


def bench(env, count, rejected):
    deposit, id_flux, ids = _setup(env, count)
    data = _receipt(id_flux, ids, rejected)

    from accrochage.receipt import parse_receipt

    start = _clock()
    parsed = parse_receipt(data)
    try:
        from accrochage.receipt import receipt_outcome

        receipt_outcome(ids, parsed, id_flux=id_flux)
    except ImportError:  # an engine without outcomes: parsing is the reference
        pass
    reference = _since(start)

    start = _clock()
    env["accrochage.deposit"]._import_receipt(data, filename="bench.xml")
    env.flush_all()
    applied = _since(start)
    env.invalidate_all()
    states = dict(
        env["accrochage.passage"]._read_group(
            [("pending_deposit_id", "=", False), ("id_technique", "in", ids)],
            ["state"],
            ["__count"],
        )
    )
    assert deposit.state == "processed", deposit.state
    assert states == {"accepted": count - rejected, "rejected": rejected}, states
    return reference, applied, len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--passages", type=int, action="append")
    parser.add_argument("--rejected", type=int, default=None, help="default: 10 %%")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level", "warn"])
    odoo.modules.module.current_test = False
    registry = Registry(args.database)
    addon = os.path.dirname(odoo.modules.module.get_module_path("accrochage_certificateur"))
    print(f"addon from {addon}, {os.cpu_count()} CPU(s)")
    for count in args.passages or [50_000]:
        rejected = args.rejected if args.rejected is not None else count // 10
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            try:
                (ref_wall, ref_cpu), (wall, cpu), size = bench(env, count, rejected)
            finally:
                cr.rollback()
        target = TARGETS.get(count)
        verdict = (
            f" — target ≤ {target:.0f} s [{'OK' if wall <= target else 'OVER'}]" if target else ""
        )
        print(
            f"receipt of {count} passages ({rejected} KO, {size / 1e6:.1f} MB) applied in "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU (Odoo process){verdict}; engine alone "
            f"(parse + outcomes): {ref_wall:.2f} s wall, {ref_cpu:.2f} s CPU"
        )


if __name__ == "__main__":
    main()

"""Odoo tier benchmark of the partner exchange: a partner pushes its candidates.

Run it with Odoo's Python on a database where the addon is installed::

    $ODOO_PYTHON bench/bench_partner.py -c odoo.conf -d <database> [--candidates 500]

Everything happens in one transaction rolled back at the end. In the same
run it measures, wall and CPU time:

1. ``partner_submit`` of N candidates as the partner's technical user (the
   certifier's side of one JSON-2 call, without HTTP);
2. the same push replayed (nothing changes: what a retry costs);
3. the reference: the same N rows as a CSV in the CDC template layout,
   imported with the certifier's own "Import passages" wizard (preview,
   then import), the path a partner without Odoo takes.
"""

import argparse
import base64
import datetime
import time
import uuid

import odoo
from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tools import config

CONTINUING = "FORMATION_CONTINUE_HORS_CONTRAT_DE_PROFESSIONNALISATION"
COLUMNS = "4.1;4.2;5.1;5.4;5.5;5.10;5.12;5.14;7.1;7.3;8.1;8.3;8.6;8.7;8.8;8.9;8.10;8.12"


def _facts(index, award, code):
    return {
        "type": "RNCP",
        "code": code,
        "obtentionCertification": "PAR_ADMISSION",
        "donneeCertifiee": True,
        "dateDebutValidite": award.isoformat(),
        "modaliteAcces": CONTINUING,
        "initiativeInscription": "OF",
        "nomNaissance": f"BENCH{index:06d}",
        "prenom1": "Camille",
        "anneeNaissance": 1970 + index % 30,
        "moisNaissance": 1 + index % 12,
        "jourNaissance": 1 + index % 28,
        "sexe": "F" if index % 2 else "M",
        "codeInsee": "69123",
        "libelleCommuneNaissance": "Lyon",
    }


def _csv(rows, tag):
    lines = [COLUMNS]
    for index, facts in enumerate(rows):
        lines.append(
            ";".join(
                str(value)
                for value in (
                    facts["type"],
                    facts["code"],
                    f"CSV-{tag}-{index}",
                    facts["obtentionCertification"],
                    "true",
                    facts["dateDebutValidite"],
                    "false",
                    "false",
                    facts["modaliteAcces"],
                    facts["initiativeInscription"],
                    facts["nomNaissance"] + "C",
                    facts["prenom1"],
                    facts["anneeNaissance"],
                    facts["moisNaissance"],
                    facts["jourNaissance"],
                    facts["sexe"],
                    facts["codeInsee"],
                    facts["libelleCommuneNaissance"],
                )
            )
        )
    return ("\n".join(lines) + "\n").encode()


def _timed(job):
    wall, cpu = time.perf_counter(), time.process_time()
    result = job()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--candidates", type=int, default=500)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level", "warn"])
    odoo.modules.module.current_test = False
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            tag = uuid.uuid4().hex[:6].upper()
            award = datetime.date.today() - datetime.timedelta(days=20)
            code = f"RNCP9{int(tag, 16) % 10000:04d}"
            certifier = env["accrochage.certifier"].create(
                {
                    "partner_id": env["res.partner"].create({"name": f"Bench {tag}"}).id,
                    "id_client": "12ABC345",
                    "id_contrat": "MCFCER000123",
                }
            )
            certification = env["accrochage.certification"].create(
                {"name": "Bench", "certification_type": "RNCP", "code": code,
                 "certifier_id": certifier.id}
            )  # fmt: skip
            organisation = env["accrochage.partner.organisation"].create(
                {
                    "partner_id": env["res.partner"]
                    .create({"name": f"Bench OF {tag}", "is_company": True})
                    .id,
                    "habilitation_ids": [
                        fields.Command.create(
                            {
                                "certification_id": certification.id,
                                "date_start": award - datetime.timedelta(days=365),
                                "state": "active",
                            }
                        )
                    ],
                }
            )
            organisation._ensure_user()
            rows = [_facts(index, award, code) for index in range(args.candidates)]
            candidates = [
                {"reference": f"B-{tag}-{index}", "passage": facts}
                for index, facts in enumerate(rows)
            ]
            passages = env["accrochage.passage"].with_user(organisation.user_id)
            n = args.candidates
            for label in ("partner_submit", "partner_submit replayed"):
                answer, wall, cpu = _timed(
                    lambda: (passages.partner_submit(candidates), env.flush_all())[0]
                )
                print(
                    f"{label}: {n} candidates in {wall:.2f} s wall, {cpu:.2f} s CPU "
                    f"({1000 * wall / n:.1f} ms each) → ready {answer['ready']}, "
                    f"incomplete {answer['incomplete']}, refused {answer['refused']}"
                )
            wizard = env["accrochage.passage.import"].create(
                {"file": base64.b64encode(_csv(rows, tag)), "filename": "bench.csv"}
            )

            def import_csv():
                wizard.action_preview()
                wizard.action_confirm()
                env.flush_all()

            _none, wall, cpu = _timed(import_csv)
            print(
                f"reference, Import passages wizard: {n} rows in {wall:.2f} s wall, "
                f"{cpu:.2f} s CPU ({1000 * wall / n:.1f} ms each)"
            )
        finally:
            cr.rollback()


if __name__ == "__main__":
    main()

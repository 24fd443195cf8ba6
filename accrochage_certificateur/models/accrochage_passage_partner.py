"""Passages and partner organisations: both ends of the partner exchange.

Certifier side: a partner organisation's system calls :meth:`partner_submit`
and :meth:`partner_status` on ``accrochage.passage`` through Odoo's JSON-2
endpoint (``POST /json/2/accrochage.passage/partner_submit``, bearer API key
of its technical user). Partner side (the same addon in the partner's
database): "Transmettre au certificateur" pushes passages there, a cron
reads their status back.
"""

import json
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from accrochage import exchange

from ..engine import DEFAULT_VERSION
from .accrochage_passage import PASSAGE_FACTS
from .res_partner import COUNTRY_FIELD, NIR_FIELD, PARTNER_FACTS

_logger = logging.getLogger(__name__)

#: candidate fact key -> passage field (the partner never sends idTechnique)
CANDIDATE_PASSAGE_FIELDS = {
    key: name for key, name in PASSAGE_FACTS.items() if key in exchange.CANDIDATE_KEYS
}
#: candidate fact key -> holder (res.partner) field
CANDIDATE_HOLDER_FIELDS = {**PARTNER_FACTS, "nir": NIR_FIELD}
CERTIFIER_STATES = [
    ("refused", "Refused by the certifier"),
    ("incomplete", "Incomplete at the certifier"),
    ("ready", "Ready at the certifier"),
    ("exported", "Deposited, awaiting the CDC receipt"),
    ("accepted", "Accepted by the Caisse des Dépôts"),
    ("rejected", "Rejected by the Caisse des Dépôts"),
    ("withdrawing", "Withdrawal sent to the Caisse des Dépôts"),
    ("withdrawn", "Withdrawn by the certifier"),
    ("out_of_scope", "Out of the Caisse des Dépôts' scope"),
]
#: passages in a file for the CDC, or held by it: a partner no longer changes them
FROZEN = ("exported", "accepted", "withdrawing", "withdrawn")
SUBMIT_PATH = "/json/2/accrochage.passage/partner_submit"
STATUS_PATH = "/json/2/accrochage.passage/partner_status"
#: candidates per call made by the partner side
PUSH_BATCH = 200


def _diff(record, vals):
    """The values of ``vals`` that differ from ``record``'s (a replay writes nothing)."""
    changed = {}
    for name, value in vals.items():
        current = record[name]
        field = record._fields[name]
        if field.type == "many2one":
            current = current.id
            value = value or False
        elif field.type == "date":
            value = fields.Date.to_date(value) if value else False
        elif field.type == "boolean":
            value = bool(value)
        elif value is None or value == "":
            value = False
        if field.type == "integer":
            value = value or 0
        if current != value:
            changed[name] = value
    return changed


class AccrochagePassage(models.Model):
    _inherit = "accrochage.passage"

    # certifier side
    partner_organisation_id = fields.Many2one(
        "accrochage.partner.organisation",
        "Partner organisation",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="The partner organisation that prepared or assessed the candidate and "
        "transmitted the passage.",
    )
    partner_reference = fields.Char(
        "Partner reference",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The partner's own id of the candidate: a push with the same reference "
        "updates this passage, never creates another.",
    )
    # partner side: what the certifier said about a passage transmitted to it
    certifier_sent_date = fields.Datetime("Transmitted on", readonly=True, copy=False)
    certifier_state = fields.Selection(
        CERTIFIER_STATES, "Certifier status", readonly=True, copy=False
    )
    certifier_message = fields.Text("Certifier message", readonly=True, copy=False)
    certifier_hint = fields.Text("Certifier hint", readonly=True, copy=False)
    certifier_deposit = fields.Char("Certifier deposit", readonly=True, copy=False)
    certifier_deposited_on = fields.Datetime("Deposited on", readonly=True, copy=False)
    certifier_status_display = fields.Char(
        "At the certifier", compute="_compute_certifier_status_display"
    )

    _partner_reference_uniq = models.UniqueIndex(
        "(partner_organisation_id, partner_reference) WHERE partner_reference IS NOT NULL",
        "This partner organisation already sent a candidate with this reference.",
    )

    @api.depends("certifier_sent_date", "certifier_state")
    @api.depends_context("lang")
    def _compute_certifier_status_display(self):
        labels = dict(self._fields["certifier_state"]._description_selection(self.env))
        for passage in self:
            if not passage.certifier_sent_date:
                passage.certifier_status_display = False
                continue
            sent = self.env._(
                "transmitted on %(date)s",
                date=fields.Datetime.to_string(
                    fields.Datetime.context_timestamp(passage, passage.certifier_sent_date)
                )[:16],
            )
            state = labels.get(passage.certifier_state)
            passage.certifier_status_display = f"{state} ({sent})" if state else sent

    # ------------------------------------------------------------------
    # certifier side: the API a partner calls
    # ------------------------------------------------------------------
    @api.model
    def _partner_organisation(self):
        """The organisation whose technical user calls, if it may push."""
        organisation = (
            self.env["accrochage.partner.organisation"]
            .sudo()
            .search([("user_id", "=", self.env.uid)], limit=1)
        )
        if not organisation or organisation.state != "active":
            raise UserError(
                self.env._(
                    "This API key belongs to no active partner organisation: ask the "
                    "certifier to activate a habilitation."
                )
            )
        return organisation

    @api.model
    def _partner_limits(self, organisation, candidates):
        """Refuse a push over the configured size or count, as a whole."""
        company = organisation.company_id.sudo()
        max_count = company.accrochage_partner_max_candidates
        max_bytes = company.accrochage_partner_max_bytes
        if request and request.httprequest.content_length:
            size = request.httprequest.content_length
        else:
            size = len(json.dumps(candidates, default=str).encode())
        if not isinstance(candidates, list):
            problem = self.env._(
                "“candidates” must be a list of objects {“reference”: …, “passage”: {…}}."
            )
        elif max_bytes and size > max_bytes:
            problem = self.env._(
                "The request is %(size)s bytes, over the %(max)s allowed: nothing was "
                "recorded; send the candidates in smaller batches.",
                size=size,
                max=max_bytes,
            )
        elif max_count and len(candidates) > max_count:
            problem = self.env._(
                "%(count)s candidates in one request, over the %(max)s allowed: nothing "
                "was recorded; send them in batches of %(max)s at most.",
                count=len(candidates),
                max=max_count,
            )
        else:
            return
        organisation._log_exchange(
            self.env._("Partner push refused as a whole: %(problem)s", problem=problem),
            apart=True,
        )
        raise UserError(problem)

    @api.model
    def partner_submit(self, candidates: list[dict]) -> dict:
        """Push candidates to the certifier: each is checked and recorded.

        Sending a reference again updates that candidate; sending the same
        data again changes nothing. Each candidate is answered "Prêt" (ready
        to deposit), "Incomplet" (recorded; the findings say what to fix, in
        French, with the dictionary ids) or "Refusé" (not recorded: fix it
        and send it again). Every push is logged on the organisation's
        chatter, as counts.

        :param candidates: objects ``{"reference": "...", "passage": {...}}``,
            the passage keyed by the CDC dictionary's fact keys, the reference
            being your own id of the candidate
        :returns: the counts and, for each candidate, its status and findings
        :raises UserError: the whole request is refused (over the configured
            size or count, or the key belongs to no active partner organisation)
        """
        organisation = self._partner_organisation()
        self._partner_limits(organisation, candidates)
        company = organisation.company_id
        self = self.with_company(company)  # noqa: PLW0642
        version = company.sudo().accrochage_schema_version or DEFAULT_VERSION
        today = fields.Date.context_today(self)
        certifications = {
            (h.certification_id.certification_type, h.certification_id.code): h.certification_id
            for h in organisation.habilitation_ids.sudo().filtered("is_current")
        }
        read, seen = {}, set()
        for position, raw in enumerate(candidates, start=1):
            candidate = exchange.read_candidate(raw, version=version, position=position)
            if not candidate.refused:
                candidate.certification = self._partner_certification(
                    candidate, certifications, position, seen
                )
            read[position] = candidate
        answers, moves, recorded = {}, {"created": 0, "updated": 0, "unchanged": 0}, {}
        for position, candidate in read.items():
            if candidate.refused:
                answers[position] = exchange.answer(
                    candidate.reference, exchange.REFUSED, candidate.findings
                )
                continue
            passage = self._partner_record(organisation, candidate, moves)
            if isinstance(passage, dict):  # refused while recording
                answers[position] = passage
            else:
                recorded[position] = passage.sudo()
        # the checks run on the passages as they will be deposited, by the
        # addon's one call of the engine pipeline (ids across the database,
        # the company's strict setting)
        checked = self.browse().sudo().concat(*recorded.values())
        outcomes = checked._accrochage_run(version=version, today=today)[0] if checked else {}
        found = {
            position: list(outcomes[passage].findings)
            for position, passage in recorded.items()
            if passage in outcomes
        }
        for position, passage in recorded.items():
            answers[position] = self._partner_answer(
                read[position].reference, passage, found.get(position, [])
            )
        answers = [answers[position] for position in sorted(answers)]
        counts = {status: 0 for status in exchange.LABELS}
        for item in answers:
            counts[item["status"]] += 1
        organisation._log_exchange(
            self.env._(
                "Partner push: %(total)s candidate(s) received, %(ready)s ready, "
                "%(incomplete)s incomplete, %(refused)s refused (%(created)s created, "
                "%(updated)s updated, %(unchanged)s unchanged).",
                total=len(answers),
                **counts,
                **moves,
            )
        )
        return {
            "organisation": organisation.name,
            "received": len(answers),
            **counts,
            "candidates": answers,
        }

    @api.model
    def _partner_certification(self, candidate, certifications, position, seen):
        """The certification a candidate is for, when the partner may push it."""
        from accrochage.findings import BLOCKING, Finding

        passage = candidate.passage
        key = (passage.get("type"), passage.get("code"))
        if candidate.reference in seen:
            message = self.env._(
                "Candidate no. %(position)s: the reference “%(reference)s” is already in this "
                "request; send each candidate once.",
                position=position,
                reference=candidate.reference,
            )
        elif not all(key):
            message = self.env._(
                "Candidate no. %(position)s: give the certification's “type” (RNCP or RS) "
                "and “code” (#4.1, #4.2).",
                position=position,
            )
        elif key not in certifications:
            message = self.env._(
                "Candidate no. %(position)s: your organisation has no habilitation in force "
                "for %(code)s; ask the certifier.",
                position=position,
                code=key[1],
            )
        else:
            seen.add(candidate.reference)
            return certifications[key]
        candidate.findings.append(
            Finding(BLOCKING, "partner_refused", message, row=position, source="échange partenaire")
        )
        return self.env["accrochage.certification"]

    def _partner_record(self, organisation, candidate, moves):
        """Create or update the passage and its holder: the passage, or the
        candidate's refusal when recording it failed (nothing kept then)."""
        existing = self.sudo().search(
            [
                ("partner_organisation_id", "=", organisation.id),
                ("partner_reference", "=", candidate.reference),
            ],
            limit=1,
        )
        try:
            with self.env.cr.savepoint():
                passage, move = self._partner_upsert(organisation, candidate, existing)
        except (UserError, ValidationError) as error:
            from accrochage.findings import BLOCKING, Finding

            message = error.args[0] if error.args else str(error)
            return exchange.answer(
                candidate.reference,
                exchange.REFUSED,
                [Finding(BLOCKING, "partner_refused", message, source="échange partenaire")],
            )
        moves[move] += 1
        return passage

    @api.model
    def _partner_answer(self, reference, passage, findings):
        """Prêt when nothing blocks it (or it is already deposited), else Incomplet."""
        blocking = [finding for finding in findings if finding.blocking]
        if passage.state in FROZEN or (passage.state == "ready" and not blocking):
            return exchange.answer(reference, exchange.READY, findings)
        if not blocking:
            # the certifier's own check found what the candidate lacks
            from accrochage.findings import Finding

            findings = [
                *findings,
                *(
                    Finding(**{k: v for k, v in item.items() if k in Finding.__dataclass_fields__})
                    for item in passage._blocking_findings()
                ),
            ]
        return exchange.answer(reference, exchange.INCOMPLETE, findings)

    def _partner_upsert(self, organisation, candidate, existing):
        """``(passage, "created" | "updated" | "unchanged")``.

        The holder is written in sudo (a partner never reads contacts); the
        passage as the partner's user, so the record rules decide.
        """
        holder_vals = self._partner_holder_vals(candidate.passage)
        passage_vals = {
            name: candidate.passage[key]
            for key, name in CANDIDATE_PASSAGE_FIELDS.items()
            if key in candidate.passage
        }
        if existing and existing.certification_id != candidate.certification:
            raise UserError(
                self.env._(
                    "The reference “%(reference)s” was sent for %(code)s: a reference names "
                    "one candidate for one certification; give this one a new reference.",
                    reference=candidate.reference,
                    code=existing.certification_id.code,
                )
            )
        if existing:
            holder = existing.partner_id.sudo()
            holder_diff = _diff(holder, holder_vals)
            passage_diff = _diff(existing, passage_vals)
            if existing.state in FROZEN and (holder_diff or passage_diff):
                raise UserError(
                    self.env._(
                        "This candidate is already in a file for the Caisse des Dépôts: it "
                        "can no longer be changed by a push; contact the certifier."
                    )
                )
            if not holder_diff and not passage_diff:
                return existing, "unchanged"
            if holder_diff:
                holder.write(holder_diff)
            if passage_diff:
                existing.with_env(self.env).write(passage_diff)
            if existing.state == "rejected":
                existing.sudo().action_recheck()
            return existing, "updated"
        holder = self._partner_find_holder(organisation, holder_vals)
        if holder:
            holder_diff = _diff(holder, holder_vals)
            if holder_diff:
                holder.write(holder_diff)
        else:
            holder = self._partner_new_holder(organisation, holder_vals)
        # no "created" line per passage: the push is logged once, on the organisation
        passage = self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True).create(
            {
                **passage_vals,
                "company_id": organisation.company_id.id,
                "certification_id": candidate.certification.id,
                "partner_id": holder.id,
                "partner_organisation_id": organisation.id,
                "partner_reference": candidate.reference,
            }
        )
        return passage, "created"

    @api.model
    def _partner_holder_vals(self, passage):
        vals = {
            name: passage[key] for key, name in CANDIDATE_HOLDER_FIELDS.items() if key in passage
        }
        code = passage.get("codePaysNaissance")
        if "codePaysNaissance" in passage:
            country = self.env["res.country"]
            if code:
                cog = int(code) if len(code) == 5 else int("99" + code.zfill(3))
                country = country.search([("fr_cog", "=", cog)], limit=1)
                if not country:
                    raise UserError(
                        self.env._(
                            "Birth country code (#8.13) “%(code)s” is unknown: give the "
                            "country's INSEE code (99XXX or its last three digits).",
                            code=code,
                        )
                    )
            vals[COUNTRY_FIELD] = country.id
        return vals

    @api.model
    def _partner_find_holder(self, organisation, vals):
        """The holder of another passage of this organisation with the same civil status."""
        keys = (
            "accrochage_birth_name",
            "accrochage_first_name1",
            "accrochage_sex",
            "accrochage_birth_year",
            "accrochage_birth_month",
            "accrochage_birth_day",
        )
        if not all(vals.get(key) for key in keys):
            return self.env["res.partner"].sudo()
        domain = [(key, "=", vals[key]) for key in keys]
        domain.append(("accrochage_passage_ids.partner_organisation_id", "=", organisation.id))
        return self.env["res.partner"].sudo().search(domain, limit=1)

    @api.model
    def _partner_new_holder(self, organisation, vals):
        first = vals.get("accrochage_first_name1") or ""
        last = vals.get("accrochage_usage_name") or vals.get("accrochage_birth_name") or ""
        name = " ".join(part for part in (first, last) if part) or self.env._("Holder")
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(mail_create_nolog=True)
            .create({**vals, "name": name, "company_id": organisation.company_id.id})
        )

    @api.model
    def partner_status(self, since: str | None = None) -> dict:
        """The CDC status of your passages changed since a date.

        For each passage: your reference, its state (incomplete, ready,
        exported, accepted or rejected by the CDC), the CDC's message and
        hint when rejected, the deposit it went in and when.

        :param since: a date-time "AAAA-MM-JJ HH:MM:SS" (UTC), or null for all;
            give the previous answer's "until"
        :returns: the passages changed since then, and "until"
        :raises UserError: "since" is not a date-time, or the key belongs to no
            active partner organisation
        """
        organisation = self._partner_organisation()
        domain = [("partner_organisation_id", "=", organisation.id)]
        if since:
            try:
                moment = fields.Datetime.to_datetime(since)
            except ValueError:
                moment = None
            if not moment:
                raise UserError(
                    self.env._(
                        "“since” must be a date-time such as 2026-12-01 08:00:00 (UTC), "
                        "not “%(since)s”.",
                        since=str(since)[:40],
                    )
                )
            domain.append(("write_date", ">=", moment))
        until = fields.Datetime.now()
        passages = self.with_company(organisation.company_id).search(domain, order="id")
        entries = []
        for passage in passages.sudo():
            line = passage.deposit_line_ids.sorted("id")[-1:]
            deposit = line.deposit_id
            entries.append(
                exchange.status_entry(
                    passage.partner_reference,
                    passage.state,
                    message=passage.cdc_message if passage.state == "rejected" else None,
                    hint=passage.cdc_hint if passage.state == "rejected" else None,
                    answered_on=passage.cdc_date,
                    deposit=deposit.name,
                    deposited_on=deposit.sent_date,
                )
            )
        organisation._log_exchange(
            self.env._("Partner status read: %(count)s passage(s).", count=len(entries))
        )
        return {
            "organisation": organisation.name,
            "until": fields.Datetime.to_string(until),
            "passages": entries,
        }

    # ------------------------------------------------------------------
    # partner side: transmit to the certifier, read the status back
    # ------------------------------------------------------------------
    def _partner_candidates(self):
        """This database's passages as candidates for the certifier's API."""
        from accrochage.exchange import candidate_keys

        result = []
        for passage, facts in self._to_engine().items():
            keys = candidate_keys(passage._version())
            values = {
                key: value.isoformat() if hasattr(value, "isoformat") else value
                for key, value in facts.items()
                if key in keys and value not in (None, False, "")
            }
            values["donneeCertifiee"] = bool(passage.result_final)
            result.append({"reference": passage.id_technique, "passage": values})
        return result

    def action_transmit_to_certifier(self):
        """Push these passages to the certifier (admitted candidates only)."""
        passages = self.filtered("admitted")
        if not passages:
            raise UserError(self.env._("None of these passages is for an admitted candidate."))
        by_reference = {passage.id_technique: passage for passage in passages}
        counts = {status: 0 for status in exchange.LABELS}
        for company, records in passages.grouped("company_id").items():
            for start in range(0, len(records), PUSH_BATCH):
                batch = records[start : start + PUSH_BATCH]
                data = company._accrochage_certifier_call(
                    SUBMIT_PATH, {"candidates": batch._partner_candidates()}
                )
                now = fields.Datetime.now()
                for item in data.get("candidates") or []:
                    passage = by_reference.get(item.get("reference"))
                    if passage is None or item.get("status") not in counts:
                        continue
                    counts[item["status"]] += 1
                    messages = [finding.get("message", "") for finding in item.get("findings", [])]
                    passage.write(
                        {
                            "certifier_sent_date": now,
                            "certifier_state": item["status"],
                            "certifier_message": "\n".join(filter(None, messages)) or False,
                            "certifier_hint": False,
                        }
                    )
        message = self.env._(
            "Transmitted to the certifier: %(ready)s ready, %(incomplete)s incomplete, "
            "%(refused)s refused.",
            **counts,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if counts["refused"] or counts["incomplete"] else "success",
                "message": message,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_pull_certifier_status(self):
        """Read back the certifier's status of the passages transmitted to it."""
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("accrochage_certifier_url", "!=", False)])
            .filtered("accrochage_certifier_api_key")
        )
        for company in companies:
            company._accrochage_pull_certifier_status()

import base64

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import AccrochageError, check_identity, raise_engine_error, version_selection
from ..models.accrochage_passage import PASSAGE_FACTS
from ..models.res_partner import NIR_FIELD, PARTNER_FACTS

#: facts taken from the certifier in Odoo, not from the file
FROM_CERTIFIER = ("idClientEmetteur", "idClientCertificateur", "idContrat")
#: the passages of the database are other rows for the pipeline, numbered apart
KNOWN_ROWS = 1 << 36  # below the pipeline's 40-bit row numbers


class AccrochagePassageImport(models.TransientModel):
    """CSV or CDC Excel template → contacts and passages (VAE, free candidates).

    Two steps: the preview lists every finding of the file and of the
    pre-send rules; nothing is written before the user confirms, and a row
    with a blocking finding is never written: the user imports the others
    and fixes the file, or goes back.
    """

    _name = "accrochage.passage.import"
    _description = "Import passages (CSV / CDC Excel template)"

    file = fields.Binary(required=True)
    filename = fields.Char()
    schema_version = fields.Selection(
        version_selection(),
        default=lambda self: self.env.company.accrochage_schema_version or "1.1.2",
        required=True,
    )
    certification_id = fields.Many2one(
        "accrochage.certification",
        help="Used for rows whose certification code is empty.",
    )
    step = fields.Selection(
        [("upload", "Upload"), ("preview", "Preview")], default="upload", required=True
    )
    row_count = fields.Integer("Rows", readonly=True)
    clean_count = fields.Integer("Rows without blocking issues", readonly=True)
    blocking_count = fields.Integer("Blocking issues", readonly=True)
    warning_count = fields.Integer("Warnings", readonly=True)
    preview_html = fields.Html("Findings", readonly=True, sanitize=True)

    def _read(self):
        from accrochage.importer import read_passages

        try:
            return read_passages(
                base64.b64decode(self.file or b""),
                filename=self.filename or "import.csv",
                version=self.schema_version,
            )
        except AccrochageError as error:
            raise_engine_error(self.env, error)

    def _certifications(self, result):
        codes = {facts.get("code") for _row, facts in result.passages if facts.get("code")}
        found = self.env["accrochage.certification"].search(
            [("code", "in", list(codes)), ("company_id", "=", self.env.company.id)]
        )
        return {certification.code: certification for certification in found}

    def _certification_of(self, facts, certifications):
        if facts.get("code"):
            return certifications.get(facts["code"])
        return self.certification_id or None

    def _preview_findings(self, result):
        """``[(row, message, blocking)]``: the file, the pipeline, and Odoo's own refusals."""
        findings = [(item.row, str(item), item.blocking) for item in result.findings]
        certifications = self._certifications(result)
        today = fields.Date.context_today(self)
        outcomes = self._pipeline_outcomes(result, today)
        for row, facts in result.passages:
            if not self._certification_of(facts, certifications):
                findings.append(
                    (
                        row,
                        self.env._(
                            "Unknown certification “%(code)s”: create it first in Certifications.",
                            code=facts.get("code") or "?",
                        ),
                        True,
                    )
                )
            # a cell the file reader refused is said once, by the reader
            blocked = {item.field for item in result.findings_for(row) if item.blocking}
            refused = set(blocked)
            for finding in outcomes[row].findings:
                if finding.field in FROM_CERTIFIER or finding.field in refused:
                    continue
                findings.append((row, finding.message, finding.blocking))
                if finding.blocking:
                    blocked.add(finding.field)
            # what a contact refuses on save (a wrong NIR key, even where the
            # schema does not send the NIR) holds the row back too, once per field
            errors, _warnings = check_identity(
                facts,
                today=today,
                award_date=facts.get("dateDebutValidite"),
                version=self.schema_version,
            )
            findings.extend((row, message, True) for key, message in errors if key not in blocked)
        return findings

    def _pipeline_outcomes(self, result, today):
        """``{row: RowOutcome}``: the engine pipeline on the file's rows, as a
        deposit checks them (the company's strict setting), the passages of
        this database that carry one of their ids counting as other rows: an
        id twice in the file, or already used here, blocks the row and names
        the other one."""
        from ..engine import run_pipeline

        idents = {(facts.get("idTechnique") or "").strip() for _row, facts in result.passages}
        idents.discard("")
        known = (
            self.env["accrochage.passage"]
            .sudo()
            .search_fetch([("id_technique", "in", list(idents))], ["id_technique", "display_name"])
        )
        names = {KNOWN_ROWS + passage.id: passage.display_name for passage in known}
        french = self.env
        if self.env["res.lang"]._lang_get("fr_FR"):
            french = self.with_context(lang="fr_FR").env  # the messages are French

        def label(row):
            if row in names:
                return french._("the passage “%(name)s” of this database", name=names[row])
            return french._("row %(row)s", row=row)

        outcomes = {}
        try:
            run_pipeline(
                result.passages,
                version=self.schema_version,
                today=today,
                strict=self.env.company.accrochage_strict,
                other_rows=[
                    (KNOWN_ROWS + passage.id, passage.id_technique.strip()) for passage in known
                ],
                row_label=label,
                on_row=lambda outcome: outcomes.__setitem__(outcome.row, outcome),
            )
        except AccrochageError as error:
            raise_engine_error(self.env, error)
        return outcomes

    def action_preview(self):
        self.ensure_one()
        result = self._read()
        findings = sorted(self._preview_findings(result), key=lambda item: item[0] or 0)
        blocked = {row for row, _message, blocking in findings if blocking}
        rows = Markup("").join(
            Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(
                row or "", "⛔" if blocking else "⚠", message
            )
            for row, message, blocking in findings
        )
        self.write(
            {
                "step": "preview",
                "row_count": len(result.passages),
                "clean_count": sum(1 for row, _facts in result.passages if row not in blocked),
                "blocking_count": sum(1 for *_x, blocking in findings if blocking),
                "warning_count": sum(1 for *_x, blocking in findings if not blocking),
                "preview_html": Markup(
                    "<table class='table table-sm'><thead><tr><th>{}</th><th></th>"
                    "<th>{}</th></tr></thead><tbody>{}</tbody></table>"
                ).format(self.env._("Row"), self.env._("Finding"), rows)
                if findings
                else escape(self.env._("No issue found.")),
            }
        )
        return self._reopen()

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import passages"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_back(self):
        self.step = "upload"
        return self._reopen()

    def action_confirm(self):
        """Create contacts and passages of every row: refused if one is blocked."""
        return self._import(only_clean=False)

    def action_confirm_clean(self):
        """Create contacts and passages of the rows without a blocking issue."""
        return self._import(only_clean=True)

    def _import(self, only_clean):
        self.ensure_one()
        result = self._read()
        findings = self._preview_findings(result)
        blocked = {row for row, _message, blocking in findings if blocking}
        if blocked and not only_clean:
            raise UserError(
                self.env._(
                    "%(count)s row(s) have blocking issues (see the preview): import only "
                    "the rows without blocking issues, or fix the file. Nothing was imported.",
                    count=len(blocked),
                )
            )
        rows = [(row, facts) for row, facts in result.passages if row not in blocked]
        if not rows:
            raise UserError(
                self.env._("No row without a blocking issue: fix the file. Nothing was imported.")
            )
        certifications = self._certifications(result)
        Partner = self.env["res.partner"]
        vals_list = []
        for _row, facts in rows:
            partner = self._find_or_create_partner(Partner, facts)
            certification = self._certification_of(facts, certifications)
            vals = {
                name: facts.get(key)
                for key, name in PASSAGE_FACTS.items()
                if facts.get(key) not in (None, "")
            }
            vals.update(
                partner_id=partner.id,
                certification_id=certification.id,
                company_id=certification.company_id.id,
                result_final=facts.get("donneeCertifiee") is not False,
            )
            vals_list.append(vals)
        passages = (
            self.env["accrochage.passage"].with_context(mail_create_nolog=True).create(vals_list)
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_passage_action"
        )
        action["domain"] = [("id", "in", passages.ids)]
        if blocked:
            action["name"] = self.env._(
                "Imported passages (%(count)s row(s) left out)", count=len(blocked)
            )
        return action

    @api.model
    def _find_or_create_partner(self, Partner, facts):
        if facts.get("nir"):
            partner = Partner.sudo().search([(NIR_FIELD, "=", facts["nir"])], limit=1)
            if partner:
                return partner.sudo(False)
        domain = [
            (PARTNER_FACTS[key], "=", facts.get(key))
            for key in ("nomNaissance", "prenom1", "anneeNaissance", "sexe")
            if facts.get(key)
        ]
        if len(domain) == 4:
            partner = Partner.search(domain, limit=1)
            if partner:
                return partner
        name = (
            " ".join(
                part
                for part in (
                    facts.get("prenom1"),
                    facts.get("nomUsage") or facts.get("nomNaissance"),
                )
                if part
            )
            or facts.get("idTechnique")
            or self.env._("Imported holder")
        )
        partner = Partner.create({"name": name, **Partner._accrochage_vals_from_facts(facts)})
        if facts.get("nir"):
            partner.sudo().write({NIR_FIELD: facts["nir"]})
        return partner

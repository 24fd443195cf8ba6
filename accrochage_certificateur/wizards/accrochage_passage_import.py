import base64

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import AccrochageError, raise_engine_error, version_selection
from ..models.accrochage_passage import PASSAGE_FACTS
from ..models.res_partner import NIR_FIELD, PARTNER_FACTS


class AccrochagePassageImport(models.TransientModel):
    """CSV or CDC Excel template → contacts and passages (VAE, free candidates).

    Two steps: the preview lists every finding of the file and of the
    pre-send rules; nothing is written before the user confirms.
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

    def _preview_findings(self, result):
        """Findings of the file, then the pre-send rules on each row."""
        from accrochage.rules import check_passage

        findings = list(result.findings)
        certifications = self._certifications(result)
        today = fields.Date.context_today(self)
        for row, facts in result.passages:
            code = facts.get("code") or self.certification_id.code
            if code not in certifications and not (self.certification_id and not facts.get("code")):
                findings.append(
                    (
                        row,
                        self.env._(
                            "Unknown certification “%(code)s”: create it first in Certifications.",
                            code=code or "?",
                        ),
                        True,
                    )
                )
            for finding in check_passage(facts, version=self.schema_version, today=today):
                if finding.field in ("idClientEmetteur", "idClientCertificateur", "idContrat"):
                    continue  # taken from the certifier in Odoo, not from the file
                findings.append((row, finding.message, finding.blocking))
        return [
            item if isinstance(item, tuple) else (item.row, str(item), item.blocking)
            for item in findings
        ]

    def action_preview(self):
        self.ensure_one()
        result = self._read()
        findings = self._preview_findings(result)
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
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_back(self):
        self.step = "upload"
        return self._reopen()

    def action_confirm(self):
        """Create contacts and passages; incomplete rows land in "To fix"."""
        self.ensure_one()
        result = self._read()
        certifications = self._certifications(result)
        missing = sorted(
            {
                facts.get("code") or "?"
                for _row, facts in result.passages
                if facts.get("code") not in certifications
                and not (self.certification_id and not facts.get("code"))
            }
        )
        if missing:
            raise UserError(
                self.env._(
                    "Unknown certifications: %(codes)s. Create them before importing; "
                    "nothing was imported.",
                    codes=", ".join(missing),
                )
            )
        ids = [facts["idTechnique"] for _row, facts in result.passages if facts.get("idTechnique")]
        taken = self.env["accrochage.passage"].sudo().search([("id_technique", "in", ids)])
        if taken:
            raise UserError(
                self.env._(
                    "These technical ids already exist: %(ids)s. Nothing was imported.",
                    ids=", ".join(taken.mapped("id_technique")[:10]),
                )
            )
        Partner = self.env["res.partner"]
        vals_list = []
        for _row, facts in result.passages:
            partner = self._find_or_create_partner(Partner, facts)
            certification = certifications.get(facts.get("code")) or self.certification_id
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
        return action

    @api.model
    def _find_or_create_partner(self, Partner, facts):
        vals = {
            name: facts.get(key)
            for key, name in PARTNER_FACTS.items()
            if facts.get(key) not in (None, "")
        }
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
        partner = Partner.create({"name": name, **vals})
        if facts.get("nir"):
            partner.sudo().write({NIR_FIELD: facts["nir"]})
        return partner

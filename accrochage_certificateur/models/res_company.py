import logging
import os
import tempfile
from contextlib import contextmanager
from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from ..engine import DEFAULT_VERSION, fact_help, version_selection

_logger = logging.getLogger(__name__)
MANAGER = "accrochage_certificateur.group_accrochage_manager"
TUNABLE = frozenset({"retries", "backoff", "connect_timeout", "read_timeout", "deadline"})


class ResCompany(models.Model):
    _inherit = "res.company"

    accrochage_id_client = fields.Char(
        "CDC emitter client id",
        size=8,
        help=fact_help("idClientEmetteur") + " Empty: the certifier's client id is used.",
    )
    accrochage_schema_version = fields.Selection(
        version_selection(), "CDC schema version", default=DEFAULT_VERSION
    )
    accrochage_strict = fields.Boolean(
        "Strict checks",
        help="Block the passages that miss what a CDC document asks for without the CDC "
        "refusing it (the VAE route, a presence flag, the DigComp pairs…). Off: these are "
        "warnings, and only what the CDC refuses blocks a passage.",
    )
    accrochage_xsd_file = fields.Binary("Official XSD", attachment=True, groups="base.group_system")
    accrochage_xsd_filename = fields.Char("Official XSD file name")
    accrochage_transport_url = fields.Char(
        "Upload endpoint",
        help="Automatic upload address, if the Caisse des Dépôts gave you one. "
        "Empty: the file is uploaded by hand on the portal and the deposit is "
        "then marked as sent.",
    )
    accrochage_transport_token = fields.Char(
        "Upload endpoint token",
        groups=MANAGER,
        copy=False,
        help="Sent as “Authorization: Bearer” to the upload endpoint. Readable by "
        "certification managers only; never written in logs or the chatter.",
    )
    accrochage_transport_ca = fields.Text(
        "CA certificates (PEM)",
        groups=MANAGER,
        copy=False,
        help="Only when the server's certificate comes from an internal authority: its "
        "certificates, in PEM. The server's certificate is always verified.",
    )
    accrochage_transport_client_cert = fields.Text(
        "Client certificate and key (PEM)",
        groups=MANAGER,
        copy=False,
        help="When the server authenticates clients by certificate: the certificate and "
        "its private key, in PEM. Readable by certification managers only.",
    )
    # certifier side: what a partner organisation may push in one request
    accrochage_partner_max_candidates = fields.Integer(
        "Candidates per partner request",
        default=500,
        help="A partner's push with more candidates is refused as a whole.",
    )
    accrochage_partner_max_bytes = fields.Integer(
        "Partner request size (bytes)",
        default=2_000_000,
        help="A partner's push over this size is refused as a whole.",
    )
    # partner side: the certifier this organisation transmits its passages to
    accrochage_certifier_url = fields.Char(
        "Certifier's Odoo address",
        help="The address of the certifier's Odoo (https://…), where passages are "
        "transmitted with “Transmit to the certifier”.",
    )
    accrochage_certifier_database = fields.Char(
        "Certifier's database",
        help="Only when the certifier's Odoo serves several databases: the name of its "
        "database (sent as X-Odoo-Database).",
    )
    accrochage_certifier_api_key = fields.Char(
        "Certifier API key",
        groups=MANAGER,
        copy=False,
        help="The API key the certifier gave your organisation. Readable by "
        "certification managers only; never written in logs or the chatter.",
    )
    accrochage_certifier_pulled_on = fields.Datetime(
        "Certifier status read on", readonly=True, copy=False
    )
    accrochage_deposit_batch = fields.Integer(
        "Passages per deposit",
        default=10000,
        help="Maximum number of passages per deposit built by the scheduled action.",
    )
    accrochage_survey_first_months = fields.Integer(
        "First insertion survey (months)",
        default=6,
        help="Months after the award when the first insertion survey is sent.",
    )
    accrochage_survey_second_months = fields.Integer(
        "Second insertion survey (months)",
        default=12,
        help="Months after the award when the second insertion survey is sent.",
    )
    accrochage_survey_answer_days = fields.Integer(
        "Days to answer a survey",
        default=30,
        help="A survey sent and still unanswered after these days counts as “no answer”.",
    )
    accrochage_survey_auto_send = fields.Boolean(
        "Send insertion surveys automatically",
        default=True,
        help="The daily scheduled action emails each survey when it is due.",
    )

    def _accrochage_survey_delays(self):
        """{wave: months after the award} of this company's two insertion surveys."""
        self.ensure_one()
        return {
            "first": self.accrochage_survey_first_months or 6,
            "second": self.accrochage_survey_second_months or 12,
        }

    @contextmanager
    def _accrochage_transport_options(self):
        """What the deposit upload needs: the address, the token, and the CA bundle
        and client certificate as files that live while the upload runs."""
        self.ensure_one()
        company = self.sudo()
        with _pem_files(company) as files:
            yield {
                "url": company.accrochage_transport_url,
                "token": company.accrochage_transport_token or None,
                **files,
            }

    def _accrochage_certifier_call(self, path, payload):
        """Call the certifier's API (JSON-2); its answer, or a ``UserError`` in French.

        The engine's transport does the HTTP: retries with backoff on 5xx,
        429, timeouts and resets, TLS always verified, a bounded answer.
        """
        from accrochage.exceptions import TransportError
        from accrochage.transport import HttpsTransport

        self.ensure_one()
        company = self.sudo()
        base = (company.accrochage_certifier_url or "").rstrip("/")
        key = company.accrochage_certifier_api_key
        if not base or not key:
            raise UserError(
                self.env._(
                    "Set the certifier's address and API key in Certifications > "
                    "Configuration > Settings first."
                )
            )
        # timeouts and retries may be tuned (tests); never the TLS settings
        tuning = self.env.context.get("accrochage_transport_options") or {}
        options = {key: value for key, value in tuning.items() if key in TUNABLE}
        self.env.flush_all()  # what the call depends on is written first
        try:
            with (
                _pem_files(company) as files,
                HttpsTransport(base + path, token=key, **files, **options) as transport,
            ):
                database = company.accrochage_certifier_database
                headers = {"X-Odoo-Database": database} if database else None
                return transport.post_json(payload, headers=headers).data
        except TransportError as error:
            raise UserError(
                self.env._(
                    "The certifier could not be reached or refused the request; nothing "
                    "was changed here. %(error)s",
                    error=str(error),
                )
            ) from None

    def _accrochage_pull_certifier_status(self):
        """Read back the status of the passages transmitted to the certifier."""
        self.ensure_one()
        since = self.accrochage_certifier_pulled_on
        # a minute back: what changed while the last answer was written is read again
        payload = (
            {"since": fields.Datetime.to_string(since - timedelta(minutes=1))} if since else {}
        )
        try:
            data = self._accrochage_certifier_call(
                "/json/2/accrochage.passage/partner_status", payload
            )
        except UserError as error:
            _logger.warning("Certifier status not read for company %s: %s", self.id, error)
            return False
        entries = {entry.get("reference"): entry for entry in data.get("passages") or []}
        passages = (
            self.env["accrochage.passage"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.id),
                    ("id_technique", "in", [ref for ref in entries if ref]),
                    ("certifier_sent_date", "!=", False),
                ]
            )
        )
        for passage in passages:
            entry = entries[passage.id_technique]
            state = entry.get("state")
            if state not in dict(passage._fields["certifier_state"].selection):
                continue
            passage.write(
                {
                    "certifier_state": state,
                    "certifier_message": entry.get("cdc_message") or False,
                    "certifier_hint": entry.get("cdc_hint") or False,
                    "certifier_deposit": entry.get("deposit") or False,
                    "certifier_deposited_on": fields.Datetime.to_datetime(
                        (entry.get("deposited_on") or "").replace("T", " ")[:19] or False
                    ),
                }
            )
        until = data.get("until")
        self.accrochage_certifier_pulled_on = (
            fields.Datetime.to_datetime(until) if until else fields.Datetime.now()
        )
        return True


@contextmanager
def _pem_files(company):
    """``{"ca_bundle": path, "cert": path}`` of the company's PEM texts, as
    private temporary files removed on exit (the transport reads paths)."""
    paths, options = [], {}
    try:
        for option, text in (
            ("ca_bundle", company.accrochage_transport_ca),
            ("cert", company.accrochage_transport_client_cert),
        ):
            if text and text.strip():
                handle, path = tempfile.mkstemp(prefix="accrochage-", suffix=".pem")
                paths.append(path)
                with os.fdopen(handle, "w", encoding="ascii", errors="replace") as pem:
                    pem.write(text.strip() + "\n")
                options[option] = path
        yield options
    finally:
        for path in paths:
            os.unlink(path)

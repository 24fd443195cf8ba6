import base64
import logging
import os
import tempfile
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

from ..batch import copy_rows
from ..engine import AccrochageError, raise_engine_error, version_selection
from .accrochage_passage import sent_json

_logger = logging.getLogger(__name__)

#: EDI-like states (OCA edi_exchange_record words), French labels in fr.po
STATES = [
    ("draft", "Draft"),
    ("validate_error", "Validation error"),
    ("generated", "Generated"),
    ("send_error", "Sending interrupted"),
    ("send_failed", "Sending refused"),
    ("sent", "Sent"),
    ("processed", "Processed"),
    ("cancel", "Cancelled"),
]
#: passages named in a chatter message, at most
NAMED = 10
#: a deposit in one of these states holds its passages
OPEN_STATES = ("draft", "validate_error", "generated", "send_error", "send_failed", "sent")
#: a deposit in one of these states may be sent (or recorded as uploaded)
SENDABLE = ("generated", "send_error", "send_failed")
#: minutes before each automatic new attempt after a retryable sending error
RETRY_DELAYS = (15, 30, 60, 120, 240, 480, 960, 1440)
#: the temporary table the deposit lines are copied into (``_write_lines``)
SENT_LINES = "accrochage_sent_line"


class AccrochageDeposit(models.Model):
    """A deposit to the CDC: the XML file(s) of some passages, and the receipt."""

    _name = "accrochage.deposit"
    _description = "Deposit to the CDC"
    _inherit = ["mail.thread"]
    _order = "id desc"

    #: where to go back to when retrying from an error state
    _rollback_state_mapping = {
        "validate_error": "draft",
        "send_error": "generated",
    }

    name = fields.Char(
        required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
        index=True,
    )
    certifier_id = fields.Many2one(
        "accrochage.certifier", required=True, readonly=True, ondelete="restrict"
    )
    schema_version = fields.Selection(version_selection(), required=True, readonly=True)
    action = fields.Selection(
        [("CREATION", "Creation"), ("SUPPRESSION", "Withdrawal")],
        default="CREATION",
        required=True,
        readonly=True,
        help="Creation of passages, or (schema 1.1.5) withdrawal of passages already accepted.",
    )
    state = fields.Selection(
        STATES,
        default="draft",
        required=True,
        readonly=True,
        index=True,
        copy=False,
        tracking=True,
    )
    state_date = fields.Datetime("State date", readonly=True, copy=False)
    error_message = fields.Text("Error", readonly=True, copy=False)
    send_attempts = fields.Integer(
        "Failed sending attempts",
        readonly=True,
        copy=False,
        help="Retryable sending errors in a row; reset when the file is sent.",
    )
    next_retry_date = fields.Datetime(
        "Next automatic attempt",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the scheduled action sends the file again after a retryable error.",
    )
    retryable = fields.Boolean(compute="_compute_retryable")
    deposit_file_ids = fields.One2many(
        "accrochage.deposit.file", "deposit_id", "Deposited files", readonly=True, copy=False
    )
    id_flux = fields.Char(
        "Flux id",
        compute="_compute_files",
        search="_search_id_flux",
        help="The idFlux of the deposit's first file (each file has its own).",
    )
    horodatage = fields.Char("Timestamp", readonly=True, copy=False)
    file_count = fields.Integer("Files", compute="_compute_files")
    file_ids = fields.Many2many("ir.attachment", compute="_compute_files", string="XML files")
    receipt_ids = fields.Many2many("ir.attachment", compute="_compute_files", string="Receipts")
    id_traitement = fields.Char("CDC processing id", readonly=True, copy=False)
    sent_date = fields.Datetime(readonly=True, copy=False)
    processed_date = fields.Datetime(readonly=True, copy=False)
    line_ids = fields.One2many("accrochage.deposit.line", "deposit_id", readonly=True)
    pending_passage_ids = fields.One2many("accrochage.passage", "pending_deposit_id", readonly=True)
    passage_count = fields.Integer(compute="_compute_counts")
    accepted_count = fields.Integer(compute="_compute_counts")
    rejected_count = fields.Integer(compute="_compute_counts")
    is_correction = fields.Boolean(
        "Correction deposit",
        readonly=True,
        help="Holds passages that the CDC had rejected (each line says which).",
    )
    transport_available = fields.Boolean(compute="_compute_transport_available")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("accrochage.deposit")
        return super().create(vals_list)

    @api.depends(
        "deposit_file_ids.id_flux",
        "deposit_file_ids.attachment_id",
        "deposit_file_ids.receipt_attachment_id",
    )
    def _compute_files(self):
        for deposit in self:
            files = deposit.deposit_file_ids.sorted(lambda f: (f.sequence, f.id))
            deposit.id_flux = files[:1].id_flux
            deposit.file_count = len(files)
            deposit.file_ids = files.attachment_id
            deposit.receipt_ids = files.receipt_attachment_id

    def _search_id_flux(self, operator, value):
        return [("deposit_file_ids.id_flux", operator, value)]

    @api.depends("state")
    def _compute_retryable(self):
        for deposit in self:
            deposit.retryable = deposit.state in self._rollback_state_mapping

    def _compute_transport_available(self):
        for deposit in self:
            deposit.transport_available = bool(deposit.company_id.accrochage_transport_url)

    @api.depends("line_ids.result")
    def _compute_counts(self):
        counts = {
            (deposit, result): count
            for deposit, result, count in self.env["accrochage.deposit.line"]._read_group(
                [("deposit_id", "in", self.ids)], ["deposit_id", "result"], ["__count"]
            )
        }
        for deposit in self:
            deposit.accepted_count = counts.get((deposit, "ok"), 0)
            deposit.rejected_count = counts.get((deposit, "ko"), 0)
            deposit.passage_count = sum(
                counts.get((deposit, result), 0) for result in ("ok", "ko", "pending")
            )

    # ------------------------------------------------------------------
    # building
    # ------------------------------------------------------------------
    @api.model
    def _lock_depositable(self, passages):
        """The passages that may go into a deposit, locked, skipping locked ones,
        by company and certifier: ``{(company id, certifier id): [passage id]}``.

        ``FOR UPDATE SKIP LOCKED``: two concurrent builds never take the same
        passage; the one that waits sees ``pending_deposit_id`` set and skips it.
        The groups come with the lock, not from reading each passage again.
        """
        passages.flush_model(["state", "pending_deposit_id", "company_id", "certifier_id"])
        self.env.cr.execute(
            SQL(
                "SELECT id, company_id, certifier_id FROM accrochage_passage "
                "WHERE id = ANY(%s) AND state = 'ready' AND pending_deposit_id IS NULL "
                "ORDER BY id FOR UPDATE SKIP LOCKED",
                list(passages.ids),
            )
        )
        groups = {}
        for passage_id, company_id, certifier_id in self.env.cr.fetchall():
            groups.setdefault((company_id, certifier_id), []).append(passage_id)
        return groups

    @api.model
    def _create_from_passages(self, passages):
        """Draft deposits (one per company and certifier) holding these passages."""
        deposits = self.browse()
        for deposit, group in self._new_drafts(passages):
            deposit._hold(group)
            deposits |= deposit
        return deposits

    @api.model
    def _build_from_passages(self, passages):
        """The deposits of these passages, built, written and validated.

        What the "Build deposit" button, a correction request and the cron
        do. Each passage is linked to its deposit, and its line written, once,
        with the file and what was sent: holding them in a draft first and
        then recording the file would write every row twice, the cost of a
        deposit in PostgreSQL (bench/bench_odoo.py). The passages stay locked
        (``_lock_depositable``) until the transaction ends.
        """
        deposits = self.browse()
        for deposit, group in self._new_drafts(passages):
            deposit._generate(passages=group)
            deposits |= deposit
        return deposits

    @api.model
    def _new_drafts(self, passages):
        """[(draft deposit, its passages)]: one per company and certifier, of
        the passages that may be deposited, locked against another build."""
        if not passages:
            raise UserError(self.env._("No passage selected: nothing to deposit."))
        passages.check_access("write")
        groups = self._lock_depositable(passages)
        if not groups:
            if all(passage.state == "accepted" for passage in passages):
                raise UserError(
                    self.env._(
                        "These passages have already been accepted by the Caisse des Dépôts: "
                        "they must never be sent again."
                    )
                )
            raise UserError(passages._not_ready_message())
        Line = self.env["accrochage.deposit.line"]
        drafts = []
        for (company_id, certifier_id), ids in groups.items():
            group = passages.browse(ids)
            company = self.env["res.company"].browse(company_id)
            deposit = self.create(
                {
                    "company_id": company_id,
                    "certifier_id": certifier_id,
                    "schema_version": company.accrochage_schema_version or "1.1.2",
                    # only passages the CDC rejected make a correction deposit
                    "is_correction": bool(
                        Line.search_count(
                            [("passage_id", "in", ids), ("result", "=", "ko")], limit=1
                        )
                    ),
                }
            )
            drafts.append((deposit, group))
        return drafts

    def _hold(self, passages):
        """These passages wait in this deposit: linked to it, a pending line each."""
        self.ensure_one()
        _update_passages(passages, pending_deposit_id=self.id)
        self._write_lines(passages.ids)

    @api.model
    def _create_withdrawal(self, passages):
        """SUPPRESSION deposits (schema 1.1.5) of accepted passages, one per certifier."""
        passages._check_withdrawable()
        passages.check_access("write")
        deposits = self.browse()
        groups = {}
        for passage in passages:
            groups.setdefault((passage.company_id, passage.certifier_id), []).append(passage.id)
        for (company, certifier), ids in groups.items():
            deposit = self.create(
                {
                    "company_id": company.id,
                    "certifier_id": certifier.id,
                    "schema_version": "1.1.5",
                    "action": "SUPPRESSION",
                }
            )
            _update_passages(
                passages.browse(ids), state="withdrawing", pending_deposit_id=deposit.id
            )
            deposit._write_lines(ids)
            deposit.message_post(
                body=self.env._(
                    "Withdrawal of %(count)s passage(s) accepted by the Caisse des Dépôts.",
                    count=len(ids),
                )
            )
            deposits |= deposit
        return deposits

    def _write_lines(self, passage_ids, file_ids=None, sent_values=None):
        """This deposit's lines of these passages, in four statements for any number.

        Inserted pending, or, with ``file_ids`` and ``sent_values`` (one each
        per passage), with the file each was written in and the copy of what
        was sent; the pending line of a draft that held the passage is then
        completed. The ORM would send one query per 100 records.

        The rows reach PostgreSQL by ``COPY`` into a temporary table, then one
        ``INSERT … SELECT … ON CONFLICT``: the copies of what was sent weigh
        some 1.3 kB a passage (65 MB for 50,000), which psycopg2 would quote
        into the query text and PostgreSQL parse back (bench/bench_odoo.py).
        The ``COPY`` goes past ``cr.execute``: Odoo's query count leaves it out.
        """
        self.ensure_one()
        count = len(passage_ids)
        self.env["accrochage.deposit.line"].flush_model()
        cr = self.env.cr
        cr.execute(
            SQL(
                "CREATE TEMPORARY TABLE %s (passage_id int, file_id int, sent_values text) "
                "ON COMMIT DROP",
                SQL.identifier(SENT_LINES),
            )
        )
        copy_rows(
            cr,
            SENT_LINES,
            zip(
                passage_ids,
                file_ids or [None] * count,
                sent_values or [None] * count,
                strict=True,
            ),
        )
        cr.execute(
            SQL(
                "INSERT INTO accrochage_deposit_line AS line (deposit_id, passage_id, "
                "company_id, result, already_recorded, file_id, sent_values, create_uid, "
                "write_uid, create_date, write_date) "
                "SELECT %(deposit)s, sent.passage_id, %(company)s, 'pending', false, "
                "sent.file_id, sent.sent_values, %(uid)s, %(uid)s, now() at time zone 'UTC', "
                "now() at time zone 'UTC' FROM %(sent)s AS sent "
                "ON CONFLICT (deposit_id, passage_id) DO UPDATE SET "
                "file_id = excluded.file_id, sent_values = excluded.sent_values, "
                "write_uid = excluded.write_uid, write_date = excluded.write_date",
                deposit=self.id,
                company=self.company_id.id,
                uid=self.env.uid,
                sent=SQL.identifier(SENT_LINES),
            )
        )
        # dropped now: the next deposit of the same build makes it again
        cr.execute(SQL("DROP TABLE %s", SQL.identifier(SENT_LINES)))
        self.env["accrochage.deposit.line"].invalidate_model()
        self.invalidate_recordset(["line_ids"])
        self.deposit_file_ids.invalidate_recordset(["line_ids"])
        self.env["accrochage.passage"].browse(passage_ids).invalidate_recordset(
            ["deposit_line_ids"]
        )

    def _generate(self, *, now=None, flux_seed=None, passages=None):
        """Write and validate the XML file(s) through the engine's pipeline.

        A passage the pipeline sets aside (a blocking finding, an id carried
        by two passages or already accepted by the CDC) leaves the deposit and
        is back in "To fix" with its findings; the others are written. State,
        error and date in one write. ``passages``: those of a new draft that
        does not hold them yet (``_build_from_passages``); when the file cannot
        be made, the draft keeps them, to be generated again. ``now`` (the
        deposit clock) and ``flux_seed`` (reproducible idFlux) are for tests
        and the demo.
        """
        from accrochage.writer import validate_file

        if passages is not None:
            self.ensure_one()
        Passage = self.env["accrochage.passage"]
        for deposit in self.filtered(lambda d: d.state == "draft"):
            vals = {"state": "validate_error", "error_message": False}
            held = passages is None
            todo = deposit.pending_passage_ids if held else passages
            written = aside = Passage
            try:
                if not todo:
                    raise UserError(
                        self.env._("Deposit %(name)s contains no passage.", name=deposit.name)
                    )
                with tempfile.TemporaryDirectory(prefix="accrochage-") as out_dir:
                    outcomes, files = todo._accrochage_run(
                        out_dir,
                        version=deposit.schema_version,
                        now=now,
                        flux_seed=flux_seed,
                        action=deposit.action,
                    )
                    written = Passage.union(*(p for p, o in outcomes.items() if o.written))
                    aside = todo - written
                    if aside:
                        deposit._set_aside(aside, outcomes)
                    if written:
                        deposit._check_official_xsd(files, validate_file)
                        sent = {passage: outcomes[passage].passage for passage in written}
                        deposit._record_written(sent, deposit._add_files(files, sent))
                        vals.update(state="generated", horodatage=files[0].horodatage)
                if not written:
                    vals["error_message"] = self.env._(
                        "No passage can be written: all %(count)s are back in “To fix” "
                        "with what blocks them.",
                        count=len(aside),
                    )
            except AccrochageError as error:
                vals["error_message"] = str(error)
                if not held:
                    deposit._hold(todo - aside)
            finally:
                vals["state_date"] = fields.Datetime.now()
                deposit.write(vals)
            if vals["state"] == "generated":
                deposit.message_post(
                    body=self.env._(
                        "File generated and validated: %(count)s passage(s), flux %(flux)s.",
                        count=len(written),
                        flux=" ".join(deposit.deposit_file_ids.mapped("id_flux")),
                    )
                )
            else:
                deposit.message_post(
                    body=self.env._("Generation refused: %(error)s", error=vals["error_message"])
                )
            if aside:
                deposit.message_post(
                    body=self.env._(
                        "%(count)s passage(s) set aside, back in “To fix”: %(names)s.",
                        count=len(aside),
                        names=", ".join(aside[:NAMED].mapped("display_name"))
                        + ("…" if len(aside) > NAMED else ""),
                    )
                )
            _logger.info(
                "accrochage deposit %s: %s, %s passages written, %s set aside",
                deposit.name,
                vals["state"],
                len(written),
                len(aside),
            )

    def _add_files(self, files, sent):
        """One ``accrochage.deposit.file`` per written file: ``{passage: its file's id}``.

        ``files`` are the engine's :class:`accrochage.writer.DepositFile`
        (each lists the idTechnique it holds); ``sent``: ``{passage: its
        facts as written}``.
        """
        self.ensure_one()
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": os.path.basename(file.path),
                    "raw": _read(file.path),
                    "mimetype": "application/xml",
                    "res_model": self._name,
                    "res_id": self.id,
                    "description": file.id_flux,
                }
                for file in files
            ]
        )
        records = self.env["accrochage.deposit.file"].create(
            [
                {
                    "deposit_id": self.id,
                    "sequence": index,
                    "name": attachment.name,
                    "id_flux": file.id_flux,
                    "action": self.action,
                    "horodatage": file.horodatage,
                    "passage_count": file.passage_count,
                    "attachment_id": attachment.id,
                }
                for index, (file, attachment) in enumerate(zip(files, attachments, strict=True))
            ]
        )
        file_of = {
            ident: record.id
            for file, record in zip(files, records, strict=True)
            for ident in file.passage_ids
        }
        return {passage: file_of[str(facts["idTechnique"])] for passage, facts in sent.items()}

    def _record_written(self, sent, file_of):
        """What was written, in one statement per table for any number of passages.

        ``sent``: ``{passage: its facts as the pipeline wrote them}``;
        ``file_of``: ``{passage: id of its accrochage.deposit.file}``. Each
        passage's line (inserted, or the pending line of a draft that held it)
        gets its file and a copy of what was sent, the NIR excluded; each
        passage its deposit, its new state and the fingerprint of what the
        CDC matches it on. The ORM would send one query per 100 to 1,000
        rows, and the queries of a deposit must not grow with its size
        (tests/test_query_count.py).
        """
        self.ensure_one()
        passages = self.env["accrochage.passage"].union(*sent)
        fingerprints = passages._match_fingerprints(sent, prepared=True)
        ids = [passage.id for passage in passages]
        self._write_lines(
            ids,
            [file_of[passage] for passage in passages],
            [sent_json(sent[passage]) for passage in passages],
        )
        # a withdrawal keeps its passages "withdrawing" until its receipt
        state = "exported" if self.action == "CREATION" else None
        moved = ["pending_deposit_id", "sent_fingerprint", "write_uid", "write_date"]
        passages.flush_recordset([*moved, "state"])
        self.env.cr.execute(
            SQL(
                "UPDATE accrochage_passage AS passage SET pending_deposit_id = %s, "
                "sent_fingerprint = sent.fingerprint, state = coalesce(%s, passage.state), "
                "write_uid = %s, write_date = now() at time zone 'UTC' "
                "FROM unnest(%s::int[], %s::varchar[]) AS sent(id, fingerprint) "
                "WHERE passage.id = sent.id",
                self.id,
                state,
                self.env.uid,
                ids,
                [fingerprints[passage] for passage in passages],
            )
        )
        passages.invalidate_recordset([*moved, "state"])
        self.invalidate_recordset(["pending_passage_ids"])

    def _set_aside(self, passages, outcomes):
        """Take passages the pipeline kept out of the file out of this deposit;
        their findings (the reason) are stored, so they show in "To fix"."""
        self.ensure_one()
        _update_passages(passages.filtered("pending_deposit_id"), pending_deposit_id=None)
        aside = set(passages.ids)  # a set: "record in recordset" scans the recordset
        self.line_ids.filtered(lambda line: line.passage_id.id in aside).unlink()
        passages._accrochage_store_findings(
            {passage: outcomes[passage].findings for passage in passages}
        )

    def _check_official_xsd(self, files, validate_file):
        """Also check against the official XSD the user uploaded, if any."""
        xsd = self.company_id.sudo().accrochage_xsd_file
        if not xsd:
            return
        with tempfile.NamedTemporaryFile(suffix=".xsd") as xsd_file:
            xsd_file.write(base64.b64decode(xsd))
            xsd_file.flush()
            for file in files:
                findings = validate_file(file.path, version=self.schema_version, xsd=xsd_file.name)
                blocking = [finding for finding in findings if finding.blocking]
                if blocking:
                    from accrochage.exceptions import DocumentInvalid

                    raise DocumentInvalid(
                        self.env._(
                            "The file does not comply with the official schema (XSD "
                            "uploaded in the settings): %(error)s",
                            error=str(blocking[0]),
                        )
                    )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_generate(self):
        self._generate()
        return True

    def action_retry(self):
        """Start the failed step again: generate again, or send again now.

        Only a retryable failure offers it (a validation error, or a sending
        interrupted by a timeout or a server error); a refused sending (4xx,
        TLS) is sent again with "Send" once its cause is fixed.
        """
        for deposit in self:
            target = self._rollback_state_mapping.get(deposit.state)
            if not target:
                raise UserError(
                    self.env._(
                        "Deposit %(name)s is not in a retryable error: nothing to retry.",
                        name=deposit.name,
                    )
                )
        resend = self.filtered(lambda d: d.state == "send_error")
        for deposit in self - resend:
            deposit.write(
                {
                    "state": self._rollback_state_mapping[deposit.state],
                    "error_message": False,
                    "state_date": fields.Datetime.now(),
                }
            )
            deposit.message_post(body=self.env._("Retrying the failed step."))
        self.filtered(lambda d: d.state == "draft")._generate()
        for deposit in resend:
            deposit._send_with_transport()
        return True

    def action_mark_sent(self):
        """The user uploaded the file on the CDC portal: record it."""
        for deposit in self:
            deposit._ensure_state(SENDABLE)
        now = fields.Datetime.now()
        self.deposit_file_ids.filtered(lambda f: f.state == "generated").write(
            {"state": "sent", "sent_date": now}
        )
        self.write(
            {
                "state": "sent",
                "error_message": False,
                "sent_date": now,
                "state_date": now,
                "next_retry_date": False,
            }
        )
        for deposit in self:
            deposit.message_post(body=self.env._("File uploaded on the Caisse des Dépôts portal."))
        return True

    def action_send(self):
        """Send through the configured endpoint, or record a manual upload."""
        for deposit in self:
            if not deposit.company_id.accrochage_transport_url:
                deposit.action_mark_sent()
            else:
                deposit._send_with_transport()
        return True

    def _send_with_transport(self):
        """Send the files not sent yet; state, error and dates in one write.

        A retryable failure (timeout, connection reset, 408, 429, 5xx once the
        engine's own retries are spent) ends in ``send_error`` and the cron
        tries again later, waiting longer each time (:data:`RETRY_DELAYS`); a
        final one (another 4xx, a redirect, a TLS failure) ends in
        ``send_failed``: sending it again as it is would fail the same way.
        """
        from accrochage import transport
        from accrochage.exceptions import TransportError

        self.ensure_one()
        self._ensure_state(SENDABLE)
        now = fields.Datetime.now()
        vals = {"state": "send_failed", "error_message": False, "next_retry_date": False}
        try:
            with (
                self.company_id._accrochage_transport_options() as options,
                transport.HttpsTransport(options.pop("url"), **options) as sender,
            ):
                for file in self.deposit_file_ids.filtered(lambda f: f.state == "generated"):
                    sender.send(file.attachment_id.raw, filename=file.name)
                    file.write({"state": "sent", "sent_date": fields.Datetime.now()})
            vals.update(state="sent", sent_date=now, send_attempts=0)
        except TransportError as error:
            if error.retryable:
                attempts = self.send_attempts + 1
                vals.update(state="send_error", send_attempts=attempts)
                if attempts <= len(RETRY_DELAYS):
                    vals["next_retry_date"] = now + timedelta(minutes=RETRY_DELAYS[attempts - 1])
            # the engine says what failed; what happens next is said here, where
            # it is decided, in the message the form shows
            vals["error_message"] = self._sending_error_message(error, vals)
        finally:
            vals["state_date"] = now
            self.write(vals)
        body = vals["error_message"] if vals["state"] != "sent" else self.env._("File sent.")
        self.message_post(body=body)

    def _sending_error_message(self, error, vals):
        """What failed and what happens next, for the form and the chatter."""
        if not error.retryable:
            return self.env._(
                "Sending refused: %(error)s Sending it again as it is would fail the same "
                "way: fix the cause, then click “Send”.",
                error=str(error),
            )
        if vals.get("next_retry_date"):
            return self.env._(
                "Sending interrupted: %(error)s It is tried again automatically on "
                "%(date)s (attempt %(attempt)s of %(max)s), or now with “Retry”.",
                error=str(error),
                date=format_datetime(self.env, vals["next_retry_date"]),
                attempt=vals["send_attempts"] + 1,
                max=len(RETRY_DELAYS) + 1,
            )
        return self.env._(
            "Sending interrupted: %(error)s The automatic retries are over: click "
            "“Retry” once the server answers again.",
            error=str(error),
        )

    @api.model
    def _cron_retry_sending(self):
        """Send again the deposits a retryable error interrupted, when their time has come."""
        deposits = self.search(
            [
                ("state", "=", "send_error"),
                ("next_retry_date", "!=", False),
                ("next_retry_date", "<=", fields.Datetime.now()),
            ],
            order="next_retry_date",
        )
        cron = self.env["ir.cron"]
        for index, deposit in enumerate(deposits):
            deposit._send_with_transport()
            if cron._commit_progress(1, remaining=len(deposits) - index - 1) <= 0:
                break

    def action_cancel(self):
        """Give the passages back: they go into the next deposit."""
        for deposit in self:
            deposit._ensure_state(("draft", "validate_error", *SENDABLE))
        passages = self.pending_passage_ids
        withdrawing = passages.filtered(lambda p: p.state == "withdrawing")
        # a withdrawal not sent: the CDC still holds these passages
        withdrawing._apply_cdc_outcome("not_mentioned", action="SUPPRESSION")
        passages -= withdrawing
        passages.with_context(tracking_disable=True).write(
            {"pending_deposit_id": False, "state": "ready"}
        )
        passages.action_recheck()
        self.write({"state": "cancel", "state_date": fields.Datetime.now()})
        for deposit in self:
            deposit.message_post(body=self.env._("Deposit cancelled; its passages are released."))
        return True

    def action_import_receipt(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import a CDC processing receipt"),
            "res_model": "accrochage.receipt.import",
            "view_mode": "form",
            "target": "new",
            "context": {"default_deposit_id": self[:1].id},
        }

    def _ensure_state(self, states):
        self.ensure_one()
        if self.state not in states:
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Deposit %(name)s is in state “%(state)s”: this action is not possible now.",
                    name=self.name,
                    state=labels.get(self.state, self.state),
                )
            )

    def _action_open(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "accrochage_certificateur.accrochage_deposit_action"
        )
        if len(self) == 1:
            action.update(res_id=self.id, view_mode="form", views=[(False, "form")])
        else:
            action["domain"] = [("id", "in", self.ids)]
        return action

    # ------------------------------------------------------------------
    # receipt (accusé de traitement)
    # ------------------------------------------------------------------
    @api.model
    def _import_receipt(self, data, filename=None):
        """Read a receipt and apply it to the file it answers; returns the deposit."""
        from accrochage.receipt import parse_receipt

        try:
            receipt = parse_receipt(data)
        except AccrochageError as error:
            raise_engine_error(self.env, error)
        file = self.env["accrochage.deposit.file"]._find_for_receipt(receipt)
        if not file:
            raise UserError(
                self.env._(
                    "This processing receipt is about flux “%(flux)s”, which matches "
                    "no deposit in this database: check that you are importing the "
                    "receipt of the right file.",
                    flux=receipt.id_flux or receipt.nom_fichier or "?",
                )
            )
        file._apply_receipt(receipt, data, filename)
        return file.deposit_id

    def _after_receipt(self, file, outcome, attachment):
        """A file of this deposit got its receipt: the deposit's state and chatter.

        When every file has answered, the passages no receipt mentioned go
        back to ready (they are not recorded), and the message lists them.
        """
        self.ensure_one()
        now = fields.Datetime.now()
        vals = {"id_traitement": outcome.id_traitement or False}
        file_error = file.error_message
        vals["error_message"] = file_error or False
        forgotten = self.env["accrochage.passage"]
        if all(f.receipt_attachment_id for f in self.deposit_file_ids):
            forgotten = self.pending_passage_ids
            forgotten._apply_cdc_outcome("not_mentioned", date=now, action=self.action)
            vals.update(state="processed", processed_date=now, state_date=now)
        elif self.state != "sent":
            vals.update(state="sent", state_date=now)
        self.write(vals)
        counts = outcome.counts
        body = self.env._(
            "Processing receipt %(traitement)s of flux %(flux)s imported: %(ok)s passage(s) "
            "accepted, %(ko)s rejected.",
            traitement=outcome.id_traitement or "",
            flux=file.id_flux,
            ok=counts["accepted"] + counts["already_recorded"],
            ko=counts["rejected"] + counts["file_rejected"],
        )
        if outcome.unknown_ids:
            body += " " + self.env._(
                "%(count)s id(s) unknown to this deposit ignored.",
                count=len(outcome.unknown_ids),
            )
        if file_error:
            body += " " + self.env._("File refused: %(error)s", error=file_error)
        if forgotten:
            body += " " + self.env._(
                "Not mentioned by the receipts, back to ready: %(names)s.",
                names=", ".join(forgotten[:50].mapped("display_name"))
                + (" …" if len(forgotten) > 50 else ""),
            )
        self.message_post(body=body, attachment_ids=attachment.ids)
        self.env["accrochage.correction.request"]._close_corrected_by(self)

    @api.model
    def _demo_attach(self, deposit_ids, passage_ids):
        """Demo data: put passages in a deposit's file as if it had been generated."""
        from ..engine import prepare_passage

        deposit = self.browse(deposit_ids)
        passages = self.env["accrochage.passage"].browse(passage_ids)
        sent = {
            passage: prepare_passage(facts, version=passage._version())
            for passage, facts in passages._to_engine().items()
        }
        deposit._record_written(sent, dict.fromkeys(passages, deposit.deposit_file_ids[:1].id))

    # ------------------------------------------------------------------
    # cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_build_deposits(self):
        """Build deposits of ready passages in batches, one transaction each.

        Resumes after an interruption: drafts left by a previous run are
        generated first; a passage already held by an open deposit is skipped.
        """
        cron = self.env["ir.cron"]
        for deposit in self.search([("state", "=", "draft")]):
            deposit._generate()
            cron._commit_progress(1)
        Passage = self.env["accrochage.passage"]
        # only the companies that have ready passages
        waiting = [("state", "=", "ready"), ("pending_deposit_id", "=", False)]
        for (company,) in Passage._read_group(waiting, ["company_id"]):
            domain = [
                ("company_id", "=", company.id),
                ("state", "=", "ready"),
                ("pending_deposit_id", "=", False),
            ]
            batch = company.accrochage_deposit_batch or 10000
            while True:
                passages = Passage.search(domain, limit=batch, order="id")
                if not passages:
                    break
                try:
                    self._build_from_passages(passages)
                except UserError:
                    break  # all locked by another worker: it will deposit them
                remaining = Passage.search_count(domain)
                if cron._commit_progress(len(passages), remaining=remaining) <= 0:
                    return


def _update_passages(passages, **values):
    """One UPDATE for any number of passages (the ORM sends one per 100 rows).

    Only for the moves of deposit building (ready → exported, the open
    deposit link): nothing computed depends on them in a way that changes.
    """
    env = passages.env
    if not passages:
        return
    passages.flush_recordset(list(values))
    assignments = SQL(", ").join(
        SQL("%s = %s", SQL.identifier(name), None if value is False else value)
        for name, value in values.items()
    )
    env.cr.execute(
        SQL(
            "UPDATE accrochage_passage SET %s, write_uid = %s, "
            "write_date = now() at time zone 'UTC' WHERE id = ANY(%s)",
            assignments,
            env.uid,
            list(passages.ids),
        )
    )
    passages.invalidate_recordset([*values, "write_uid", "write_date"])


def _read(path):
    with open(path, "rb") as handle:
        return handle.read()

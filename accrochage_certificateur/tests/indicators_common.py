import base64
import datetime

from .common import CONTINUING, TODAY, AccrochageCase, receipt_xml

NOT_FOUND = "Aucun titulaire ne correspond aux critères obligatoires"
Y2 = TODAY.year - 1  # every date below is in the past, whatever the day the tests run
Y1 = TODAY.year - 2


def at(year, month, day):
    return datetime.date(year, month, day)


def at_ten(year, month, day):
    """10:00 UTC: the same day in Paris, the CDC's time zone."""
    return datetime.datetime(year, month, day, 10)


class IndicatorCase(AccrochageCase):
    """A small data set; the tests compute its figures by hand.

    Certification A (``cls.certification``), year Y2:

    - session S1 (March Y2): a1, a2, h admitted, one failed, one absent, one
      dropped out, and a cancelled attendee that never counts;
    - session S2, from November Y1 to January Y2 (two years): b1 admitted,
      one failed: it counts in Y2 only, the year its exam ended;
    - an award typed without attendee (June Y2), ready, never deposited.

    Passages: a1 accepted 30 days after its award, sent in time; a2 accepted
    after 120 days, sent after its deadline; b1 sent in time but rejected;
    h admitted but without passage. Surveys at the first delay: a1 employed
    in the field, a2 job seeking, b1 no answer, the typed award not sent
    yet; at the second delay: a1 sent, no answer yet.

    Year Y1: session S3 (June Y1), one absent, one dropped out: nobody present.

    Certification B, year Y2: h (also admitted in S1 for A) holds it through
    an award typed in May Y2, employed elsewhere at the first survey.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cert_b = cls.env["accrochage.certification"].create(
            {
                "name": "=2+3 Habilitation",  # a title a spreadsheet would run
                "certification_type": "RS",
                "code": "RS6543",
                "certifier_id": cls.certifier.id,
            }
        )
        cls.s1 = cls._session("Session de mars", at(Y2, 3, 1), at(Y2, 3, 15))
        cls.s2 = cls._session("Session d'hiver", at(Y1, 11, 15), at(Y2, 1, 20))
        cls.s3 = cls._session("Session sans présent", at(Y1, 6, 1), at(Y1, 6, 10))
        cls.a1, cls.a2, cls.h, *_others = cls._attendees(
            cls.s1, ["admitted", "admitted", "admitted", "failed", "absent", "dropped"], 0
        )
        cls._attendees(cls.s1, ["failed"], 10).action_cancel()
        cls.b1, _failed = cls._attendees(cls.s2, ["admitted", "failed"], 20)
        cls._attendees(cls.s3, ["absent", "dropped"], 30)

        cls.pa1, cls.pa2, cls.pb1 = (cls.a1 | cls.a2 | cls.b1)._accrochage_create_passages()
        cls.typed = cls._typed_passage(cls.certification, at(Y2, 6, 1), 40)
        cls.h_b = cls._typed_passage(cls.cert_b, at(Y2, 5, 10), 0, partner=cls.h.partner_id)
        assert {p.state for p in cls.pa1 | cls.pa2 | cls.pb1 | cls.typed} == {"ready"}

        cls._deposit(cls.pa1 | cls.pb1, at_ten(Y2, 3, 25), ok=cls.pa1, ko=cls.pb1)
        cls.pa1.cdc_date = at_ten(Y2, 4, 14)  # 30 days after 15 March
        cls._deposit(cls.pa2, at_ten(Y2, 7, 1), ok=cls.pa2)
        cls.pa2.cdc_date = at_ten(Y2, 7, 13)  # 120 days after 15 March

        Survey = cls.env["accrochage.insertion.survey"]

        def survey(passage, wave, **values):
            return dict(
                Survey._vals_from_passage(passage, wave, 6 if wave == "first" else 12), **values
            )

        sent = {"sent_date": at_ten(Y2, 9, 15)}
        cls.surveys = Survey.create(
            [
                survey(cls.pa1, "first", status="answered", situation="employed_field", **sent),
                survey(cls.pa2, "first", status="answered", situation="job_seeking", **sent),
                survey(cls.pb1, "first", status="no_answer", **sent),
                survey(cls.typed, "first"),
                survey(cls.pa1, "second", status="sent", **sent),
                survey(cls.h_b, "first", status="answered", situation="employed_elsewhere"),
            ]
        )
        cls.env.flush_all()

    @classmethod
    def _session(cls, name, begin, end):
        return cls._make_session(
            name=name,
            date_begin=datetime.datetime.combine(begin, datetime.time(8)),
            date_end=datetime.datetime.combine(end, datetime.time(17)),
            accrochage_exam_date_start=end,
            accrochage_exam_date_end=end,
        )

    @classmethod
    def _attendees(cls, session, results, first_index):
        partners = cls.env["res.partner"].create(
            [cls._holder_vals(first_index + index) for index in range(len(results))]
        )
        return cls.env["event.registration"].create(
            [
                {
                    "event_id": session.id,
                    "partner_id": partner.id,
                    "accrochage_result": result,
                    "accrochage_award_date": session.accrochage_exam_date_end
                    if result == "admitted"
                    else False,
                    "accrochage_access_mode": CONTINUING,
                    "accrochage_initiative": "OF",
                }
                for partner, result in zip(partners, results, strict=True)
            ]
        )

    @classmethod
    def _typed_passage(cls, certification, award, index, partner=None):
        partner = partner or cls.env["res.partner"].create(cls._holder_vals(index))
        return cls.env["accrochage.passage"].create(
            {
                "partner_id": partner.id,
                "certification_id": certification.id,
                "award_date": award,
                "exam_date_start": award,
                "exam_date_end": award,
                "access_mode": CONTINUING,
            }
        )

    @classmethod
    def _deposit(cls, passages, sent_on, ok=(), ko=()):
        deposit = cls.env["accrochage.deposit"].browse(passages.action_build_deposit()["res_id"])
        deposit.action_mark_sent()
        deposit.sent_date = sent_on
        receipt = receipt_xml(
            deposit.id_flux,
            ok=[passage.id_technique for passage in ok],
            ko=[(passage.id_technique, NOT_FOUND) for passage in ko],
        )
        cls.env["accrochage.receipt.import"].create(
            {"file": base64.b64encode(receipt)}
        ).action_import()
        return deposit

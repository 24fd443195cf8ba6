import os

from odoo.modules.module import load_script
from odoo.tests import tagged

from .common import AWARD, CONTINUING, AccrochageCase

MIGRATION = os.path.join("migrations", "19.0.1.1.0", "post-migrate.py")


@tagged("post_install", "-at_install")
class TestHolder(AccrochageCase):
    """The holder is the attendee, never an employer who booked for them."""

    def _register(self, booker, name=None, **values):
        return self.env["event.registration"].create(
            {
                "event_id": self.session.id,
                "partner_id": booker.id if booker else False,
                **({"name": name} if name else {}),
                "accrochage_result": "admitted",
                "accrochage_award_date": AWARD,
                "accrochage_access_mode": CONTINUING,
                **values,
            }
        )

    def test_employer_books_three_employees(self):
        employer = self.env["res.partner"].create({"name": "Transports Test", "is_company": True})
        attendees = [
            self._register(employer, name, email=f"{login}@example.com", phone=f"06 00 00 00 0{i}")
            for i, (name, login) in enumerate(
                (("Paul Durand", "paul"), ("Awa Diallo", "awa"), ("Léa Roux", "lea"))
            )
        ]
        holders = self.env["res.partner"].concat(*(a.accrochage_holder_id for a in attendees))
        self.assertEqual(len(holders), 3)
        self.assertNotIn(employer, holders)
        self.assertEqual(holders.mapped("name"), ["Paul Durand", "Awa Diallo", "Léa Roux"])
        self.assertEqual(holders[1].email, "awa@example.com")
        self.assertEqual(holders[2].phone, "06 00 00 00 02")
        self.session.action_set_done()
        passages = self.session.accrochage_passage_ids
        self.assertEqual(passages.partner_id, holders)
        # the civil status is still to type: each passage says so, on its holder
        self.assertEqual(set(passages.mapped("fix_target")), {"partner"})

    def test_booker_is_the_holder_when_it_is_this_person(self):
        booker = self.env["res.partner"].create(self._holder_vals(1, name="Élodie MARTIN"))
        self.assertEqual(self._register(booker, "martin elodie").accrochage_holder_id, booker)
        self.assertEqual(self._register(booker).accrochage_holder_id, booker)  # name from booker
        other = self._register(booker, "Jeanne Martin")
        self.assertNotEqual(other.accrochage_holder_id, booker)
        self.assertEqual(other.accrochage_holder_id.name, "Jeanne Martin")

    def test_same_person_is_not_duplicated(self):
        known = self.env["res.partner"].create({"name": "Paul Durand", "email": "paul@example.com"})
        employer = self.env["res.partner"].create({"name": "Employeur", "is_company": True})
        registration = self._register(employer, "Paul DURAND", email="paul@example.com")
        self.assertEqual(registration.accrochage_holder_id, known)

    def test_holder_chosen_on_the_attendee_drives_the_passage(self):
        registration = self._make_attendees(self.session, 1)
        self.session.action_set_done()
        passage = registration.accrochage_passage_ids
        other = self.env["res.partner"].create(self._holder_vals(7))
        registration.accrochage_holder_id = other
        self.assertEqual(passage.partner_id, other)
        self.assertEqual(passage.state, "ready")

    def test_civil_status_one_click_from_the_attendee(self):
        registration = self._register(False, "Nina Simon", email="nina@example.com")
        action = registration.action_open_accrochage_holder()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("res.partner", registration.accrochage_holder_id.id),
        )
        self.assertEqual(action["context"]["accrochage_focus_field"], "accrochage_birth_name")

    def _migrate(self):
        script = load_script(os.path.join("accrochage_certificateur", MIGRATION), "post_migrate")
        script.migrate(self.env.cr, "19.0.1.0.0")
        self.env.invalidate_all()

    def test_migration_fills_the_holders(self):
        """A database of 19.0.1.0.0: passages were built on the booker."""
        person = self.env["res.partner"].create(self._holder_vals(1, name="Élodie Martin"))
        employer = self.env["res.partner"].create({"name": "Employeur", "is_company": True})
        own = self._register(person)
        booked = self._register(employer, "Paul Durand", email="paul@example.com")
        sent = self._register(employer, "Awa Diallo")
        Passage = self.env["accrochage.passage"]
        passages = {
            registration: Passage.create(
                {
                    "registration_id": registration.id,
                    "partner_id": booker.id,
                    "certification_id": self.certification.id,
                }
            )
            for registration, booker in ((own, person), (booked, employer), (sent, employer))
        }
        passages[sent].state = "accepted"
        self.env.flush_all()
        registrations = own | booked | sent
        self.env.cr.execute(
            "UPDATE event_registration SET accrochage_holder_id = NULL WHERE id = ANY(%s)",
            [registrations.ids],
        )
        self.env.cr.execute(
            "UPDATE accrochage_passage SET partner_id = %s WHERE id = ANY(%s)",
            [employer.id, [passages[booked].id, passages[sent].id]],
        )
        self.env.invalidate_all()

        self._migrate()
        self.assertEqual(own.accrochage_holder_id, person)
        # not this person's identity, not sent yet: a holder of their own
        self.assertEqual(booked.accrochage_holder_id.name, "Paul Durand")
        self.assertEqual(passages[booked].partner_id, booked.accrochage_holder_id)
        self.assertEqual(passages[booked].state, "incomplete")
        # already accepted by the CDC: what it received is kept
        self.assertEqual(sent.accrochage_holder_id, employer)
        self.assertEqual(passages[sent].partner_id, employer)

    def test_migration_turns_country_codes_into_countries(self):
        holder = self.env["res.partner"].create(self._holder_vals(1))
        abroad = self.env["res.partner"].create(self._holder_vals(2))
        self.env.flush_all()
        self.env.cr.execute(
            "ALTER TABLE res_partner ADD COLUMN accrochage_birth_country_code varchar"
        )
        self.env.cr.execute(
            "UPDATE res_partner SET accrochage_birth_country_code = '134' WHERE id = %s",
            [holder.id],
        )
        self.env.cr.execute(
            "UPDATE res_partner SET accrochage_birth_insee = '99352' WHERE id = %s", [abroad.id]
        )
        self.env.invalidate_all()
        self._migrate()
        self.assertEqual(holder.accrochage_birth_country_id, self.env.ref("base.es"))
        self.assertEqual(abroad.accrochage_birth_country_id, self.env.ref("base.dz"))
        self.assertFalse(abroad.accrochage_birth_insee)

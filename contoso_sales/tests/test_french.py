from freezegun import freeze_time
from odoo.tests import tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-29 09:00:00")
class TestFrench(ContosoCase):
    """A French salesperson reads her deals in French, whoever wrote them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sophie = cls._french_nurturing_salesperson("t_sophie")

    def _deal(self):
        # Created by an English-speaking manager for Sophie: the texts stored
        # on the deal are for Sophie to read.
        return (
            self.env["crm.lead"]
            .with_user(self.manager)
            .with_context(lang="en_US")
            .create(
                {
                    "name": "Tremblay alarmes",
                    "type": "opportunity",
                    "partner_id": self.customer.id,
                    "team_id": self.team.id,
                    "user_id": self.sophie.id,
                }
            )
        )

    def test_stage_names_in_french(self):
        names = {
            key: stage.with_context(lang="fr_FR").name
            for key, stage in self.stages.items()
        }
        self.assertEqual(
            names,
            {
                "qualify": "Qualification",
                "develop": "Développement",
                "quote": "Devis",
                "tech_check": "Vérification technique",
                "close": "Validation",
            },
        )
        cadence = self.env.ref("contoso_sales.nurture_cadence_corporate")
        self.assertEqual(
            cadence.with_context(lang="fr_FR").name,
            "Renforcement des liens avec les prospects",
        )
        self.assertEqual(
            cadence.step_ids.with_context(lang="fr_FR").mapped("summary"),
            [
                "Appel téléphonique d'introduction",
                "E-mail d'information",
                "E-mail de suivi",
                "Appel téléphonique pour planifier un rendez-vous",
            ],
        )

    def test_new_corporate_deal_speaks_french(self):
        deal = self._deal()
        enrolment = deal.contoso_nurture_enrolment_id
        self.assertEqual(enrolment.state, "running")
        self.assertEqual(
            enrolment.activity_id.summary, "Appel téléphonique d'introduction"
        )
        bodies = deal.message_ids.mapped("body")
        self.assertTrue(
            any(
                "Nurturing démarré : Renforcement des liens avec les prospects." in body
                for body in bodies
            ),
            bodies,
        )
        # The banner: the step and its date in the reader's language.
        enrolment.action_done_step()
        self.assertEqual(
            deal.with_context(lang="fr_FR").contoso_nurture_progress,
            "Nurturing 2/4 — E-mail d'information pour le 30 nov.",
        )
        self.assertEqual(
            deal.with_context(lang="en_US").contoso_nurture_progress,
            "Nurturing 2/4 — Information email due Nov 30",
        )
        self.assertEqual(
            enrolment.line_ids.summary, "Appel téléphonique d'introduction"
        )

    def test_stop_reason_in_french(self):
        deal = self._deal()
        enrolment = deal.contoso_nurture_enrolment_id
        deal.with_user(self.manager).with_context(lang="en_US").action_set_won()
        self.assertEqual(enrolment.state, "stopped")
        self.assertEqual(enrolment.stop_reason, "la transaction a été gagnée.")
        self.assertEqual(
            deal.with_context(lang="fr_FR").contoso_nurture_progress,
            "Nurturing arrêté : la transaction a été gagnée.",
        )
        self.assertIn(
            "Nurturing arrêté : la transaction a été gagnée.",
            deal.message_ids[0].body,
        )

    def test_cancelled_activity_logged_in_the_salespersons_language(self):
        # An English manager cancels the step of Sophie's deal: Sophie reads
        # the chatter line, in French, with the French step name.
        deal = self._deal()
        enrolment = deal.contoso_nurture_enrolment_id
        enrolment.activity_id.with_user(self.manager).with_context(
            lang="en_US"
        ).unlink()
        self.assertEqual(enrolment.state, "paused")
        body = deal.message_ids[0].body
        self.assertIn("Nurturing mis en pause", body)
        self.assertIn("Appel téléphonique d'introduction", body)

    def test_removed_step_logged_in_the_salespersons_language(self):
        deal = self._deal()
        step = deal.contoso_nurture_enrolment_id.step_id
        step.with_context(lang="en_US").unlink()
        self.assertIn("Appel téléphonique d'introduction", deal.message_ids[0].body)
        self.assertNotIn("Introduction call", deal.message_ids[0].body)

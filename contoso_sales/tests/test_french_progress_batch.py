from freezegun import freeze_time
from odoo.tests import tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
@freeze_time("2026-11-29 09:00:00")
class TestFrenchProgressBatch(ContosoCase):
    """The nurturing line built from templates translated once per batch and
    due dates formatted through a cache (f718de4) reads as before: French and
    English readers of the same deals in one transaction, a step without
    French name, a stop reason holding '%'."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sophie = cls._french_nurturing_salesperson("t_sophie_batch")

    def _deals(self, count):
        return (
            self.env["crm.lead"]
            .with_context(lang="en_US")
            .create(
                [
                    {
                        "name": f"T Tremblay {n}",
                        "type": "opportunity",
                        "partner_id": self.customer.id,
                        "team_id": self.team.id,
                        "user_id": self.sophie.id,
                    }
                    for n in range(count)
                ]
            )
        )

    def test_batch_lines_per_reader_language(self):
        running, paused, stopped, renamed = self._deals(4)
        paused.contoso_nurture_enrolment_id.action_pause()
        stopped.contoso_nurture_enrolment_id._stop("100% du budget coupé, 5%(x)s")
        # a step named in English only: the French reader sees that name
        step = renamed.contoso_nurture_enrolment_id.step_id
        step.copy({"summary": "T untranslated step", "sequence": 0})
        renamed.contoso_nurture_enrolment_id.step_id = step.cadence_id.step_ids[0]
        deals = running | paused | stopped | renamed
        for _round in range(2):  # the second from the formatted dates' cache
            self.env.invalidate_all()
            french = (
                deals.with_user(self.sophie)
                .with_context(lang="fr_FR")
                .mapped("contoso_nurture_progress")
            )
            english = deals.with_context(lang="en_US").mapped(
                "contoso_nurture_progress"
            )
            self.assertEqual(
                french,
                [
                    "Nurturing 2/5 — Appel téléphonique d'introduction pour le 29 nov.",
                    "Nurturing 2/5 en pause — Appel téléphonique d'introduction",
                    "Nurturing arrêté : 100% du budget coupé, 5%(x)s",
                    "Nurturing 1/5 — T untranslated step pour le 29 nov.",
                ],
            )
            self.assertEqual(
                english,
                [
                    "Nurturing 2/5 — Introduction call due Nov 29",
                    "Nurturing 2/5 paused — Introduction call",
                    "Nurturing stopped: 100% du budget coupé, 5%(x)s",
                    "Nurturing 1/5 — T untranslated step due Nov 29",
                ],
            )

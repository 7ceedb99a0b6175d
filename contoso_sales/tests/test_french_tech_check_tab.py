from lxml import etree
from odoo.tests import tagged

from .common import ContosoCase


@tagged("post_install", "-at_install")
class TestFrenchTechCheckTab(ContosoCase):
    """The Tech Checks tab shows the deal amount as expected_revenue (36224ec)
    under contoso_amount's label and help: a French salesperson still reads
    them in French."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sophie = cls._french_salesperson("t_sophie_tab")

    def test_deal_amount_label_and_help_in_french(self):
        Lead = self.env["crm.lead"].with_user(self.sophie).with_context(lang="fr_FR")
        arch = etree.fromstring(
            Lead.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        (node,) = arch.xpath(
            "//page[@name='contoso_tech_checks']//field[@name='expected_revenue']"
        )
        self.assertEqual(node.get("string"), "Montant de la transaction")
        self.assertEqual(
            node.get("help"),
            "Le revenu espéré de la transaction dans la devise de la société : "
            "le montant comparé au seuil de vérification technique.",
        )

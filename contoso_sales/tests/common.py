from odoo.tests import TransactionCase, new_test_user


class ContosoCase(TransactionCase):
    """Users per role and a Contoso customer, without relying on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env.ref("contoso_sales.team_contoso")
        cls.company = cls.env.company
        cls.salesperson = new_test_user(
            cls.env,
            login="t_sally",
            name="Test Sally",
            groups="base.group_user,contoso_sales.group_salesperson",
        )
        cls.consultant = new_test_user(
            cls.env,
            login="t_tom",
            name="Test Tom",
            groups="base.group_user,contoso_sales.group_technical_consultant",
        )
        cls.manager = new_test_user(
            cls.env,
            login="t_maria",
            name="Test Maria",
            groups="base.group_user,contoso_sales.group_sales_manager",
        )
        cls.team.member_ids = [
            (4, u.id) for u in (cls.salesperson, cls.consultant, cls.manager)
        ]
        cls.customer = cls.env["res.partner"].create(
            {"name": "Fabrikam Test Corp", "is_company": True}
        )
        cls.stages = {
            key: cls.env.ref(f"contoso_sales.stage_{key}")
            for key in ("qualify", "develop", "quote", "tech_check", "close")
        }

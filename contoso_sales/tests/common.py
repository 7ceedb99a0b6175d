import importlib.util

from odoo.fields import Command
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import file_path


def run_migration(cr, version, from_version, stage="post"):
    """Run the addon's `<stage>-migrate.py` of `version` on `cr`, as an upgrade
    from `from_version` does."""
    spec = importlib.util.spec_from_file_location(
        f"contoso_sales_{stage}_migrate_{version.replace('.', '_')}",
        file_path(f"contoso_sales/migrations/{version}/{stage}-migrate.py"),
    )
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration.migrate(cr, from_version)


# Role users beside Sally, Tom and Maria, for the tests that need them
# (ContosoCase._role_user): role -> login, name, groups.
MORE_ROLES = {
    "other salesperson": (
        "t_otto",
        "Test Otto",
        "base.group_user,contoso_sales.group_salesperson",
    ),
    "data admin": (
        "t_dana",
        "Test Dana",
        "base.group_user,contoso_sales.group_data_admin",
    ),
    "accountant": (
        "t_alice",
        "Test Alice",
        "base.group_user,account.group_account_invoice",
    ),
    "employee": ("t_eve", "Test Eve", "base.group_user"),
}


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

    @classmethod
    def _role_user(cls, role, **values):
        """A user of one of MORE_ROLES; `values` adds to it (companies...)."""
        login, name, groups = MORE_ROLES[role]
        return new_test_user(cls.env, login=login, name=name, groups=groups, **values)

    @classmethod
    def _french_salesperson(cls, login):
        """A salesperson reading in French (the language installed with the
        module's French)."""
        cls.env["res.lang"]._activate_and_install_lang("fr_FR")
        return new_test_user(
            cls.env,
            login=login,
            name="Test Sophie",
            lang="fr_FR",
            groups="base.group_user,contoso_sales.group_salesperson",
        )

    @classmethod
    def _french_nurturing_salesperson(cls, login):
        """A French salesperson of the Contoso team, whose corporate deals
        enrol in the nurturing cadence."""
        sophie = cls._french_salesperson(login)
        cls.team.member_ids = [(4, sophie.id)]
        cls.team.contoso_nurture = True
        cls.company.contoso_nurture_auto_enrol = True
        return sophie

    @classmethod
    def _setup_two_teams(cls):
        """Who reads whose deals: Otto, another salesperson, shares the Contoso
        team with Sally and the team shares its deals; Sally is also a member
        of the Resellers team, which does not share them and whose deals above
        20,000 need a tech check. Dana is a data administrator."""
        cls.env["ir.config_parameter"].set_param("sales_team.membership_multi", True)
        cls.company.contoso_tech_check_threshold = 20000
        cls.otto = cls._role_user("other salesperson")
        cls.data_admin = cls._role_user("data admin")
        cls.team.contoso_share_deals = True
        cls.team.member_ids = [Command.link(cls.otto.id)]
        cls.resellers = cls.env["crm.team"].create(
            {
                "name": "Test Resellers",
                "contoso_tech_check": True,
                "member_ids": [Command.link(cls.salesperson.id)],
            }
        )

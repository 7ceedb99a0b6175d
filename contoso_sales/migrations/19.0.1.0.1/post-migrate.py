"""19.0.1.0.1: the team-sharing record rules filter on the user's sharing
teams instead of joining each deal's team and its members.

Those rules are noupdate (security/contoso_roles_security.xml), so an upgrade
would keep the old domains: load the file again as at install."""

from odoo import SUPERUSER_ID, api
from odoo.tools import convert_file


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    convert_file(
        env,
        "contoso_sales",
        "security/contoso_roles_security.xml",
        {},
        mode="init",
        noupdate=True,
    )
    env.registry.clear_cache()

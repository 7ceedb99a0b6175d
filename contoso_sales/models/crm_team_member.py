from odoo import api, models

# What the team-sharing record rules resolve once per user (contoso_roles_security.xml):
# the user's active memberships of teams that share their deals.
SHARING_FIELDS = frozenset({"user_id", "crm_team_id", "active"})


class CrmTeamMember(models.Model):
    """Team sharing: a membership decides which deals a salesperson reads."""

    _inherit = "crm.team.member"

    @api.model_create_multi
    def create(self, vals_list):
        members = super().create(vals_list)
        members._contoso_sharing_changed()
        return members

    def write(self, vals):
        result = super().write(vals)
        if SHARING_FIELDS & set(vals):
            self._contoso_sharing_changed()
        return result

    def unlink(self):
        result = super().unlink()
        self._contoso_sharing_changed()
        return result

    def _contoso_sharing_changed(self):
        # ir.rule caches each user's evaluated domains, in which the team-sharing
        # rules hold the ids of the user's sharing teams: a membership or
        # sharing change must reach the next check, in every worker (the
        # registry signals the cleared cache to the others).
        self.env.registry.clear_cache()

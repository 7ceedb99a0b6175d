from odoo import api, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.model
    def _action_update_to_pipeline(self, action):
        action = super()._action_update_to_pipeline(action)
        user = self.env.user
        team = user.sale_team_id
        # The leader of a team with its own pipeline, or a sales administrator
        # in it, oversees the team: the pipeline opens on the team's deals, not
        # on "My Pipeline" (for the administrator, Odoo's own demo deals).
        if team.contoso_own_stages and (
            team.user_id == user or user.has_group("sales_team.group_sale_manager")
        ):
            context = dict(action["context"])
            context.pop("search_default_assigned_to_me", None)
            context.update(search_default_team_id=team.id, default_team_id=team.id)
            action["context"] = context
        return action

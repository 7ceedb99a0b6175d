from odoo import api, models
from odoo.fields import Domain


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model
    def _contoso_stage_domain(self, team_ids):
        """Stages a pipeline shows: a team with stages of its own (Contoso's
        Qualify → Close) uses only those; other teams keep Odoo's shared ones."""
        team_ids = [tid for tid in team_ids if tid]
        if team_ids and self.env["crm.stage"].sudo().search_count(
            [("team_ids", "in", team_ids)], limit=1
        ):
            return Domain("team_ids", "in", team_ids)
        if team_ids:
            return Domain("team_ids", "=", False) | Domain("team_ids", "in", team_ids)
        return Domain("team_ids", "=", False)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        team_ids = []
        if self.env.context.get("show_user_team_stages"):
            team_ids += self.env.user.crm_team_ids.ids
        team_ids.append(self.env.context.get("default_team_id"))
        search_domain = Domain("id", "in", stages.ids) | self._contoso_stage_domain(
            team_ids
        )
        # sudo: stage names are not confidential, Odoo's own method does the same
        return stages.browse(stages.sudo()._search(search_domain, order=stages._order))

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        team_ids = {team_id} | set(self.team_id.ids)
        search_domain = self._contoso_stage_domain(list(team_ids))
        if domain:
            search_domain &= Domain(domain)
        return self.env["crm.stage"].search(search_domain, order=order, limit=limit)

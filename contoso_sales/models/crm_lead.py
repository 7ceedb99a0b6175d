from odoo import api, fields, models
from odoo.fields import Domain


class CrmLead(models.Model):
    _inherit = "crm.lead"

    # Contoso calls opportunities Deals: labels only, technical names stay.
    name = fields.Char(string="Deal")
    type = fields.Selection(selection=[("lead", "Lead"), ("opportunity", "Deal")])
    tag_ids = fields.Many2many(
        help="Classify and analyze your lead/deal categories like: Training, Service"
    )
    date_deadline = fields.Date(
        help="Estimate of the date on which the deal will be won."
    )
    partner_name = fields.Char(
        help="The name of the future partner company that will be created while "
        "converting the lead into a deal"
    )

    @api.model
    def _contoso_exclusive_teams(self, team_ids):
        """The teams among these that keep to their own stages."""
        # sudo: which teams keep to their own stages is not confidential.
        return (
            self.env["crm.team"]
            .sudo()
            .browse([tid for tid in team_ids if tid])
            .filtered("contoso_own_stages")
        )

    @api.model
    def _contoso_stage_domain(self, team_ids):
        """Stages a pipeline shows: a team set to use only its own stages
        (Contoso's Qualify → Close) shows those; other teams keep Odoo's rule,
        the shared stages plus their own."""
        team_ids = [tid for tid in team_ids if tid]
        exclusive = self._contoso_exclusive_teams(team_ids)
        if exclusive:
            return Domain("team_ids", "in", exclusive.ids)
        if team_ids:
            return Domain("team_ids", "=", False) | Domain("team_ids", "in", team_ids)
        return Domain("team_ids", "=", False)

    contoso_stage_ids = fields.Many2many(
        "crm.stage",
        string="Pipeline Stages",
        compute="_compute_contoso_stage_ids",
        help="The stages of the deal's pipeline: its team's own stages when the team "
        "has some, else Odoo's shared ones.",
    )

    contoso_team_own_stages = fields.Boolean(
        related="team_id.contoso_own_stages",
        string="Team Uses Own Stages",
        help="The deal's pipeline shows only its team's stages: what the form's "
        "stage bar offers (the stages of Pipeline Stages), read with the team.",
    )

    @api.depends("team_id")
    def _compute_contoso_stage_ids(self):
        stages_by_team = {}
        for lead in self:
            team = lead.team_id
            if team not in stages_by_team:
                stages_by_team[team] = self.env["crm.stage"].search(
                    self._contoso_stage_domain(team.ids)
                )
            lead.contoso_stage_ids = stages_by_team[team]

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        result = super()._read_group_stage_ids(stages, domain)
        # A team keeping to its own stages hides Odoo's shared ones.
        exclusive = self._contoso_exclusive_teams(
            [
                *(
                    self.env.user.crm_team_ids.ids
                    if self.env.context.get("show_user_team_stages")
                    else ()
                ),
                self.env.context.get("default_team_id"),
            ]
        )
        if not exclusive:
            return result
        # sudo: stage teams are not confidential, Odoo's own method searches so.
        return result.filtered(
            lambda stage: stage in stages or stage.sudo().team_ids & exclusive
        )

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        exclusive = self._contoso_exclusive_teams([team_id, *self.team_id.ids])
        if exclusive:
            # A team keeping to its own stages: none of Odoo's shared ones.
            domain = [*(domain or []), ("team_ids", "in", exclusive.ids)]
        return super()._stage_find(
            team_id=team_id, domain=domain, order=order, limit=limit
        )

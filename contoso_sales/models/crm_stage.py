from odoo import fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "contoso_sales.group_sales_manager"

# Stage flags that decide which deals the tech-check gate holds.
GATE_FIELDS = ("is_won", "contoso_requires_tech_check")


class CrmStage(models.Model):
    _inherit = "crm.stage"

    contoso_requires_tech_check = fields.Boolean(
        string="Requires Tech Check",
        help="Deals above the tech check threshold can only enter this stage with a "
        "passed tech check. Won stages always require it.",
    )

    def write(self, vals):
        gate_fields = [fname for fname in GATE_FIELDS if fname in vals]
        changed = self.filtered(
            lambda stage: any(stage[f] != bool(vals[f]) for f in gate_fields)
        )
        if not changed:
            return super().write(vals)
        changed._contoso_check_gate_setting(gate_fields[0])
        result = super().write(vals)
        self.env["crm.lead"]._tech_check_raise_blocked_by_setting(
            [("stage_id", "in", changed.ids)],
            self.env._(
                "%(field)s of stage %(stage)s",
                field=self._fields[gate_fields[0]]._description_string(self.env),
                stage=", ".join(changed.mapped("name")),
            ),
        )
        return result

    def _contoso_check_gate_setting(self, fname):
        """Which stages are gated is the Contoso sales managers' decision, not
        that of any Odoo Sales Administrator."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        raise AccessError(
            self.env._(
                "%(user)s cannot change %(field)s of stage %(stage)s: it decides "
                "which deals need a tech check. Ask a Contoso sales manager.",
                user=self.env.user.name,
                field=self._fields[fname]._description_string(self.env),
                stage=", ".join(self.mapped("name")),
            )
        )

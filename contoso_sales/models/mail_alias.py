import ast

from odoo import api, models
from odoo.exceptions import ValidationError

# What only a technical consultant (a check) or a sales manager (an override)
# may put on a deal.
TECH_CHECK_FIELDS = (
    "tech_check_ids",
    "tech_check_override_reason",
    "tech_check_override_user_id",
    "tech_check_override_date",
    "tech_check_override_amount",
)


class MailAlias(models.Model):
    _inherit = "mail.alias"

    @api.constrains("alias_defaults", "alias_model_id")
    def _check_contoso_tech_check_defaults(self):
        # Odoo lets whoever edits a sales team write its alias's defaults (as
        # superuser), and the mail gateway creates deals with them as superuser:
        # a passed check or an override in them would be logged for every
        # email, by nobody.
        for alias in self.filtered(lambda a: a.alias_model_id.model == "crm.lead"):
            # read as the gateway reads them (Odoo's own constraint has
            # already refused anything that is not a literal dictionary)
            defaults = ast.literal_eval(alias.alias_defaults or "{}")
            forged = [fname for fname in TECH_CHECK_FIELDS if fname in defaults]
            if forged:
                raise ValidationError(
                    self.env._(
                        "The email alias '%(alias)s' cannot set %(fields)s on the "
                        "deals it creates: technical consultants log tech checks "
                        "and sales managers override them, on each deal.",
                        alias=alias.display_name,
                        fields=", ".join(forged),
                    )
                )

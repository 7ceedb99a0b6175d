"""Since 19.0.1.1.0 a running or paused cadence needs an open deal (constraint
on contoso.nurture.enrolment). Before it, *Start nurturing* on a won deal
enrolled it again: such enrolments would now fail the daily job's write of
their next step, every day. They are stopped, with the reason a closing deal
gives today."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    closed = (
        env["crm.lead"]
        .with_context(active_test=False)
        .search(
            [
                ("contoso_nurture_enrolment_ids.state", "in", ("running", "paused")),
                "|",
                ("active", "=", False),
                ("stage_id.is_won", "=", True),
            ]
        )
    )
    closed._contoso_nurture_stop_closed()

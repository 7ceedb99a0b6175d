from datetime import datetime, time, timedelta

import pytz
from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import plaintext2html

# Contoso's phone hours, in the customer's time zone: a slot is a promise kept
# by a person, so it must fall in those hours on a working day.
SLOTS = [
    ("morning", "Morning (9:00 - 12:00)"),
    ("afternoon", "Afternoon (13:00 - 17:00)"),
]
SLOT_START = {"morning": time(9), "afternoon": time(13)}
SUBJECTS = [
    ("order", "My order or delivery"),
    ("product", "A product problem"),
    ("invoice", "My invoice"),
    ("other", "Something else"),
]
# How far ahead a customer may book: the representative plans his weeks.
MAX_DAYS_AHEAD = 30
# Open requests a customer may have at once: each one is an activity on a
# representative's list, so the portal form cannot flood it.
MAX_OPEN_REQUESTS = 3


class ContosoCallbackRequest(models.Model):
    """A customer's request to be called back, asked from the portal.

    Its activity, assigned to the account representative and due on the chosen
    day, is what the representative sees; marking the activity done marks the
    request done. A request still open after its day is overdue.
    """

    _name = "contoso.callback.request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Callback Request"
    _order = "date desc, id desc"
    _rec_name = "subject"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        help="The commercial partner (the company, or the person) to call back.",
    )
    requested_by_id = fields.Many2one(
        "res.partner",
        string="Requested By",
        required=True,
        ondelete="cascade",
        help="The contact who asked, and whom to call.",
    )
    phone = fields.Char(string="Phone", help="The number to call.")
    subject = fields.Selection(SUBJECTS, string="Subject", required=True)
    note = fields.Text(string="Details")
    date = fields.Date(string="Day", required=True, index=True)
    slot = fields.Selection(SLOTS, string="Time Window", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Account Representative",
        required=True,
        index=True,
        help="Who calls back: the customer's salesperson, else the Contoso Sales "
        "team's leader.",
    )
    # indexed: every activity marked done or deleted, of any model, looks for
    # the request waiting on it (the FK's ON DELETE too)
    activity_id = fields.Many2one(
        "mail.activity",
        string="Activity",
        ondelete="set null",
        copy=False,
        index="btree_not_null",
    )
    state = fields.Selection(
        [("requested", "Requested"), ("done", "Done")],
        string="Status",
        required=True,
        default="requested",
        index=True,
        tracking=True,
    )
    date_done = fields.Date(string="Done On", readonly=True)
    is_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        help="Still not done after its day.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )

    @api.depends("state", "date")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.is_overdue = request.state == "requested" and request.date < today

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!="):
            return NotImplemented
        today = fields.Date.context_today(self)
        overdue = [("state", "=", "requested"), ("date", "<", today)]
        if (operator == "=") == bool(value):
            return overdue
        return ["!", "&", *overdue]

    @api.constrains("date", "slot")
    def _check_window(self):
        for request in self:
            tz = pytz.timezone(request.requested_by_id.tz or self.env.user.tz or "UTC")
            start = tz.localize(
                datetime.combine(request.date, SLOT_START[request.slot])
            )
            now = datetime.now(pytz.utc)
            if request.date.weekday() >= 5:
                raise ValidationError(
                    self.env._(
                        "Callback request: %(day)s is a weekend day. Pick a day "
                        "from Monday to Friday.",
                        day=request.date,
                    )
                )
            if start <= now:
                raise ValidationError(
                    self.env._(
                        "Callback request: the window %(day)s %(slot)s has already "
                        "started. Pick a later window.",
                        day=request.date,
                        slot=dict(
                            self._fields["slot"]._description_selection(self.env)
                        )[request.slot],
                    )
                )
            if request.date > fields.Date.context_today(request) + timedelta(
                days=MAX_DAYS_AHEAD
            ):
                raise ValidationError(
                    self.env._(
                        "Callback request: %(day)s is more than %(days)s days ahead. "
                        "Pick a day within the next %(days)s days.",
                        day=request.date,
                        days=MAX_DAYS_AHEAD,
                    )
                )

    @api.constrains("partner_id", "state")
    def _check_open_requests(self):
        # sudo: a customer's open requests are counted whoever writes (a
        # salesperson reads only those he calls); only the counts are used.
        open_counts = (
            self.env["contoso.callback.request"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", self.partner_id.ids),
                    ("state", "=", "requested"),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner, count in open_counts:
            if count > MAX_OPEN_REQUESTS:
                raise ValidationError(
                    self.env._(
                        "Callback request: %(partner)s already has %(max)s open "
                        "callback requests. Wait for the call, or add your question "
                        "to one of them.",
                        partner=partner.display_name,
                        max=MAX_OPEN_REQUESTS,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        requests._schedule_activities()
        return requests

    def _schedule_activities(self):
        call = self.env.ref("mail.mail_activity_data_call")
        model = self.env["ir.model"]._get_id(self._name)
        # sudo: the requester (often a portal user) may not create activities;
        # the activity only points at this request, for its representative.
        activities = (
            self.env["mail.activity"]
            .sudo()
            .create(
                [
                    {
                        "res_model_id": model,
                        "res_id": request.id,
                        "activity_type_id": call.id,
                        "summary": self.env._(
                            "Call back %(name)s: %(subject)s",
                            name=request.requested_by_id.name,
                            subject=dict(
                                self._fields["subject"]._description_selection(self.env)
                            )[request.subject],
                        ),
                        # The customer's text, shown as text: never as
                        # markup (links, images) in the back office.
                        "note": plaintext2html(request.note) if request.note else False,
                        "date_deadline": request.date,
                        "user_id": request.user_id.id,
                    }
                    for request in self
                ]
            )
        )
        for request, activity in zip(self, activities, strict=True):
            request.activity_id = activity

    @api.model
    def _representative(self, partner):
        """Who calls this commercial partner back."""
        team = self.env.ref("contoso_sales.team_contoso", raise_if_not_found=False)
        return (
            partner.commercial_partner_id.user_id
            or (team and team.user_id)
            or self.env.ref("base.user_admin")
        )

    def _mark_done(self):
        self.write({"state": "done", "date_done": fields.Date.context_today(self)})

    def action_done(self):
        """Done from the request itself marks its activity done too."""
        open_requests = self.filtered(lambda r: r.state == "requested")
        activities = open_requests.activity_id
        if activities:
            activities.action_feedback()
        # The activity hook already closed them; those without one close here.
        open_requests.filtered(lambda r: r.state == "requested")._mark_done()

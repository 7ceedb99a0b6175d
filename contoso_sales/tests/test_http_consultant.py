from odoo.tests import tagged
from odoo.tests.common import JsonRpcException

from .http_common import ContosoHttpCase, rpc_user
from .test_consultant_view import ConsultantDealMixin


@tagged("post_install", "-at_install", "contoso_http")
class TestConsultantOverRpc(ConsultantDealMixin, ContosoHttpCase):
    """What the consultant's form reads, over JSON-RPC as the web client does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,contoso_sales.group_{}"
        cls.sally = rpc_user(cls.env, "rpc_cv_sally", groups.format("salesperson"))
        cls.tom = rpc_user(cls.env, "rpc_cv_tom", groups.format("technical_consultant"))
        cls._setup_deal(cls.sally)

    def test_web_read_shows_lines_and_refuses_writes(self):
        self.login(self.tom)
        spec = {
            "deal_line_ids": {"fields": {"product_id": {}, "price_subtotal": {}}},
            "tech_check_count": {},
            "quotation_count": {},
            "contoso_user_can_sell": {},
        }
        [values] = self.call_kw(
            "crm.lead", "web_read", [[self.deal.id]], {"specification": spec}
        )
        self.assertEqual(len(values["deal_line_ids"]), 3)
        self.assertEqual(values["quotation_count"], 1)
        self.assertFalse(values["contoso_user_can_sell"])
        line_id = self.deal.deal_line_ids[0].id
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw("contoso.deal.line", "write", [[line_id], {"price_unit": 1.0}])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw("sale.order", "write", [[self.quotation.id], {"note": "x"}])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self.call_kw(
                "sale.order.line",
                "write",
                [self.quotation.order_line.ids, {"price_unit": 1.0}],
            )
        self.deal.invalidate_recordset()
        self.assertEqual(self.deal.deal_line_ids[0].price_unit, 1000.0)
        self.assertEqual(self.quotation.order_line.price_unit, 1000.0)

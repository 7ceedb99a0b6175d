from odoo.tests import HttpCase, new_test_user
from odoo.tests.common import JsonRpcException


def rpc_user(env, login, groups, **values):
    """A user of `groups` (comma-separated xml ids) who logs in over HTTP with
    the password `<login>_pw` (ContosoHttpCase.login); named after the login
    unless `name` is given."""
    values.setdefault("name", login.replace("_", " ").title())
    return new_test_user(
        env, login=login, password=f"{login}_pw", groups=groups, **values
    )


def rpc_salesperson(env):
    """RPC Sally, a salesperson who logs in over HTTP."""
    return rpc_user(
        env,
        "rpc_sally",
        "base.group_user,contoso_sales.group_salesperson",
        name="RPC Sally",
    )


class ContosoHttpCase(HttpCase):
    """JSON-RPC as the web client speaks it, for the tests of clients that
    never open a form: a call either raises its error or hands it back whole."""

    def login(self, user):
        """Open a session as `user`, created by rpc_user."""
        self.authenticate(user.login, f"{user.login}_pw")

    def call_kw_reply(self, model, method, args, kwargs=None):
        """The JSON-RPC reply to the call as the web client receives it: its
        `result`, or its `error` whose `data` holds the exception's name and
        message."""
        response = self.url_open(
            f"/web/dataset/call_kw/{model}/{method}",
            json={
                "id": 0,
                "jsonrpc": "2.0",
                "method": "call",
                "params": {
                    "model": model,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs or {},
                },
            },
        )
        response.raise_for_status()
        return response.json()

    def call_kw(self, model, method, args, kwargs=None):
        """The call's result; its error raises JsonRpcException, whose message
        is "<exception's name>: <its message>" so that tests can match either."""
        reply = self.call_kw_reply(model, method, args, kwargs)
        if "error" in reply:
            error = reply["error"]
            raise JsonRpcException(
                error["code"], f"{error['data']['name']}: {error['data']['message']}"
            )
        # as make_jsonrpc_request: Odoo's dispatcher may send no result at all
        return reply.get("result")


class GatedTeamHttpCase(ContosoHttpCase):
    """Contoso's team with tech checks, its Quote and Close stages, and the
    test company (`company`) with the $20,000 threshold: the gate as the
    attacks over JSON-RPC meet it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env.ref("contoso_sales.team_contoso")
        cls.team.contoso_tech_check = True
        cls.quote = cls.env.ref("contoso_sales.stage_quote")
        cls.close = cls.env.ref("contoso_sales.stage_close")
        cls.company = cls.env.company
        cls.company.contoso_tech_check_threshold = 20000

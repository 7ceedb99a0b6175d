"""What every benchmark shares: its command line, Odoo's set-up, and running a
scenario on a database in a transaction that is rolled back, so the vanilla and
the addon database stay as they were between benchmarks."""

import argparse

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.server import load_server_wide_modules
from odoo.tools import config


def setup():
    """Parse `--config --vanilla-db --addon-db` (as `./contoso bench` passes
    them) and load Odoo's configuration."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--vanilla-db", required=True)
    parser.add_argument("--addon-db", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config])
    load_server_wide_modules()
    return args


def run(dbname, scenario, *args):
    """`scenario(env, *args)` as superuser on `dbname`, rolled back after."""
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            return scenario(env, *args)
        finally:
            cr.rollback()

from . import controllers, models, wizards


def uninstall_hook(env):
    """The purchases' totals and the functions of their triggers are the
    database's, not the ORM's (models/contoso_purchase_totals.py): they go with
    the module."""
    env.cr.execute(
        """
        DROP TABLE IF EXISTS contoso_purchase_total;
        DROP TABLE IF EXISTS contoso_purchase_rate_stamp;
        DROP FUNCTION IF EXISTS contoso_purchase_total_refresh() CASCADE;
        DROP FUNCTION IF EXISTS contoso_purchase_amount_company() CASCADE;
        DROP FUNCTION IF EXISTS contoso_currency_rate(integer, integer, date);
        """
    )

"""Reading, normalising and matching Contoso's CSV exports.

Plain Python, no ORM: the Odoo models above call it, tests run it without a
database, and the benchmark streams files through it.
"""

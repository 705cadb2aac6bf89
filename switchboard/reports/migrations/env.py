"""Alembic environment: runs on the connection `reports.store.migrate` hands it."""

from alembic import context

from switchboard.reports.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()

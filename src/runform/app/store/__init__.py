"""The results store shared by the web app and runform batch (SQLAlchemy 2, Alembic)."""

"""The results store: one Alembic schema on SQLite and on a real PostgreSQL server, and
`runform batch --db` filling it (scripts/test_postgres.sh starts the server)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import MOCAP_DIR, SHARED, only_one, run_cli, shared_dir

PG_URL = os.environ.get("RUNFORM_TEST_POSTGRES", "postgresql://runform:runform@127.0.0.1:5432/runform_test")
RIC = MOCAP_DIR / "ric_running" / "20140515T133244_run.c3d"
IMU_SAMPLE = SHARED / "imu" / "alcantara_sacral" / "Sample_test_data.csv"


@pytest.fixture
def pg_url(tmp_path_factory):
    """The test database, emptied: the store must build its schema from the migrations. One test
    at a time holds it (the test processes share one server)."""
    from runform.app.store.db import _normalise

    with only_one(shared_dir(tmp_path_factory, "postgresql")):
        engine = sa.create_engine(_normalise(PG_URL))
        try:
            with engine.begin() as c:
                c.execute(sa.text("DROP TABLE IF EXISTS sessions, athletes, alembic_version CASCADE"))
        except sa.exc.OperationalError as e:
            pytest.fail(f"PostgreSQL test server not reachable at {PG_URL} ({e.orig}); run scripts/test_postgres.sh")
        finally:
            engine.dispose()
        yield PG_URL


def _schema(engine) -> dict:
    insp = sa.inspect(engine)
    return {t: sorted((c["name"], c["type"].__class__.__name__.replace("DOUBLE_PRECISION", "FLOAT"),
                       c["nullable"]) for c in insp.get_columns(t))
            for t in insp.get_table_names()}


def test_same_schema_on_sqlite_and_postgresql(tmp_path, pg_url):
    from runform.app.store.db import Store

    lite, pg = Store(f"sqlite:///{tmp_path / 'runform.db'}"), Store(pg_url)
    try:
        a, b = _schema(lite.engine), _schema(pg.engine)
        assert set(a) == set(b) == {"athletes", "sessions", "alembic_version"}
        for table in ("athletes", "sessions"):
            assert [(n, nullable) for n, _, nullable in a[table]] == [(n, nullable) for n, _, nullable in b[table]]
        with pg.engine.connect() as c:
            assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0002"
        Store(pg_url).close()  # opening a migrated database again changes nothing
    finally:
        lite.close()
        pg.close()


def test_batch_results_land_in_postgresql_once(tmp_path, pg_url):
    from runform.app.store.db import Store
    from runform.app.store.models import RunSession

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / RIC.name).symlink_to(RIC)
    static = RIC.with_name(RIC.name.replace("_run", "_static"))
    (inputs / static.name).symlink_to(static)  # its static trial, which the cluster markers need
    (inputs / "sacrum.csv").symlink_to(IMU_SAMPLE)
    (tmp_path / "athletes.csv").write_text(f"file,athlete,date,height\n{RIC.name},Runner <b>A</b>,2024-03-02,1.75\n")
    out = tmp_path / "batch"
    args = ["batch", str(inputs), "--out", str(out), "--workers", "2", "--manifest", str(tmp_path / "athletes.csv"),
            "--db", pg_url]
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    again = run_cli(*args)
    assert again.returncode == 0, again.stderr

    store = Store(pg_url)
    try:
        with store.session() as db:
            sessions = db.scalars(sa.select(RunSession).order_by(RunSession.file_name)).all()
            assert [s.file_name for s in sessions] == [RIC.name, "sacrum.csv"]  # once each, after two runs
            lab, imu = sessions
            assert lab.athlete.name == "Runner <b>A</b>" and lab.athlete.height_m == 1.75
            assert lab.recorded_at.date().isoformat() == "2024-03-02"
            assert imu.athlete is None and imu.source == "imu" and lab.source == "mocap"
            assert all(s.status == "done" and s.origin == "batch" and not s.owns_files for s in sessions)
            summary = json.loads((Path(lab.output_dir) / "summary.json").read_text())
            assert lab.n_strides == summary["n_strides"]
            assert lab.metrics["cadence_spm"]["median"] == summary["metrics"]["cadence_spm"]["median"]
            assert lab.metrics["ground_contact_ms"]["iqr"] == summary["metrics"]["ground_contact_ms"]["iqr"]
    finally:
        store.close()


def test_bad_database_urls(tmp_path):
    base = ["batch", str(IMU_SAMPLE), "--out"]
    other = run_cli(*base, str(tmp_path / "a"), "--db", "mysql://u:p@127.0.0.1/x")
    assert other.returncode == 2 and "SQLite or PostgreSQL" in other.stderr
    wrong = run_cli(*base, str(tmp_path / "b"), "--db", "postgresql://runform:not-the-password@127.0.0.1:5432/runform_test")
    assert wrong.returncode == 2 and "Could not open the database" in wrong.stderr
    assert "not-the-password" not in wrong.stderr and "Traceback" not in wrong.stderr
    assert not (tmp_path / "b" / "recordings").exists() or not any((tmp_path / "b" / "recordings").iterdir())


def test_a_store_from_before_the_notes_is_upgraded_with_its_data(tmp_path):
    """A database at the first schema (0001) opens as the newest: its athletes stay, and the notes
    columns are there."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    from runform.app.store.db import Store
    from runform.app.store.models import Athlete

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("runform.app.store").joinpath("migrations")))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(sa.text("INSERT INTO athletes (name, created_at) VALUES ('Bo', '2026-11-01 12:00:00')"))
    engine.dispose()
    store = Store(url)
    try:
        with store.session.begin() as db:
            bo = db.scalars(sa.select(Athlete)).one()
            assert bo.name == "Bo" and bo.notes is None
            bo.notes = "kept"
        with store.engine.connect() as c:
            assert c.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0002"
    finally:
        store.close()

"""Fixtures for the interop tests: a lake the tidelake command runs on, and a local Spark with Delta
(the binary itself comes from tests/conftest.py)."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tidelake(tidelake_bin, tmp_path):
    """Runs `tidelake ARGS --lake <tmp>/lake` and returns the completed process."""
    lake = tmp_path / "lake"

    def run(*args, check=True):
        proc = subprocess.run([tidelake_bin, *args, "--lake", str(lake)], capture_output=True, text=True)
        if check and proc.returncode != 0:
            raise AssertionError(f"tidelake {' '.join(args)} failed: {proc.stderr}")
        return proc

    run.lake = lake
    return run


@pytest.fixture(scope="session")
def spark():
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[1]")
        .appName("tidelake-interop")
        .config("spark.jars.ivy", str(ROOT / ".deps" / "ivy"))
        .config("spark.jars.ivySettings", str(ROOT / "scripts" / "spark-ivysettings.xml"))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    )
    session = configure_spark_with_delta_pip(builder).getOrCreate()
    yield session
    session.stop()

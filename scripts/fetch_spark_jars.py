"""Resolves Spark's Delta Lake jars from Maven Central into an Ivy cache folder.

Starting a local SparkSession with spark.jars.packages makes Spark download the jars
once; later sessions that point spark.jars.ivy at the same folder find them there.
"""
import sys
from pathlib import Path

from delta import configure_spark_with_delta_pip
from pyspark.sql import SparkSession


def main() -> None:
    ivy = sys.argv[1]
    builder = (
        SparkSession.builder.master("local[1]")
        .appName("tidelake-setup")
        .config("spark.jars.ivy", ivy)
        .config("spark.jars.ivySettings", str(Path(__file__).with_name("spark-ivysettings.xml")))
        .config("spark.ui.enabled", "false")
    )
    spark = configure_spark_with_delta_pip(builder).getOrCreate()
    spark.stop()


if __name__ == "__main__":
    main()

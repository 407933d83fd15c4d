"""Checks the expectations of tests/sql/*.test files against Apache Spark (pyspark, ANSI mode).

    .deps/venv/bin/python tests/sql/spark_oracle.py tests/sql/select.test [...]

Each file runs in a fresh local Spark session with databases raw, refined and curated, in UTC.
Tables are created as Parquet ("USING DELTA" is dropped), so Delta-only statements (time
travel, OPTIMIZE, ...) are out of scope: mark such records with a line `# spark: skip` just
above them. Rows are formatted the way tidelake_sqllogictest prints them (reals with 6
significant digits, NULL, (empty)). Error records only check that Spark fails too; the message
text is tidelake's own. `file` records are written to a scratch directory that __TMP__ names.
Prints each disagreement with its file:line; exit status 1 if any.
"""

import datetime
import os
import time
import decimal
import math
import re
import shutil
import sys
import tempfile

from pyspark.sql import SparkSession


def parse(path):
    lines = open(path).read().split("\n")
    records = []
    i = 0
    skip_next = False
    while i < len(lines):
        head = lines[i]
        if not head.strip() or head.startswith("#"):
            if head.strip() == "# spark: skip":
                skip_next = True
            i += 1
            continue
        rec = {"line": i + 1, "head": head, "skip": skip_next}
        skip_next = False
        words = head.split()
        rec["kind"] = words[0] + ("_" + words[1] if words[0] == "statement" else "")
        if words[0] == "file":
            rec["path"] = words[1]
        if words[0] == "query":
            rec["types"] = words[1]
            rec["rowsort"] = len(words) > 2 and words[2] == "rowsort"
        i += 1
        sql = []
        while i < len(lines) and lines[i].strip() and lines[i] != "----":
            sql.append(lines[i])
            i += 1
        rec["sql"] = "\n".join(sql)
        rec["expected"] = []
        if words[0] == "query":
            i += 1
            while i < len(lines) and lines[i].strip():
                rec["expected"].append(lines[i])
                i += 1
        records.append(rec)
    return records


def fmt(v, t, ltz=False, nested=False):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if t == "R":
            if math.isnan(v):
                return "nan"
            if math.isinf(v):
                return "inf" if v > 0 else "-inf"
            return "%.6g" % v
        return repr(v)
    if isinstance(v, decimal.Decimal):
        return format(v, "f")
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S") + (".%06d" % v.microsecond) + ("Z" if ltz else "")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("latin-1")
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x, "T", nested=True) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(fmt(k, "T", nested=True) + " -> " + fmt(x, "T", nested=True) for k, x in v.items()) + "}"
    if hasattr(v, "asDict"):
        return "{" + ", ".join(fmt(x, "T", nested=True) for x in v) + "}"
    s = str(v)
    return s if s or nested else "(empty)"


def to_spark(sql):
    # Spark 4 creates data source tables (spark.sql.sources.default = parquet) without USING.
    return re.sub(r"\bUSING\s+DELTA\b", "USING PARQUET", sql, flags=re.I)


def main():
    os.environ["TZ"] = "UTC"  # pyspark turns TIMESTAMP values into local datetimes
    time.tzset()
    warehouse = tempfile.mkdtemp(prefix="spark-oracle-")
    spark = (SparkSession.builder.master("local[1]")
             .config("spark.sql.ansi.enabled", "true")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "1")
             .config("spark.sql.warehouse.dir", warehouse)
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
    bad = 0
    for path in sys.argv[1:]:
        for db in ("raw", "refined", "curated"):
            spark.sql(f"DROP DATABASE IF EXISTS {db} CASCADE")
            spark.sql(f"CREATE DATABASE {db}")
        spark.sql("USE default")
        for t in spark.catalog.listTables("default"):
            spark.sql(f"DROP TABLE IF EXISTS default.{t.name}")
        scratch = tempfile.mkdtemp(prefix="spark-oracle-files-")
        for rec in parse(path):
            if rec["kind"] == "file":
                target = os.path.join(scratch, rec["path"])
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "w") as out:
                    out.write(rec["sql"])
                continue
            if rec["skip"]:
                continue
            where = f"{path}:{rec['line']}"
            try:
                df = spark.sql(to_spark(rec["sql"].replace("__TMP__", scratch)))
                rows = df.collect()
                err = None
            except Exception as e:  # noqa: BLE001 - any Spark failure is the answer
                err = str(e).strip().split("\n")[0] or type(e).__name__
            if rec["kind"] == "statement_ok" and err:
                bad += 1
                print(f"{where}: Spark failed: {err}\n  {rec['sql']}")
            elif rec["kind"] == "statement_error" and not err:
                bad += 1
                print(f"{where}: Spark succeeded where an error is expected\n  {rec['sql']}")
            elif rec["kind"] == "query":
                if err:
                    bad += 1
                    print(f"{where}: Spark failed: {err}\n  {rec['sql']}")
                    continue
                types = rec["types"]
                ltz = [f.dataType.typeName() == "timestamp" for f in df.schema.fields]
                got = ["\t".join(fmt(v, types[i] if i < len(types) else "T", ltz[i]) for i, v in enumerate(r))
                       for r in rows]
                exp = list(rec["expected"])
                if rec["rowsort"]:
                    got.sort()
                    exp.sort()
                if got != exp:
                    bad += 1
                    print(f"{where}: Spark disagrees\n  {rec['sql']}\n  expected: {exp}\n  spark:    {got}")
        shutil.rmtree(scratch, ignore_errors=True)
    spark.stop()
    shutil.rmtree(warehouse, ignore_errors=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

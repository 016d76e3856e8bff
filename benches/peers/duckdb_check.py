"""The peer baseline in DuckDB SQL: the same handful of checks as polars_check.py."""
import sys

import duckdb

path = sys.argv[1]
con = duckdb.connect()
con.execute(
    f"CREATE VIEW t AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true, quote='', escape='', null_padding=true, ignore_errors=true)"
)
row = con.execute(
    """
    SELECT count(*) AS records,
      count(*) FILTER (WHERE USER_ID IS NULL) AS empty_user,
      count(*) FILTER (WHERE ITEM_ID IS NULL) AS empty_item,
      count(*) FILTER (WHERE TIMESTAMP IS NOT NULL AND try_cast(TIMESTAMP AS BIGINT) IS NULL) AS bad_ts,
      count(*) FILTER (WHERE try_cast(TIMESTAMP AS BIGINT) >= 4102444800 OR try_cast(TIMESTAMP AS BIGINT) <= 0) AS ts_range,
      count(*) FILTER (WHERE length(USER_ID) > 256) AS long_user,
      count(*) FILTER (WHERE length(ITEM_ID) > 256) AS long_item,
      count(*) FILTER (WHERE EVENT_VALUE IS NOT NULL AND try_cast(EVENT_VALUE AS DOUBLE) IS NULL) AS bad_value,
      count(DISTINCT EVENT_TYPE) AS event_types
    FROM t
    """
).fetchone()
repeat = con.execute("SELECT count(*) FROM (SELECT USER_ID FROM t GROUP BY USER_ID HAVING count(*) >= 2)").fetchone()[0]
dups = con.execute("SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT * FROM t)) FROM t").fetchone()[0]
print(row, {"repeat_users": repeat, "duplicates": dups})

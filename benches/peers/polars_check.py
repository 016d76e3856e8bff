"""The peer baseline in polars: a handful of the checks preflight runs on an Interactions CSV.

Checks: required values present, TIMESTAMP an integer in (0, 2100-01-01), ID lengths <= 256,
EVENT_VALUE a number, event types counted, users with >= 2 interactions, exact duplicate rows.
"""
import sys

import polars as pl

path = sys.argv[1]
# Everything as strings; quotes off and ragged lines cut, so the defective rows do not stop the read.
df = pl.read_csv(path, infer_schema_length=0, truncate_ragged_lines=True, quote_char=None)
ts = pl.col("TIMESTAMP").cast(pl.Int64, strict=False)
ev = pl.col("EVENT_VALUE").cast(pl.Float64, strict=False)
out = df.select(
    pl.len().alias("records"),
    pl.col("USER_ID").is_null().sum().alias("empty_user"),
    pl.col("ITEM_ID").is_null().sum().alias("empty_item"),
    (ts.is_null() & pl.col("TIMESTAMP").is_not_null()).sum().alias("bad_ts"),
    ((ts >= 4102444800) | (ts <= 0)).sum().alias("ts_range"),
    (pl.col("USER_ID").str.len_chars() > 256).sum().alias("long_user"),
    (pl.col("ITEM_ID").str.len_chars() > 256).sum().alias("long_item"),
    (ev.is_null() & pl.col("EVENT_VALUE").is_not_null()).sum().alias("bad_value"),
    pl.col("EVENT_TYPE").n_unique().alias("event_types"),
)
repeat = df.group_by("USER_ID").len().filter(pl.col("len") >= 2).height
dups = df.height - df.unique().height
print(out.to_dicts()[0], {"repeat_users": repeat, "duplicates": dups})

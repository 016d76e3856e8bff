"""The peer baseline in pandas: the same handful of checks as polars_check.py."""
import csv
import sys

import pandas as pd

path = sys.argv[1]
# Quotes off and bad lines skipped, so the defective rows do not stop the read.
df = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip", engine="c", quoting=csv.QUOTE_NONE)
ts = pd.to_numeric(df["TIMESTAMP"], errors="coerce")
ev = pd.to_numeric(df["EVENT_VALUE"].replace("", None), errors="coerce")
out = {
    "records": len(df),
    "empty_user": int((df["USER_ID"] == "").sum()),
    "empty_item": int((df["ITEM_ID"] == "").sum()),
    "bad_ts": int(ts.isna().sum()),
    "ts_range": int(((ts >= 4102444800) | (ts <= 0)).sum()),
    "long_user": int((df["USER_ID"].str.len() > 256).sum()),
    "long_item": int((df["ITEM_ID"].str.len() > 256).sum()),
    "bad_value": int((ev.isna() & (df["EVENT_VALUE"] != "")).sum()),
    "event_types": int(df["EVENT_TYPE"].nunique()),
    "repeat_users": int((df.groupby("USER_ID").size() >= 2).sum()),
    "duplicates": int(df.duplicated().sum()),
}
print(out)

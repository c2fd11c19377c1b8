#!/usr/bin/env python3
"""haniwers v1's preprocess (raw2csv), transcribed to compare Measure-HaniwersRate -Format Haniwers with it.

The steps and numbers are haniwers' own (src/haniwers/v1/preprocess: reader, transformer, aggregator;
docs/daq.md in this repository quotes them). Two differences, neither in the numbers: raw files are
read with pandas instead of polars (same columns and dtypes: int64 for the counts and adc, float64
for tmp/atm/hmd, the timestamp as text), and bottleneck is switched off so pandas sums as numpy does,
as in haniwers' own environment (bottleneck is not one of its dependencies).

usage: haniwers_resample.py OUTPUT.csv INTERVAL TZ OFFSET FILE...
"""
import sys

import numpy as np
import pandas as pd

pd.set_option("compute.use_bottleneck", False)

RAW_COLUMNS = ["timestamp", "top", "mid", "btm", "adc", "tmp", "atm", "hmd"]


def load_csv_files(paths):
    frames = []
    for path in paths:
        df = pd.read_csv(path)
        if set(df.columns) != set(RAW_COLUMNS):
            df = pd.read_csv(path, header=None, names=RAW_COLUMNS)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def process_raw_data(df, tz_string, offset_seconds):
    df_copy = df.copy()
    # format="ISO8601" is pandas 2's spelling; pandas 1.5 reads ISO 8601 without it
    iso = {"format": "ISO8601"} if int(pd.__version__.split(".")[0]) >= 2 else {}
    df_copy["datetime"] = pd.to_datetime(df_copy["timestamp"], utc=True, **iso)
    if offset_seconds != 0:
        df_copy["datetime"] += pd.Timedelta(seconds=offset_seconds)
    df_copy["datetime"] = df_copy["datetime"].dt.tz_convert(tz_string)
    df_copy["hit_top"] = (df_copy["top"] > 0).astype(int)
    df_copy["hit_mid"] = (df_copy["mid"] > 0).astype(int)
    df_copy["hit_btm"] = (df_copy["btm"] > 0).astype(int)
    df_copy["hit_type"] = df_copy["hit_top"] * 4 + df_copy["hit_mid"] * 2 + df_copy["hit_btm"] * 1
    return df_copy


def resample_by_interval(df, interval_seconds=600):
    df_copy = df.copy()
    df_copy = df_copy.set_index("datetime")
    grouped = df_copy.groupby([pd.Grouper(freq=f"{interval_seconds}s"), "hit_type"])
    result_list = []
    for (time_bin, hit_type), group in grouped:
        if len(group) > 0:
            result_list.append({"time": time_bin, "hit_type": hit_type, "events": len(group)})
    return pd.DataFrame(result_list)


def compute_statistics(df, processed_df, interval_seconds=600):
    df_copy = df.copy()
    for col in ["adc", "tmp", "atm", "hmd"]:
        df_copy[f"{col}_mean"] = np.nan
        df_copy[f"{col}_std"] = np.nan
        processed_copy = processed_df.copy()
        for idx, row in df_copy.iterrows():
            time_bin = row["time"]
            hit_type = row["hit_type"]
            next_bin = time_bin + pd.Timedelta(seconds=interval_seconds)
            mask = (processed_copy["datetime"] >= time_bin) & (processed_copy["datetime"] < next_bin)
            mask = mask & (processed_copy["hit_type"] == hit_type)
            window_data = processed_copy[mask][col]
            if len(window_data) > 0:
                valid_data = window_data.dropna()
                if len(valid_data) > 0:
                    df_copy.loc[idx, f"{col}_mean"] = valid_data.mean()
                    if len(valid_data) > 1:
                        df_copy.loc[idx, f"{col}_std"] = valid_data.std()
                    else:
                        df_copy.loc[idx, f"{col}_std"] = 0.0
    return df_copy


def compute_event_rates(df, interval_seconds=600):
    df_copy = df.copy()
    df_copy["event_rate"] = df_copy["events"] / interval_seconds
    df_copy["hit_top_count"] = ((df_copy["hit_type"] // 4) * df_copy["events"]) / 3.0
    df_copy["hit_mid_count"] = (((df_copy["hit_type"] % 4) // 2) * df_copy["events"]) / 3.0
    df_copy["hit_btm_count"] = ((df_copy["hit_type"] % 2) * df_copy["events"]) / 3.0
    df_copy["event_rate_top"] = df_copy["hit_top_count"] / interval_seconds
    df_copy["event_rate_mid"] = df_copy["hit_mid_count"] / interval_seconds
    df_copy["event_rate_btm"] = df_copy["hit_btm_count"] / interval_seconds
    return df_copy.drop(columns=["hit_top_count", "hit_mid_count", "hit_btm_count"])


def main():
    output, interval, tz, offset = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    raw = load_csv_files(sys.argv[5:])
    processed = process_raw_data(raw, tz, offset)
    resampled = resample_by_interval(processed, interval)
    resampled = compute_statistics(resampled, processed, interval)
    resampled = compute_event_rates(resampled, interval)
    resampled.to_csv(output, index=False)


if __name__ == "__main__":
    main()

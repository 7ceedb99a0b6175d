"""Customer data hub import against Odoo's standard import, `load()`.

Run it with `./contoso bench bench_import` (`CONTOSO_BENCH_SCALE=0.1` before it
for a quick run). In one run it generates the four sample exports (by default
100,000 contacts, about 30,000 loyalty members and 500,000 purchases) and
measures:
- addon: contoso_sales' import of every file (contacts through the ORM's
  create/write with survivorship, the addon's own tables by COPY + INSERT ...
  ON CONFLICT, streamed in chunks, loyalty matching included), then the same
  files again, then the same data with its rows shuffled (not byte-identical:
  unchanged rows must be recognised by their values, not by the file);
- vanilla: Odoo's `load()`, the path of Settings > Import, on LOAD_SAMPLES
  samples of LOAD_ROWS rows taken across each file: contacts into res.partner
  on the database without the addon, loyalty members and purchases into their
  models (they exist only with the addon), each with external ids so
  re-loading updates.
`load()` runs at a few hundred rows per second, so it is measured on samples
and their median rate is applied to the full row counts (printed as such, with
the spread of the samples).
It prints rows per second, the end-to-end ratio (target >= 20x) and the peak
memory of the process (target < 500 MB). Everything is rolled back.
"""

import contextlib
import csv
import importlib
import io
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from _harness import run, setup
from odoo.modules.module import initialize_sys_path

SOURCES = ("contacts", "loyalty", "online", "pos")
# The addon's datahub package, imported once the addons path is known (main).
hub = {}
LOAD_ROWS = 2000
LOAD_SAMPLES = 3


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average():
    """When, and the machine's load: ratios of the same run hold, rates move
    with it."""
    now = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    return "{}, load average {:.2f} {:.2f} {:.2f}".format(now, *os.getloadavg())


def import_file(env, source, path):
    batch = env["contoso.import.batch"].create(
        {"source": source, "filename": path.name}
    )

    @contextlib.contextmanager
    def from_disk(self):
        # The filestore attachment is a file on disk too: same streaming.
        with open(path, "rb") as handle:
            yield handle

    batch_class = type(batch)
    original = batch_class._open_file
    batch_class._open_file = from_disk
    try:
        start = time.perf_counter()
        batch._process()
        env.flush_all()
        elapsed = time.perf_counter() - start
    finally:
        batch_class._open_file = original
    return batch, elapsed


def addon(env, paths):
    results = {}
    for source in SOURCES:
        batch, elapsed = import_file(env, source, paths[source])
        results[source] = {
            "rows": batch.rows_done,
            "seconds": elapsed,
            "created": batch.rows_created,
            "failed": batch.rows_failed,
            "peak_mb": peak_mb(),
        }
        print(
            f"  addon {source:<9} {batch.rows_done:>8} rows {elapsed:>7.1f} s "
            f"created {batch.rows_created} failed {batch.rows_failed} "
            f"unlinked {batch.rows_unlinked} peak {peak_mb():.0f} MB",
            flush=True,
        )
    for label, key, folder in (("again", "again", paths), ("shuffled", "shuf", None)):
        for source in SOURCES:
            path = paths[source] if folder else paths[f"{source}_shuffled"]
            batch, elapsed = import_file(env, source, path)
            results[source][f"{key}_seconds"] = elapsed
            results[source][f"{key}_changed"] = batch.rows_created + batch.rows_updated
            print(
                f"  addon {source:<9} {label} {elapsed:>7.1f} s, created+updated "
                f"{batch.rows_created + batch.rows_updated}",
                flush=True,
            )
    results["matching"] = dict(
        env["contoso.loyalty.member"]._read_group([], ["match_state"], ["__count"])
    )
    return results


def sample_rows(source, path):
    """LOAD_SAMPLES samples of LOAD_ROWS rows, spread over the whole file."""
    with open(path, "rb") as handle:
        total = hub["reader"].count_records(io.BufferedReader(handle))
    step = max(total // LOAD_SAMPLES, LOAD_ROWS)
    samples = [[] for _start in range(LOAD_SAMPLES)]
    with open(path, "rb") as handle:
        # Streamed: only the sampled rows are kept in memory.
        for index, row in enumerate(hub["reader"].open_source(handle, source)):
            sample, offset = divmod(index, step)
            if sample < LOAD_SAMPLES and offset < LOAD_ROWS:
                samples[sample].append(row.values)
    return [sample for sample in samples if sample]


def shuffle_file(path, seed=7):
    """The same records in another order, written anew: not byte-identical."""
    data = path.read_bytes()
    encoding = hub["reader"].detect_encoding(data[: hub["reader"].SNIFF_BYTES])
    text = io.StringIO(data.decode(encoding, errors="replace"), newline="")
    header_line = text.readline()
    delimiter = hub["reader"].detect_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    records = list(csv.reader(text, delimiter=delimiter))
    random.Random(seed).shuffle(records)  # noqa: S311 - an order, not a secret
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(records)
    target = path.with_name(f"{path.stem}_shuffled.csv")
    target.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    return target


LOAD_SPECS = {
    "contacts": (
        "res.partner",
        ["id", "name", "email", "street", "city", "zip"],
        lambda v: [
            f"bench_{v['ContactId']}",
            f"{v['FirstName']} {v['LastName']}",
            v["EMail"],
            v["StreetAddress"],
            v["City"],
            v["PostCode"],
        ],
    ),
    "loyalty": (
        "contoso.loyalty.member",
        ["id", "loyalty_ref", "name", "email", "points"],
        lambda v: [
            f"bench_{v['LoyaltyId']}",
            v["LoyaltyId"],
            v["FullName"],
            v["EMail"],
            v["RewardPoints"],
        ],
    ),
    "online": (
        "contoso.purchase",
        ["id", "channel", "source_ref", "contact_ref", "date", "amount_total"],
        lambda v: [
            f"bench_{v['PurchaseId']}",
            "online",
            v["PurchaseId"],
            v["ContactId"],
            hub["normalise"].parse_date(v["PurchasedOn"], "PurchasedOn").isoformat(),
            str(hub["normalise"].parse_amount(v["TotalPrice"], "TotalPrice")),
        ],
    ),
    "pos": (
        "contoso.purchase",
        ["id", "channel", "source_ref", "loyalty_ref", "date", "amount_total"],
        lambda v: [
            f"bench_{v['PurchaseId']}",
            "pos",
            v["PurchaseId"],
            v["LoyaltyId"],
            hub["normalise"].parse_date(v["PurchasedOn"], "PurchasedOn").isoformat(),
            str(hub["normalise"].parse_amount(v["TotalPrice"], "TotalPrice")),
        ],
    ),
}


def vanilla_load(env, source, samples):
    """Odoo's own import path on each sample: the median rate and the spread."""
    runs = [vanilla_load_sample(env, source, rows) for rows in samples]
    result = {"rows": sum(r["rows"] for r in runs)}
    for attempt in ("create", "update"):
        rates = [r["rows"] / r[attempt] for r in runs]
        result[f"{attempt}_rate"] = statistics.median(rates)
        result[f"{attempt}_spread"] = (min(rates), max(rates))
    return result


def vanilla_load_sample(env, source, rows):
    """Odoo's own import path, given rows already cleaned (ISO dates, decimal
    points): load() would refuse the raw ones."""
    model, fields, convert = LOAD_SPECS[source]
    data = []
    for values in rows:
        try:
            row = convert(values)
        except hub["normalise"].RowError:
            continue
        if all(row[:3]):
            data.append(row)
    # A key repeated in the sample (exports duplicate rows) once: load() refuses
    # the same external id twice in one call.
    data = list({row[0]: row for row in data}.values())
    timings = []
    for _attempt in ("create", "update"):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # load() prints xml ids
            result = env[model].load(fields, data)
        env.flush_all()
        timings.append(time.perf_counter() - start)
        errors = [m for m in result["messages"] if m.get("type") == "error"]
        assert not errors, errors[:3]
    return {"rows": len(data), "create": timings[0], "update": timings[1]}


def vanilla_contacts(env, rows):
    return vanilla_load(env, "contacts", rows)


def vanilla_addon_models(env, samples):
    return {
        source: vanilla_load(env, source, samples[source]) for source in SOURCES[1:]
    }


def main():
    args = setup()
    scale = float(os.environ.get("CONTOSO_BENCH_SCALE", "1"))
    initialize_sys_path()
    for name in ("normalise", "reader", "sample"):
        hub[name] = importlib.import_module(f"odoo.addons.contoso_sales.datahub.{name}")
    customers = int(100_000 * scale)
    with tempfile.TemporaryDirectory() as folder:
        print(f"\n{load_average()}")
        print(f"Generating sample exports for {customers} customers...", flush=True)
        paths = hub["sample"].write_samples(Path(folder), customers)
        for source in SOURCES:
            paths[f"{source}_shuffled"] = shuffle_file(paths[source])
        sizes = {s: paths[s].stat().st_size / 2**20 for s in SOURCES}
        samples = {s: sample_rows(s, paths[s]) for s in SOURCES}
        print(
            f"  file sizes (MB): {', '.join(f'{s} {m:.0f}' for s, m in sizes.items())}"
        )
        print(f"  peak memory before importing: {peak_mb():.0f} MB", flush=True)
        mine = run(args.addon_db, addon, paths)
        print(f"  addon imports done, {load_average()}", flush=True)
        loads = run(args.addon_db, vanilla_addon_models, samples)
        loads["contacts"] = run(args.vanilla_db, vanilla_contacts, samples["contacts"])

    print("\nImport of the four exports, same run (rows/s):")
    print(
        f"{'file':<10}{'rows':>9}{'addon':>10}{'load()':>9}{'ratio':>8}"
        f"{'addon again':>13}{'load() again':>14}{'ratio':>8}"
        f"{'shuffled':>10}{'ratio':>8}"
    )
    ours_total = load_total = ours_again = load_again = ours_shuf = 0
    for source in SOURCES:
        rows = mine[source]["rows"]
        rate = rows / mine[source]["seconds"]
        again = rows / mine[source]["again_seconds"]
        shuf = rows / mine[source]["shuf_seconds"]
        load_rate = loads[source]["create_rate"]
        load_again_rate = loads[source]["update_rate"]
        ours_total += mine[source]["seconds"]
        ours_again += mine[source]["again_seconds"]
        ours_shuf += mine[source]["shuf_seconds"]
        load_total += rows / load_rate
        load_again += rows / load_again_rate
        print(
            f"{source:<10}{rows:>9}{rate:>10.0f}{load_rate:>9.0f}"
            f"{rate / load_rate:>7.1f}x{again:>13.0f}{load_again_rate:>14.0f}"
            f"{again / load_again_rate:>7.1f}x{shuf:>10.0f}"
            f"{shuf / load_again_rate:>7.1f}x"
        )
    print(
        f"\nload() rates: median of {LOAD_SAMPLES} samples of {LOAD_ROWS} rows "
        "spread over each file, applied to the full row counts. Spread (rows/s):"
    )
    for source in SOURCES:
        low, high = loads[source]["create_spread"]
        low_again, high_again = loads[source]["update_spread"]
        print(
            f"  {source:<9} create {low:.0f} to {high:.0f}, "
            f"re-import {low_again:.0f} to {high_again:.0f}"
        )
    print(
        f"end to end, first import: addon {ours_total:.0f} s, load() "
        f"{load_total:.0f} s -> {load_total / ours_total:.1f}x faster (target >= 20x)"
    )
    print(
        f"end to end, same files again: addon {ours_again:.0f} s, load() "
        f"{load_again:.0f} s -> {load_again / ours_again:.1f}x faster; rows changed "
        f"the second time: {sum(mine[s]['again_changed'] for s in SOURCES)}"
    )
    print(
        f"end to end, same data rows shuffled: addon {ours_shuf:.0f} s, load() "
        f"{load_again:.0f} s -> {load_again / ours_shuf:.1f}x faster (target >= "
        f"50x); rows changed: {sum(mine[s]['shuf_changed'] for s in SOURCES)}"
    )
    print(f"loyalty matches: {mine['matching']}")
    print(
        f"peak memory of the process: {max(mine[s]['peak_mb'] for s in SOURCES):.0f} "
        f"MB (target < 500 MB); files total {sum(sizes.values()):.0f} MB"
    )
    print(load_average())


if __name__ == "__main__":
    main()

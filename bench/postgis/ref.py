#!/usr/bin/env python3
"""Helpers of bench/postgis/run (standard library only).

  ref.py samples SAMPLES_DIR OUT_DIR   the request samples as COPY text: nearby.tsv (every line
                                       of places.txt), map_box.tsv and map_circle.tsv (place k
                                       as bench/lua/map_request.lua makes request k of it)
  ref.py stats LOG_PREFIX NAMES        transactions/s, p50 and p99 from pgbench's per-transaction
                                       logs, per script (NAMES: the scripts in -f order) and all
  ref.py check URL DB_URL N            the product's answers against the reference's for N
                                       samples of each kind; exit 1 on any mismatch
"""
import glob
import json
import math
import os
import subprocess
import sys
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
# geo 0.33's Haversine radius (GRS80 mean radius), as domain/src/geo.rs uses it.
EARTH_RADIUS_M = 6371008.8


def places(samples_dir):
    with open(os.path.join(samples_dir, "places.txt")) as f:
        for line in f:
            words = line.split()
            if len(words) >= 3:
                yield words[0], words[1], words[2]


def map_request(k, lat_s, lon_s):
    """bench/lua/map_request.lua for place p and request number i = k: a circle of 1 km one in
    four, else a city screen's box (1.5–3 km wide, 1.6 times as tall) centred on the place; the
    numbers as the request carries them (%.6f)."""
    lat, lon = float(lat_s), float(lon_s)
    if k % 4 == 0:
        return "circle", {"lat": "%.6f" % lat, "lon": "%.6f" % lon, "radius_m": "1000"}
    width_km = 1.5 + 1.5 * ((k * 37) % 100) / 100
    half_lon = width_km / 2 / (111.32 * math.cos(math.radians(lat)))
    half_lat = width_km * 1.6 / 2 / 111.32
    return "box", {
        "min_lat": "%.6f" % (lat - half_lat),
        "max_lat": "%.6f" % (lat + half_lat),
        "min_lon": "%.6f" % (lon - half_lon),
        "max_lon": "%.6f" % (lon + half_lon),
    }


def bounding_box(lat, lon, radius_m):
    """domain/src/geo.rs bounding_box, operation for operation (Python's radians/degrees are
    Rust's to_radians/to_degrees: x·(π/180), x·(180/π)), as (min_lat, max_lat, min_lon,
    max_lon)."""
    margin = 1e-9
    angle = max(radius_m, 0.0) / EARTH_RADIUS_M
    phi = math.radians(lat)
    lo, hi = phi - angle, phi + angle
    if lo <= -math.pi / 2 or hi >= math.pi / 2:
        west, east = -180.0, 180.0
    else:
        half = math.degrees(math.asin(math.sin(angle) / math.cos(phi)))
        west, east = lon - half, lon + half
        if west < -180.0 or east > 180.0:
            west, east = -180.0, 180.0
        else:
            west, east = west - margin, east + margin
    return (max(math.degrees(lo) - margin, -90.0), min(math.degrees(hi) + margin, 90.0),
            max(west, -180.0), min(east, 180.0))


def samples(samples_dir, out):
    os.makedirs(out, exist_ok=True)
    nearby = open(os.path.join(out, "nearby.tsv"), "w")
    boxes = open(os.path.join(out, "map_box.tsv"), "w")
    circles = open(os.path.join(out, "map_circle.tsv"), "w")
    counts = {"nearby": 0, "box": 0, "circle": 0}
    for k, (lat, lon, category) in enumerate(places(samples_dir), start=1):
        counts["nearby"] += 1
        nearby.write(f"{counts['nearby']}\t{lat}\t{lon}\t{category}\n")
        kind, q = map_request(k, lat, lon)
        counts[kind] += 1
        if kind == "box":
            boxes.write(f"{counts['box']}\t{q['min_lat']}\t{q['max_lat']}\t{q['min_lon']}\t{q['max_lon']}\n")
        else:
            b = bounding_box(float(q["lat"]), float(q["lon"]), 1000.0)
            # repr: the shortest text that reads back as the same double.
            circles.write(f"{counts['circle']}\t{q['lat']}\t{q['lon']}\t1000\t"
                          + "\t".join(repr(v) for v in b) + "\n")
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


def percentile(sorted_values, p):
    """The nearest-rank percentile (as wrk's and HdrHistogram's are read)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def stats(prefix, names):
    """pgbench --log lines: client_id transaction_no time_us script_no epoch epoch_us."""
    names = names.split(",")
    per = {i: [] for i in range(len(names))}
    first, last = None, None
    for path in glob.glob(prefix + ".*"):
        with open(path) as f:
            for line in f:
                w = line.split()
                if len(w) < 6:
                    continue
                us, script = int(w[2]), int(w[3])
                end = int(w[4]) + int(w[5]) / 1e6
                first = end if first is None or end < first else first
                last = end if last is None or end > last else last
                per[script].append(us)
    everything = sorted(v for values in per.values() for v in values)
    # transactions/s: pgbench's own figure (REF_TPS, without the connections' setup), shared
    # among the scripts by their counts; else the count over the logged span.
    total_tps = float(os.environ.get("REF_TPS", "0"))
    span = (last - first) if first is not None else 0
    rows = [(name, sorted(per[i])) for i, name in enumerate(names)]
    if len(names) > 1:
        rows.append(("all", everything))
    for name, values in rows:
        if total_tps and everything:
            tps = total_tps * len(values) / len(everything)
        else:
            tps = len(values) / span if span else float("nan")
        print(f"{name} {tps:.1f} {percentile(values, 50) / 1000:.3f} "
              f"{percentile(values, 99) / 1000:.3f} {len(values)}")


def psql_answers(db_url, script_name, numbers):
    """The reference script (its SQL and \\gset, without pgbench's \\set k random(…)) for each
    sample number, psql being pgbench's twin for :variables: one session, each answer after a
    marker line."""
    with open(os.path.join(HERE, script_name)) as f:
        query = "".join(line for line in f if not line.startswith("\\set"))
    parts = []
    for n in numbers:
        parts.append(f"\\echo @@ {n}\n\\set k {n}\n{query}\n")
    out = subprocess.run(["psql", db_url, "-X", "-At", "-v", "ON_ERROR_STOP=1"],
                         input="".join(parts), capture_output=True, text=True, check=True).stdout
    answers, current = {}, None
    for line in out.splitlines():
        if line.startswith("@@ "):
            current = int(line[3:])
            answers[current] = []
        elif line and current is not None:
            answers[current].append(line)
    return answers


def psql_rows(db_url, sql):
    out = subprocess.run(["psql", db_url, "-X", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def get_json(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.load(r)


def spread(total, n):
    """n sample numbers spread evenly over 1..total."""
    if total <= n:
        return list(range(1, total + 1))
    return sorted({1 + (i * total) // n for i in range(n)})


def sizes(answers):
    lengths = sorted(len(a) for a in answers)
    if not lengths:
        return "none"
    return (f"{sum(1 for n in lengths if n == 0)} empty, median {lengths[len(lengths) // 2]} ids, "
            f"most {lengths[-1]}")


def describe(product, ref):
    missing = [i for i in ref if i not in set(product)]
    extra = [i for i in product if i not in set(ref)]
    if not missing and not extra:
        return "same ids, other order"
    return f"{len(extra)} only in the product, {len(missing)} only in the reference"


def product_nearby_emulation(db_url, n, lat, lon, category, radius, cap=500):
    """What the product computes (reading.rs nearby, complaints.rs in_box): the `cap` newest
    open complaints of the category in bounding_box(centre, radius), then those within the
    radius, nearest (to 0.1 m) first, then newest. Returns (ids, how many in the box)."""
    b = bounding_box(float(lat), float(lon), float(radius))
    box = (f"c.is_open AND c.category = '{category}' AND c.lat BETWEEN {b[0]!r} AND {b[1]!r} "
           f"AND c.lon BETWEEN {b[2]!r} AND {b[3]!r}")
    ids = [r[0] for r in psql_rows(db_url, f"""
        SELECT id FROM (SELECT c.id, c.created_at, c.lat, c.lon FROM complaints c WHERE {box}
                        ORDER BY c.created_at DESC, c.id DESC LIMIT {cap}) b
        WHERE haversine_m({lat}, {lon}, b.lat, b.lon) <= {radius}
        ORDER BY tenth_m(haversine_m({lat}, {lon}, b.lat, b.lon)), b.created_at DESC, b.id DESC""")]
    in_box = int(psql_rows(db_url, f"SELECT count(*) FROM complaints c WHERE {box}")[0][0])
    return ids, in_box


def check(base, db_url, n):
    base = base.rstrip("/")
    failed = False
    count = lambda table: int(psql_rows(db_url, f"SELECT count(*) FROM {table}")[0][0])

    # Nearby.
    numbers = spread(count("nearby_samples"), n)
    params = {int(r[0]): r[1:] for r in psql_rows(
        db_url, "SELECT n, lat::text, lon::text, category, radius_m FROM nearby_samples WHERE n = ANY('{%s}')"
        % ",".join(map(str, numbers)))}
    # The request's numbers as the load script sends them (places.txt's own text).
    texts = {}
    with open(os.environ["REF_NEARBY_TSV"]) as f:
        for line in f:
            w = line.rstrip("\n").split("\t")
            texts[int(w[0])] = w[1:]
    ref = psql_answers(db_url, "nearby.sql", numbers)
    matched, shown, capped = 0, 0, 0
    print(f"nearby: {len(numbers)} requests; reference answers: {sizes(ref.values())}")
    for k in numbers:
        lat, lon, category = texts[k]
        url = f"{base}/v1/complaints/nearby?" + urllib.parse.urlencode(
            {"lat": lat, "lon": lon, "category": category})
        answer = get_json(url)
        product = [item["id"] for item in answer["items"]]
        radius = int(params[k][3])
        if answer.get("radius_m") != radius:
            print(f"nearby #{k}: the product's radius {answer.get('radius_m')} m, the category's {radius} m")
        if product == ref[k] and answer.get("radius_m") == radius:
            matched += 1
            continue
        emulated, in_box = product_nearby_emulation(db_url, k, lat, lon, category, radius)
        why = ""
        if product == emulated and in_box > 500:
            capped += 1
            why = (f" — the product's own 500-row cap: {in_box} open {category} complaints in the"
                   f" circle's box, it measured only the newest 500")
        if shown < 5:
            print(f"MISMATCH nearby #{k} {url}: {describe(product, ref[k])}{why}\n"
                  f"  product   ({len(product)}): {' '.join(product)}\n"
                  f"  reference ({len(ref[k])}): {' '.join(ref[k])}")
            shown += 1
        else:
            print(f"MISMATCH nearby #{k} {url}: {describe(product, ref[k])}{why}")
    if capped:
        print(f"nearby: {capped} of the mismatches are the product's 500-row cap (reading.rs nearby: "
              f"in_box(…, limit: 500) before the distance test)")
    print(f"CHECK nearby {matched}/{len(numbers)}")
    failed |= matched != len(numbers)

    # The map: boxes, and the circles the product's map scenario mixes in one in four.
    matched_all, total_all = 0, 0
    for kind, table, script in (("box", "map_box_samples", "map_box.sql"),
                                ("circle", "map_circle_samples", "map_circle.sql")):
        numbers = spread(count(table), n)
        cols = ("min_lat, max_lat, min_lon, max_lon" if kind == "box" else "lat, lon, radius_m")
        texts = {}
        with open(os.environ["REF_MAP_%s_TSV" % kind.upper()]) as f:
            for line in f:
                w = line.rstrip("\n").split("\t")
                texts[int(w[0])] = w[1:5] if kind == "box" else w[1:4]
        ref = psql_answers(db_url, script, numbers)
        matched, shown = 0, 0
        print(f"map {kind}: {len(numbers)} requests; reference answers: {sizes(ref.values())}")
        for k in numbers:
            q = dict(zip([c.strip() for c in cols.split(",")], texts[k]))
            url = f"{base}/v1/complaints?" + urllib.parse.urlencode(q)
            product = [item["id"] for item in get_json(url)["items"]]
            if product == ref[k]:
                matched += 1
                continue
            line = f"MISMATCH map {kind} #{k} {url}: {describe(product, ref[k])}"
            if shown < 5:
                line += (f"\n  product   ({len(product)}): {' '.join(product)}"
                         f"\n  reference ({len(ref[k])}): {' '.join(ref[k])}")
                shown += 1
            print(line)
        print(f"check map {kind}: {matched}/{len(numbers)}")
        matched_all += matched
        total_all += len(numbers)
    print(f"CHECK map {matched_all}/{total_all}")
    failed |= matched_all != total_all
    return 1 if failed else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "samples":
        samples(argv[2], argv[3])
    elif len(argv) >= 4 and argv[1] == "stats":
        stats(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "check":
        return check(argv[2], argv[3], int(argv[4]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

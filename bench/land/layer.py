#!/usr/bin/env python3
"""bench/land/layer.py N FILE: a cadastral layer of N parcels in the default property names, a
grid of 20 m × 20 m squares (about 0.00018° a side) over Hải Châu starting at (16.03, 108.19),
rows of 500, 200 parcels a map sheet, land uses drawn in turn from urban codes. Written feature
by feature, so any N fits in memory."""
import sys

count, path = int(sys.argv[1]), sys.argv[2]
size, per_row = 0.00018, 500
uses = ["ODT", "ODT", "ODT", "TMD", "DGT", "CLN", "SKC", "DGD", "ONT", "LUC"]
with open(path, "w") as out:
    out.write('{"type": "FeatureCollection", "name": "bench", "features": [\n')
    for i in range(count):
        lat = 16.03 + (i // per_row) * size
        lon = 108.19 + (i % per_row) * size
        e, n = lon + size, lat + size
        ring = f"[[{lon:.6f}, {lat:.6f}], [{e:.6f}, {lat:.6f}], [{e:.6f}, {n:.6f}], [{lon:.6f}, {n:.6f}], [{lon:.6f}, {lat:.6f}]]"
        sep = ",\n" if i else ""
        out.write(
            f'{sep}{{"type": "Feature", "id": "p{i}", "properties": {{"so_to": {i // 200 + 1}, '
            f'"so_thua": {i % 200 + 1}, "dien_tich": 400.0, "ma_loai_dat": "{uses[i % len(uses)]}"}}, '
            f'"geometry": {{"type": "Polygon", "coordinates": [{ring}]}}}}'
        )
    out.write("\n]}\n")

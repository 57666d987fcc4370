#!/usr/bin/python3
"""tests/io/check_svg.py — checks a learning-curve SVG from simdnn-train's report writer
(tools/train/report.cpp) with nothing but the standard library, for tests/io/report_test.cpp.

  check_svg.py FILE [--title TEXT] [--csv METRICS.csv] [--scale linear|log]
               [--expect SERIES=POINTS ...] [--absent SERIES ...]

Prints what it finds, one line each; exits 0 when every check holds, 1 naming the first that
does not. Checks: well-formed XML; an <svg> root in the SVG namespace with version 1.1, width,
height and a viewBox; nothing that runs or fetches (script, foreignObject, href, url(), external
entities); the title; the axis labels; labelled ticks at 1-2-5 steps (powers of ten on a log
axis); per series one <polyline class="series"> whose points, data-epochs and data-values agree
in number, lie inside the viewBox and go up where the values go up; and, with --csv, that
data-epochs/data-values are exactly the finite values of that column of the CSV.
"""
import argparse
import csv
import math
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
SERIES = ["train_loss", "validation_loss", "train_accuracy", "validation_accuracy"]


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def classes(element):
    return element.get("class", "").split()


def is_one_two_five(step):
    exponent = math.floor(math.log10(step))
    mantissa = step / 10.0**exponent
    return any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1.0, 2.0, 5.0, 10.0))


def check_axis(axis, name, scale):
    labels = [t for t in axis.iter(SVG + "text") if "axis-label" in classes(t)]
    check(len(labels) == 1, f"{name}: {len(labels)} axis labels, not 1")
    ticks = [g for g in axis.iter(SVG + "g") if "tick" in classes(g) and "minor" not in classes(g)]
    values = []
    for tick in ticks:
        text = [t for t in tick.iter(SVG + "text") if "tick-label" in classes(t)]
        check(len(text) == 1, f"{name}: a tick without its label")
        check(tick.find(SVG + "line") is not None, f"{name}: a tick without its mark")
        value = float(tick.get("data-value"))
        check(math.isclose(float(text[0].text), value, rel_tol=1e-9, abs_tol=1e-12),
              f"{name}: tick label {text[0].text!r} is not its value {value}")
        values.append(value)
    check(len(values) >= 2, f"{name}: {len(values)} labelled ticks")
    check(values == sorted(values), f"{name}: ticks out of order {values}")
    if scale == "log":
        for v in values:
            exponent = round(math.log10(v))
            check(math.isclose(v, 10.0**exponent, rel_tol=1e-9), f"{name}: log tick {v}")
    else:
        steps = [b - a for a, b in zip(values, values[1:])]
        check(all(math.isclose(s, steps[0], rel_tol=1e-6) for s in steps),
              f"{name}: uneven tick steps {steps}")
        check(is_one_two_five(steps[0]), f"{name}: tick step {steps[0]} is not 1, 2 or 5 x 10^n")
    print(f"{name}: label {labels[0].text!r}, ticks {values[0]:g} .. {values[-1]:g} "
          f"({len(values)} labelled)")
    return labels[0].text, (values[0], values[-1])


def csv_columns(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    columns = {}
    for name in SERIES:
        points = []
        for row in rows:
            if row[name] == "":
                continue
            value = float(row[name])
            if math.isfinite(value):
                points.append((int(row["epoch"]), value))
        columns[name] = points
    return columns


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--title")
    parser.add_argument("--csv")
    parser.add_argument("--scale", choices=["linear", "log"])
    parser.add_argument("--expect", action="append", default=[])
    parser.add_argument("--absent", action="append", default=[])
    args = parser.parse_args()

    with open(args.file, "rb") as f:
        data = f.read()
    check(b"<!DOCTYPE" not in data and b"<!ENTITY" not in data, "a DOCTYPE or entity declaration")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise CheckFailed(f"not well-formed XML: {error}")
    print("well-formed XML")

    check(root.tag == SVG + "svg", f"root element {root.tag}, not svg in the SVG namespace")
    check(root.get("version") == "1.1", f"version {root.get('version')!r}")
    width, height = float(root.get("width")), float(root.get("height"))
    view_box = [float(v) for v in root.get("viewBox").split()]
    check(view_box == [0.0, 0.0, width, height], f"viewBox {view_box} for {width} x {height}")
    print(f"svg 1.1, {width:g} x {height:g}")

    for element in root.iter():
        tag = element.tag.replace(SVG, "")
        check(element.tag.startswith(SVG), f"element {element.tag} outside the SVG namespace")
        check(tag not in ("script", "foreignObject", "image", "use", "a"), f"a <{tag}> element")
        for name, value in element.attrib.items():
            check("href" not in name and not name.startswith("on"), f"attribute {name} on <{tag}>")
            check("url(" not in value, f"url() in {name} on <{tag}>")
    print("self-contained: no scripts, links or external references")

    title = root.find(SVG + "title")
    check(title is not None, "no <title>")
    shown = [t for t in root.iter(SVG + "text") if "title" in classes(t)]
    check(len(shown) == 1 and shown[0].text == title.text, "the drawn title is not the <title>")
    if args.title is not None:
        check(title.text == args.title, f"title {title.text!r}, expected {args.title!r}")
    print(f"title {title.text!r}")

    panels = {g.get("id"): g for g in root.iter(SVG + "g") if "panel" in classes(g)}
    check("loss-panel" in panels, "no loss panel")
    ranges = {}
    for panel_id, panel in panels.items():
        scale = panel.get("data-scale")
        x_axes = [g for g in panel.iter(SVG + "g") if "x-axis" in classes(g)]
        y_axes = [g for g in panel.iter(SVG + "g") if "y-axis" in classes(g)]
        check(len(x_axes) == 1 and len(y_axes) == 1, f"{panel_id}: not one x and one y axis")
        x_label, x_range = check_axis(x_axes[0], f"{panel_id} x", "linear")
        y_label, y_range = check_axis(y_axes[0], f"{panel_id} y", scale)
        check(x_label == "epoch", f"{panel_id}: x axis label {x_label!r}")
        if panel_id == "loss-panel":
            want = "loss (log scale)" if scale == "log" else "loss"
            check(y_label == want, f"loss y axis label {y_label!r} for a {scale} scale")
            if args.scale:
                check(scale == args.scale, f"loss scale {scale}, expected {args.scale}")
        else:
            check(panel_id == "accuracy-panel", f"unknown panel {panel_id}")
            check(y_label == "accuracy (%)", f"accuracy y axis label {y_label!r}")
            check(0.0 <= y_range[0] and y_range[1] <= 100.0, f"accuracy axis {y_range}")
        ranges[panel_id] = (x_range, y_range, scale)

    polylines = [p for p in root.iter(SVG + "polyline") if "series" in classes(p)]
    found = {}
    for polyline in polylines:
        name = polyline.get("data-series")
        check(name in SERIES, f"unknown series {name!r}")
        check(name not in found, f"series {name} drawn twice")
        points = [tuple(float(c) for c in p.split(",")) for p in polyline.get("points").split()]
        epochs = [int(e) for e in polyline.get("data-epochs").split()]
        values = [float(v) for v in polyline.get("data-values").split()]
        check(len(points) == len(epochs) == len(values),
              f"{name}: {len(points)} points, {len(epochs)} epochs, {len(values)} values")
        check(all(math.isfinite(v) for v in values), f"{name}: a non-finite value")
        for x, y in points:
            check(0 <= x <= width and 0 <= y <= height, f"{name}: point {x},{y} off the picture")
        for (x0, y0), (x1, y1), e0, e1, v0, v1 in zip(points, points[1:], epochs, epochs[1:],
                                                      values, values[1:]):
            # Points are drawn at 0.01 px: values closer than that may share a y, but a line
            # must never go the wrong way.
            check((x1 > x0) == (e1 > e0) and not (v1 > v0 and y1 > y0) and not (v1 < v0 and y1 < y0)
                  and (v1 != v0 or y1 == y0),
                  f"{name}: epochs {e0}->{e1}, values {v0}->{v1} drawn {x0},{y0} -> {x1},{y1}")
        panel_id = "loss-panel" if name.endswith("loss") else "accuracy-panel"
        check(panel_id in ranges, f"{name} without its panel")
        (_, y_range, _) = ranges[panel_id]
        scale = 100.0 if panel_id == "accuracy-panel" else 1.0
        check(all(y_range[0] <= v * scale * (1 + 1e-12) and v * scale <= y_range[1] * (1 + 1e-12)
                  for v in values), f"{name}: values outside the axis {y_range}")
        found[name] = list(zip(epochs, values))
        legend = [g for g in root.iter(SVG + "g")
                  if "legend-entry" in classes(g) and g.get("data-series") == name]
        check(len(legend) == 1, f"{name}: {len(legend)} legend entries")
        print(f"series {name}: {len(points)} points")
    legend_all = [g.get("data-series") for g in root.iter(SVG + "g")
                  if "legend-entry" in classes(g)]
    check(sorted(legend_all) == sorted(found), f"legend {legend_all} for series {sorted(found)}")
    check(("accuracy-panel" in panels) == any(n.endswith("accuracy") for n in found),
          "an accuracy panel without accuracy series, or the other way round")

    for expectation in args.expect:
        name, count = expectation.split("=")
        check(name in found, f"series {name} missing")
        check(len(found[name]) == int(count),
              f"series {name}: {len(found[name])} points, expected {count}")
    for name in args.absent:
        check(name not in found, f"series {name} drawn, expected none")
    if args.csv:
        columns = csv_columns(args.csv)
        for name in SERIES:
            if columns[name]:
                check(found.get(name) == columns[name], f"{name}: not the CSV's values")
            else:
                check(name not in found, f"{name}: drawn but empty in the CSV")
        print("series values equal the CSV's, exactly")
    print("ok")


if __name__ == "__main__":
    try:
        main()
    except CheckFailed as failure:
        print(f"FAILED: {failure}")
        sys.exit(1)

"""Checks `weir summary` against an independent count of the parameters:
the tensors of the weights file that `weir init` wrote for the same model,
grouped by layer (the name before the '.'), with batch-norm moving
statistics counted as non-trainable, as Keras does.

usage: check_summary.py SUMMARY.txt WEIGHTS.safetensors
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "e2e"))
import e2e_util  # noqa: E402

NON_TRAINABLE = ("moving_mean", "moving_variance")


def number(text):
    return int(text.replace(",", ""))


def main(summary_path, weights_path):
    weights = e2e_util.read_safetensors(weights_path)
    per_layer, trainable, non_trainable = {}, 0, 0
    for name, array in weights.items():
        layer, param = name.split(".", 1)
        per_layer[layer] = per_layer.get(layer, 0) + array.size
        if param in NON_TRAINABLE:
            non_trainable += array.size
        else:
            trainable += array.size

    rows, totals = {}, {}
    row = re.compile(r"^ (\w+) \(\w+\)\s.*?\s([\d,]+)\s{3}")
    total = re.compile(r"^(Total|Trainable|Non-trainable) params: ([\d,]+) ")
    with open(summary_path) as f:
        for line in f:
            m = row.match(line)
            if m:
                rows[m.group(1)] = number(m.group(2))
            m = total.match(line)
            if m:
                totals[m.group(1)] = number(m.group(2))

    errors = []
    for layer, count in per_layer.items():
        if rows.get(layer) != count:
            errors.append(f"layer {layer}: summary {rows.get(layer)}, weights {count}")
    for layer, count in rows.items():
        if count and layer not in per_layer:
            errors.append(f"layer {layer}: summary {count}, no weights")
    expected = {"Total": trainable + non_trainable, "Trainable": trainable,
                "Non-trainable": non_trainable}
    if totals != expected:
        errors.append(f"totals: summary {totals}, weights {expected}")
    if errors:
        print("\n".join(errors))
        return 1
    print(f"ok: {len(per_layer)} layers with parameters, "
          f"{trainable + non_trainable} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

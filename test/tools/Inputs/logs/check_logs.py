"""Checks what `weir train --history H.csv --logdir D --log-every N` wrote:
the CSV against the epoch lines the run printed, and the event files (read
by read_events.py, and by TensorBoard's own reader when the tensorboard
package is installed) against the CSV.

usage: check_logs.py STDOUT.txt HISTORY.csv LOGDIR LOG_EVERY STEPS_PER_EPOCH
"""
import csv
import glob
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from read_events import read_events  # noqa: E402


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def close(a, b, tol):
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def main(stdout_path, csv_path, logdir, log_every, steps_per_epoch):
    log_every, steps_per_epoch = int(log_every), int(steps_per_epoch)
    # The epoch lines: "epoch 3/4  loss 0.412  acc 0.853  val_loss ..."
    printed = {}
    for line in open(stdout_path):
        m = re.match(r"epoch (\d+)/\d+ +loss ([\d.]+) +acc ([\d.]+) +"
                     r"val_loss ([\d.]+) +val_acc ([\d.]+)", line)
        if m:
            printed[int(m.group(1))] = [float(x) for x in m.groups()[1:]]
    rows = list(csv.DictReader(open(csv_path)))
    if not rows or list(rows[0].keys()) != ["epoch", "accuracy", "loss",
                                            "val_accuracy", "val_loss"]:
        fail(f"CSV header {list(rows[0].keys()) if rows else None}")
    history = {}
    for row in rows:
        epoch = int(row["epoch"])
        history[epoch] = {k: float(v) for k, v in row.items() if k != "epoch"}
    if sorted(history) != list(range(1, len(history) + 1)):
        fail(f"CSV epochs {sorted(history)}")
    for epoch, (loss, acc, val_loss, val_acc) in printed.items():
        h = history.get(epoch)
        if h is None:
            fail(f"epoch {epoch} printed but not in the CSV")
        # The lines print 3 decimals.
        for name, value in [("loss", loss), ("accuracy", acc),
                            ("val_loss", val_loss), ("val_accuracy", val_acc)]:
            if abs(h[name] - value) > 0.0005 + 1e-9:
                fail(f"epoch {epoch} {name}: CSV {h[name]}, printed {value}")

    def scalars(split):
        files = sorted(glob.glob(os.path.join(logdir, split, "*tfevents*")))
        if not files:
            fail(f"no event file in {logdir}/{split}")
        out = {}
        for path in files:
            version, events = read_events(path)
            if version != "brain.Event:2":
                fail(f"{path}: file_version {version!r}")
            for step, tag, value, wall in events:
                if wall is None or wall < 1.5e9:
                    fail(f"{path}: wall_time {wall}")
                out.setdefault(tag, {})[step] = value
        return out

    train, validation = scalars("train"), scalars("validation")
    epochs = sorted(history)
    for tag, key, source in [("epoch_loss", "loss", train),
                             ("epoch_accuracy", "accuracy", train),
                             ("epoch_loss", "val_loss", validation),
                             ("epoch_accuracy", "val_accuracy", validation)]:
        got = source.get(tag, {})
        if sorted(got) != epochs:
            fail(f"{tag} ({key}) at steps {sorted(got)}, want {epochs}")
        for e in epochs:
            if not close(got[e], history[e][key], 1e-6):
                fail(f"{tag} epoch {e}: event {got[e]}, CSV {history[e][key]}")
    for tag in ["epoch_learning_rate", "epoch_samples_per_sec"]:
        if sorted(train.get(tag, {})) != epochs:
            fail(f"{tag} at {sorted(train.get(tag, {}))}")
    if any(not close(v, 0.01, 1e-6) for v in train["epoch_learning_rate"].values()):
        fail(f"learning rate {train['epoch_learning_rate']}")
    if any(v <= 0 for v in train["epoch_samples_per_sec"].values()):
        fail("samples/s not positive")
    batch_steps = sorted(train.get("batch_loss", {}))
    total = steps_per_epoch * len(epochs)
    want = list(range(log_every, total + 1, log_every))
    if batch_steps != want:
        fail(f"batch_loss at steps {batch_steps}, want {want}")
    # The running loss at an epoch's last step is the epoch's loss.
    for e in epochs:
        last = e * steps_per_epoch
        if last in train["batch_loss"] and not close(
                train["batch_loss"][last], history[e]["loss"], 1e-6):
            fail(f"batch_loss at {last}: {train['batch_loss'][last]}, "
                 f"epoch loss {history[e]['loss']}")

    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError:
        print("tensorboard is not installed: its reader was not tried")
    else:
        acc = event_accumulator.EventAccumulator(os.path.join(logdir, "validation"))
        acc.Reload()
        got = {e.step: e.value for e in acc.Scalars("epoch_loss")}
        for e in epochs:
            if not close(got[e], history[e]["val_loss"], 1e-6):
                fail(f"tensorboard: validation epoch_loss {got}")
        print("tensorboard reads the same values")
    print(f"ok: {len(epochs)} epochs, {len(batch_steps)} batch points")


if __name__ == "__main__":
    main(*sys.argv[1:])

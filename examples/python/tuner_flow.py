#!/usr/bin/env python3
"""The seed notebook's keras-tuner flow, written with weir calls.

1. Search units in 16..64 (step 16) and the optimizer (adam, rmsprop),
   written in the model file as int(16..64, step: 16) and choice(adam,
   rmsprop), at random, max_trials points, executions_per_trial runs each (their mean
   val_accuracy is the objective), with early stopping (patience 3).
2. For the top_n points, find each one's best epoch (the lowest val_loss,
   patience 10), then retrain it on training plus validation data for 1.2x
   that many epochs.
3. Ensemble the retrained models: the plain average of their predicted
   probabilities.

    PYTHONPATH=build/python python3 examples/python/tuner_flow.py

reads Fashion-MNIST from Debian's dataset-fashion-mnist (the last 10,000
training images validate). The functions take any arrays: the test
(python/tests/test_notebook.py) runs them on small synthetic images.
`weir tune` (issue 17) will do step 1 natively; this is the notebook way.
"""
import argparse
import gzip
import itertools
import os
import random
import time

import numpy as np

import weir

# The search space is written in place (docs/language.md, "Search
# spaces"); weir.compile(..., hyperparameters=...) picks a point of it.
TEMPLATE = """\
model mlp(x: u8[28, 28, 1]) {{
  h = rescale(x, 1/255)
  h = flatten(h)
  h = dense(h, int(16..64, step: 16), activation: relu)
  return dense(h, 10, activation: softmax)
}}
train mlp {{
  loss: sparse_categorical_crossentropy
  optimizer: choice(adam, rmsprop)
  metrics: [accuracy]
  epochs: {epochs}
  batch_size: 128
  validate: test{stopping}
}}
"""



def grid(model):
    """Every value of each hyperparameter of a compiled model's space."""
    values = {}
    for hp in model.search_space():
        if hp["kind"] == "choice":
            values[hp["name"]] = hp["values"]
        elif hp["kind"] == "boolean":
            values[hp["name"]] = [False, True]
        else:
            n = int(round((hp["max"] - hp["min"]) / hp["step"])) + 1
            values[hp["name"]] = [int(hp["min"] + i * hp["step"]) for i in range(n)]
    return values


def build_model(hp, epochs, patience, seed, threads=0):
    """The model at point hp; patience None: no early stopping."""
    stopping = ("" if patience is None else
                f"\n  early_stopping: {{ monitor: val_loss, patience: {patience} }}")
    source = TEMPLATE.format(epochs=epochs, stopping=stopping)
    return weir.compile(source=source, name="tuner.weir", seed=seed,
                        threads=threads, hyperparameters=hp)


# hp.Int("units", 16, 64, step=16) and hp.Choice("optimizer", [...]), read
# from the file: {"dense.units": [16, 32, 48, 64], "optimizer": [...]}.
SPACE = grid(build_model({}, 1, None, 0))


def random_search(x, y, xv, yv, max_trials=20, executions_per_trial=2,
                  epochs=40, seed=0, threads=0, log=print):
    """Trials sorted best first: {"hp", "val_accuracy", "runs"}, where runs
    holds each execution's history."""
    points = [dict(zip(SPACE, values))
              for values in itertools.product(*SPACE.values())]
    random.Random(seed).shuffle(points)
    trials, best = [], None
    for i, hp in enumerate(points[:max_trials]):
        start = time.time()
        runs = []
        for e in range(executions_per_trial):
            model = build_model(hp, epochs, 3, seed * 1000 + i * 10 + e, threads)
            runs.append(model.fit(x, y, validation_data=(xv, yv),
                                  verbose=0).history)
        score = float(np.mean([max(r["val_accuracy"]) for r in runs]))
        trials.append({"hp": hp, "val_accuracy": score, "runs": runs})
        best = score if best is None else max(best, score)
        log(f"trial {i + 1}: {hp}  val_accuracy {score:.4f}  "
            f"best {best:.4f}  {time.time() - start:.1f} s")
    return sorted(trials, key=lambda t: -t["val_accuracy"])


def best_epoch(hp, x, y, xv, yv, epochs=40, seed=0, threads=0):
    """1 + the epoch with the lowest val_loss, with patience 10."""
    model = build_model(hp, epochs, 10, seed, threads)
    losses = model.fit(x, y, validation_data=(xv, yv),
                       verbose=0).history["val_loss"]
    return losses.index(min(losses)) + 1


def retrain(hp, epochs, x, y, seed=0, threads=0):
    """hp trained for `epochs` on all of x, y (no validation)."""
    model = build_model(hp, max(1, epochs), None, seed, threads)
    model.fit(x, y, validation_data=False, verbose=0)
    return model


def ensemble(models, x):
    """The plain average of the models' predicted probabilities."""
    return np.mean([m.predict(x) for m in models], axis=0)


def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--max-trials", type=int, default=8)
    p.add_argument("--executions-per-trial", type=int, default=2)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--top-n", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    x = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))[..., None]
    y = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz")).astype(np.int32)
    xt = read_idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))[..., None]
    yt = read_idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz")).astype(np.int32)
    x_train, y_train, x_val, y_val = x[:-10000], y[:-10000], x[-10000:], y[-10000:]

    trials = random_search(x_train, y_train, x_val, y_val, a.max_trials,
                           a.executions_per_trial, a.epochs, a.seed)
    models = []
    for t in trials[:a.top_n]:
        epochs = best_epoch(t["hp"], x_train, y_train, x_val, y_val, a.epochs,
                            a.seed)
        model = retrain(t["hp"], int(epochs * 1.2), x, y, a.seed)
        acc = model.evaluate(xt, yt)[1]
        print(f"{t['hp']}: best epoch {epochs}, retrained for "
              f"{int(epochs * 1.2)}, test accuracy {acc:.4f}")
        models.append(model)
    probs = ensemble(models, xt)
    print(f"ensemble of {len(models)}: test accuracy "
          f"{(probs.argmax(1) == yt).mean():.4f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The seed notebook's hyperparameter search, timed in Weir and in
keras-tuner in one run.

The space: units 16..64 step 16 and adam or rmsprop; RandomSearch, 10
trials of up to 10 epochs with early stopping (val_loss, patience 3), one
execution each, batch 128, objective val_accuracy; Fashion-MNIST's first
50,000 training images train and the last 10,000 validate, as in the seed.
Weir runs `weir tune` on a .weir file with the space written in place;
keras-tuner runs `kt.RandomSearch` with Keras 3 on JAX (or --backend
tensorflow), both in processes pinned to the same --threads cores.
Prints wall seconds, trials, the best val_accuracy and the ratio, with the
CPU model.

    ~/.cache/weir-peers/bin/python bench/tune.py --weir build/bin/weir
    (bash bench/peers-setup.sh makes the venv, keras-tuner included)
"""
import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np

WEIR_MODEL = """\
model mlp(x: u8[28, 28, 1]) {
  h = rescale(x, 1/255)
  h = flatten(h)
  h = dense(h, int(16..64, step: 16), activation: relu)
  return dense(h, 10, activation: softmax)
}
train mlp {
  loss: sparse_categorical_crossentropy
  optimizer: choice(adam, rmsprop)
  metrics: [accuracy]
  epochs: %(epochs)d
  batch_size: 128
  validate: test
  early_stopping: { monitor: val_loss, patience: 3 }
}
"""

KERAS_TUNER = r"""
import json, sys, time
import numpy as np
import keras, keras_tuner as kt
a = json.loads(sys.argv[1])
d = np.load(a["npz"])
x, y, xv, yv = d["x_train"], d["y_train"], d["x_test"], d["y_test"]

def build_model(hp):
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Flatten(),
        keras.layers.Dense(hp.Int("units", 16, 64, step=16), activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=hp.Choice("optimizer", ["adam", "rmsprop"]),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model

start = time.time()
tuner = kt.RandomSearch(build_model, objective="val_accuracy",
                        max_trials=a["trials"], executions_per_trial=1,
                        directory=a["dir"], project_name="seed", overwrite=True,
                        seed=a["seed"])
tuner.search(x, y, epochs=a["epochs"], validation_data=(xv, yv),
             callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)],
             batch_size=128, verbose=0)
seconds = time.time() - start
best = tuner.oracle.get_best_trials(1)[0]
print(json.dumps({"seconds": seconds, "trials": len(tuner.oracle.trials),
                  "best": best.score, "values": best.hyperparameters.values}))
"""


def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def pinned(threads):
    cores = sorted(os.sched_getaffinity(0))[:threads]
    return lambda: os.sched_setaffinity(0, cores)


def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--weir", default="build/bin/weir")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--trials", type=int, default=10)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--backend", default="jax", choices=["jax", "tensorflow"])
    p.add_argument("--no-keras", action="store_true")
    p.add_argument("--parallel-trials", type=int, default=2,
                   help="weir tune also runs this many trials side by side "
                        "(one row more; 1: that row is left out)")
    p.add_argument("--json")
    a = p.parse_args()

    x = read_idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))[..., None]
    y = read_idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz")).astype(np.int32)
    work = tempfile.mkdtemp(prefix="weir-tune-bench-")
    npz = os.path.join(work, "fashion.npz")
    np.savez(npz, x_train=x[:-10000], y_train=y[:-10000],
             x_test=x[-10000:], y_test=y[-10000:])
    model = os.path.join(work, "seed.weir")
    open(model, "w").write(WEIR_MODEL % {"epochs": a.epochs})
    t = str(a.threads)
    env = dict(os.environ, OMP_NUM_THREADS=t, TF_NUM_INTRAOP_THREADS=t,
               TF_NUM_INTEROP_THREADS="1", TF_CPP_MIN_LOG_LEVEL="2",
               XLA_FLAGS="--xla_cpu_multi_thread_eigen=true",
               JAX_PLATFORMS="cpu", CUDA_VISIBLE_DEVICES="",
               KERAS_BACKEND=a.backend)

    def weir_tune(name, parallel):
        directory = os.path.join(work, name)
        start = time.time()
        subprocess.run([a.weir, "tune", model, "--data", npz, "--directory",
                        directory, "--max-trials", str(a.trials),
                        "--objective", "val_accuracy", "--seed", str(a.seed),
                        "--threads", t, "--parallel-trials", str(parallel)],
                       check=True, stdout=subprocess.DEVNULL,
                       preexec_fn=pinned(a.threads), env=env)
        seconds = time.time() - start
        scores = []
        for f in sorted(os.listdir(directory)):
            if f.startswith("trial_"):
                rec = json.load(open(os.path.join(directory, f)))
                if rec["score"] is not None:
                    scores.append((rec["score"], rec["values"]))
        best = max(scores, key=lambda s: s[0])
        return seconds, len(scores), best[0], best[1]

    rows = [("weir tune",) + weir_tune("weir", 1)]
    if a.parallel_trials > 1:
        rows.append((f"weir tune --parallel-trials {a.parallel_trials}",)
                    + weir_tune("weir-parallel", a.parallel_trials))

    if not a.no_keras:
        args = json.dumps({"npz": npz, "trials": a.trials, "epochs": a.epochs,
                           "seed": a.seed, "dir": os.path.join(work, "kt")})
        start = time.time()
        out = subprocess.run([sys.executable, "-c", KERAS_TUNER, args], check=True,
                             capture_output=True, text=True,
                             preexec_fn=pinned(a.threads), env=env)
        kt_wall = time.time() - start
        kt = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append((f"keras-tuner (Keras 3 on {a.backend})", kt_wall, kt["trials"],
                     kt["best"], kt["values"]))

    print(f"# {cpu_model()}, {a.threads} threads pinned; {a.trials} trials of up "
          f"to {a.epochs} epochs, early stopping patience 3, 50,000 train / "
          f"10,000 validation images")
    print(f"| tuner | wall s | trials | best val_accuracy | its point | vs weir |")
    print(f"|---|---|---|---|---|---|")
    for name, secs, trials, best, values in rows:
        print(f"| {name} | {secs:.1f} | {trials} | {best:.4f} | {values} | "
              f"{secs / rows[0][1]:.1f}x |")
    if a.json:
        json.dump([dict(name=r[0], seconds=r[1], trials=r[2], best=r[3])
                   for r in rows], open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()

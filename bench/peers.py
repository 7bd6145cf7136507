#!/usr/bin/env python3
"""Training throughput, Weir against today's peers, all in one run.

The peers: PyTorch 2 eager and torch.compile, Keras 3 on JAX and on
TensorFlow (jit_compile=True), and JAX + optax (a hand-written jitted
step). Each trains the same model on the same data (the Fashion-MNIST MLP
and CNN of examples/, ResNet-20 of examples/resnet20.weir on random
CIFAR-shaped images), batch 128, Adam 1e-3, sparse categorical
cross-entropy, for two epochs over the same examples. The second epoch is
timed (samples/s). The compile is a peer's first step less a steady step
(tracing, XLA, Inductor: torch.compile's is smaller when its on-disk cache
is warm), and Weir's process wall time less its two epochs (parsing,
passes, JIT, loading the data). Peak RSS is each process's maxrss.

Every contender runs in its own process pinned to the first --threads
cores (sched_setaffinity), with its threads set as its documentation says:
torch.set_num_threads, TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS,
OMP_NUM_THREADS / MKL_NUM_THREADS, and Weir's --threads. The machine is
shared and noisy: compare ratios from one run.

`make bench-peers` creates the virtual environment (bench/peers-setup.sh:
torch, tensorflow-cpu, keras, jax, optax from PyPI; benchmark tools, never
Weir's dependencies) and runs this script with its interpreter.

usage: bench/peers.py [--weir build/bin/weir] [--models mlp,cnn,resnet20]
                      [--peers torch,torch.compile,keras-jax,keras-tf,jax]
                      [--threads 2] [--batch 128] [--examples N]
                      [--json results.json]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import DATA, MAXRSS, ROOT, idx  # noqa: E402

# Examples per epoch by model: enough for a steady epoch on 2 cores with
# the slowest peer (about 0.5k CNN samples/s, 0.1k ResNet-20 samples/s).
EXAMPLES = {"mlp": 60000, "cnn": 12800, "resnet20": 2560}

COMMON = r"""
import json, os, sys, time, resource
import numpy as np
A = json.loads(sys.argv[1])
d = np.load(A["npz"])
x = d["x_train"]
if x.ndim == 3:
    x = x[..., None]                      # NHWC
x = x.astype(np.float32) / 255.0
y = d["y_train"].astype(np.int32)
B, MODEL, T = A["batch"], A["model"], A["threads"]
n = (len(x) // B) * B
x, y = x[:n], y[:n]
def report(epochs, version, first):
    # compile: the first step (tracing, compiling, its run) less a steady
    # step of the second epoch
    print("RESULT " + json.dumps(dict(
        rate=n / epochs[1], compile=max(0.0, first - epochs[1] * B / n),
        rss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        version=version)), flush=True)
"""

TORCH = COMMON + r"""
import torch
torch.set_num_threads(T)
torch.set_num_interop_threads(1)
nn = torch.nn
class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)
        self.proj = None
        if stride != 1 or cin != cout:
            self.proj = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01))
    def forward(self, h):
        r = torch.relu(self.b1(self.c1(h)))
        r = self.b2(self.c2(r))
        return torch.relu(r + (self.proj(h) if self.proj is not None else h))
def resnet20():
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16, eps=1e-3, momentum=0.01), nn.ReLU()]
    cin = 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            layers.append(Block(cin, cout, stride if i == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10)]
    return nn.Sequential(*layers)
if MODEL == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
elif MODEL == "cnn":
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
else:
    model = resnet20()
xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()   # NCHW
yt = torch.from_numpy(y.astype(np.int64))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
fwd = torch.compile(model) if A["compile"] else model
epochs = []
for e in range(2):
    t0 = time.perf_counter()
    perm = torch.randperm(n)
    for i in range(0, n, B):
        b = perm[i:i + B]
        opt.zero_grad(set_to_none=True)
        loss_fn(fwd(xt[b]), yt[b]).backward()
        opt.step()
        if e == 0 and i == 0:
            first = time.perf_counter() - t0
    epochs.append(time.perf_counter() - t0)
report(epochs, "torch " + torch.__version__, first)
"""

KERAS = COMMON + r"""
import keras
from keras import layers as L
def resnet20():
    inp = keras.Input((32, 32, 3))
    def conv(h, f, k, s=1):
        return L.Conv2D(f, k, strides=s, padding="same", use_bias=False,
                        kernel_initializer="he_normal")(h)
    def bn(h):
        return L.BatchNormalization()(h)
    h = L.ReLU()(bn(conv(inp, 16, 3)))
    for f, s in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            st = s if i == 0 else 1
            r = L.ReLU()(bn(conv(h, f, 3, st)))
            r = bn(conv(r, f, 3))
            if st != 1 or h.shape[-1] != f:
                h = bn(conv(h, f, 1, st))
            h = L.ReLU()(L.Add()([r, h]))
    h = L.GlobalAveragePooling2D()(h)
    return keras.Model(inp, L.Dense(10)(h))
if MODEL == "mlp":
    model = keras.Sequential([keras.Input((28, 28, 1)), L.Flatten(),
                              L.Dense(64, activation="relu"), L.Dense(10)])
elif MODEL == "cnn":
    model = keras.Sequential([keras.Input((28, 28, 1)),
                              L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                              L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2),
                              L.Flatten(), L.Dropout(0.5), L.Dense(10)])
else:
    model = resnet20()
model.compile(optimizer=keras.optimizers.Adam(1e-3),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              jit_compile=True)
class Clock(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()
    def on_train_batch_end(self, batch, logs=None):
        if not epochs and batch == 0 and not hasattr(self, "first"):
            self.first = time.perf_counter() - self.start
    def on_epoch_begin(self, epoch, logs=None):
        self.t0 = time.perf_counter()
    def on_epoch_end(self, epoch, logs=None):
        epochs.append(time.perf_counter() - self.t0)
epochs = []
clock = Clock()
model.fit(x, y, batch_size=B, epochs=2, shuffle=True, verbose=0, callbacks=[clock])
backend = keras.backend.backend()
mod = __import__("jax" if backend == "jax" else "tensorflow")
report(epochs, f"keras {keras.__version__} on {backend} {mod.__version__}", clock.first)
"""

JAX = COMMON + r"""
import jax, jax.numpy as jnp, optax
from jax import lax
rng = np.random.default_rng(0)
def he(shape, fan_in):
    return jnp.asarray(rng.normal(0, np.sqrt(2.0 / fan_in), shape), jnp.float32)
def dense_p(i, o):
    return {"w": he((i, o), i), "b": jnp.zeros(o)}
def conv_p(k, i, o, bias=True):
    p = {"w": he((k, k, i, o), k * k * i)}
    if bias:
        p["b"] = jnp.zeros(o)
    return p
def conv(p, h, stride=1, padding="VALID"):
    out = lax.conv_general_dilated(h, p["w"], (stride, stride), padding,
                                   dimension_numbers=("NHWC", "HWIO", "NHWC"))
    return out + p["b"] if "b" in p else out
def bn_p(c):
    return {"g": jnp.ones(c), "b": jnp.zeros(c)}
def bn(p, s, h):   # training mode: batch statistics, moving averages updated
    m = h.mean((0, 1, 2)); v = h.var((0, 1, 2))
    s = {"m": 0.99 * s["m"] + 0.01 * m, "v": 0.99 * s["v"] + 0.01 * v}
    return (h - m) * lax.rsqrt(v + 1e-3) * p["g"] + p["b"], s
def pool(h):
    return lax.reduce_window(h, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
params, state = {}, {}
if MODEL == "mlp":
    params = {"d1": dense_p(784, 64), "d2": dense_p(64, 10)}
    def forward(p, s, h, key):
        h = jax.nn.relu(h.reshape(h.shape[0], -1) @ p["d1"]["w"] + p["d1"]["b"])
        return h @ p["d2"]["w"] + p["d2"]["b"], s
elif MODEL == "cnn":
    params = {"c1": conv_p(3, 1, 32), "c2": conv_p(3, 32, 64), "d": dense_p(1600, 10)}
    def forward(p, s, h, key):
        h = pool(jax.nn.relu(conv(p["c1"], h)))
        h = pool(jax.nn.relu(conv(p["c2"], h)))
        h = h.reshape(h.shape[0], -1)
        keep = jax.random.bernoulli(key, 0.5, h.shape)
        h = jnp.where(keep, h * 2.0, 0.0)
        return h @ p["d"]["w"] + p["d"]["b"], s
else:
    blocks = []
    params = {"stem": conv_p(3, 3, 16, False), "stem_bn": bn_p(16)}
    cin = 16
    for f, st in ((16, 1), (32, 2), (64, 2)):
        for i in range(3):
            name = f"b{len(blocks)}"
            stride = st if i == 0 else 1
            params[name] = {"c1": conv_p(3, cin, f, False), "n1": bn_p(f),
                            "c2": conv_p(3, f, f, False), "n2": bn_p(f)}
            if stride != 1 or cin != f:
                params[name]["pc"] = conv_p(1, cin, f, False)
                params[name]["pn"] = bn_p(f)
            blocks.append((name, stride))
            cin = f
    params["head"] = dense_p(64, 10)
    state = {"stem_bn": {"m": jnp.zeros(16), "v": jnp.ones(16)}}
    for name, _ in blocks:
        state[name] = {k: {"m": jnp.zeros_like(v["g"]), "v": jnp.ones_like(v["g"])}
                       for k, v in params[name].items() if "g" in v}
    def forward(p, s, h, key):
        s = dict(s)
        h, s["stem_bn"] = bn(p["stem_bn"], s["stem_bn"], conv(p["stem"], h, 1, "SAME"))
        h = jax.nn.relu(h)
        for name, stride in blocks:
            q, t = p[name], dict(s[name])
            r, t["n1"] = bn(q["n1"], t["n1"], conv(q["c1"], h, stride, "SAME"))
            r, t["n2"] = bn(q["n2"], t["n2"], conv(q["c2"], jax.nn.relu(r), 1, "SAME"))
            if "pc" in q:
                h, t["pn"] = bn(q["pn"], t["pn"], conv(q["pc"], h, stride, "SAME"))
            h = jax.nn.relu(r + h)
            s[name] = t
        h = h.mean((1, 2))
        return h @ p["head"]["w"] + p["head"]["b"], s
opt = optax.adam(1e-3)
opt_state = opt.init(params)
def loss_fn(p, s, xb, yb, key):
    logits, s = forward(p, s, xb, key)
    return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean(), s
@jax.jit
def step(p, o, s, xb, yb, key):
    (loss, s), g = jax.value_and_grad(loss_fn, has_aux=True)(p, s, xb, yb, key)
    updates, o = opt.update(g, o, p)
    return optax.apply_updates(p, updates), o, s, loss
key = jax.random.PRNGKey(0)
epochs = []
for e in range(2):
    t0 = time.perf_counter()
    perm = rng.permutation(n)
    for i in range(0, n, B):
        b = perm[i:i + B]
        key, sub = jax.random.split(key)
        params, opt_state, state, loss = step(params, opt_state, state, x[b], y[b], sub)
        if e == 0 and i == 0:
            loss.block_until_ready()
            first = time.perf_counter() - t0
    loss.block_until_ready()
    epochs.append(time.perf_counter() - t0)
report(epochs, f"jax {jax.__version__}, optax {optax.__version__}", first)
"""

# The fp32 GEMM ceiling of the host: the fastest 2048^3 fp32 matmul of
# three libraries, each the best of 10, on the same pinned threads. They
# differ by 2x on some hosts (on AMD Zen 5, MKL inside torch and numpy's
# OpenBLAS reach half of what XLA's YNNPACK kernels do), so one library's
# GEMM is not the machine's ceiling.
GEMM = r"""
import json, sys, time
import numpy as np
T = int(sys.argv[1])
a = np.random.default_rng(0).random((2048, 2048), np.float32)
b = np.random.default_rng(1).random((2048, 2048), np.float32)
def gflops(f):
    f()
    best = min((lambda t0: (f(), time.perf_counter() - t0)[1])(time.perf_counter())
               for _ in range(10))
    return 2 * 2048 ** 3 / best / 1e9
out = {"numpy (OpenBLAS)": gflops(lambda: a @ b)}
import torch
torch.set_num_threads(T)
ta, tb = torch.from_numpy(a), torch.from_numpy(b)
out["torch (MKL)"] = gflops(lambda: ta @ tb)
import jax, jax.numpy as jnp
ja, jb = jnp.asarray(a), jnp.asarray(b)
mm = jax.jit(lambda x, y: x @ y)
out["jax (XLA)"] = gflops(lambda: mm(ja, jb).block_until_ready())
print(json.dumps(out))
"""

# Training FLOPs per sample (forward + backward), counted by hand from the
# layer shapes (multiply-adds x 2), not by any compiler: forward MACs F,
# the backward twice F less the input gradient of the first layer.
TRAIN_FLOPS = {
    # conv 26*26*32*9 + conv 11*11*64*9*32 + dense 1600*10 (MACs)
    "cnn": 2 * (194688 + 2230272 + 16000) + 4 * (2230272 + 16000) + 2 * 194688,
    # dense 784*64 + 64*10
    "mlp": 2 * (50176 + 640) + 4 * 640 + 2 * 50176,
    # 40.8M MACs forward (examples/resnet20.weir), backward about twice
    "resnet20": 3 * 2 * 40.8e6,
}

PEERS = {
    "torch": (TORCH, {"compile": False}, {}),
    "torch.compile": (TORCH, {"compile": True}, {}),
    "keras-jax": (KERAS, {}, {"KERAS_BACKEND": "jax"}),
    "keras-tf": (KERAS, {}, {"KERAS_BACKEND": "tensorflow"}),
    "jax": (JAX, {}, {}),
}


def pinned(threads):
    cores = sorted(os.sched_getaffinity(0))[:threads]
    return lambda: os.sched_setaffinity(0, cores)


def thread_env(threads):
    t = str(threads)
    return {"OMP_NUM_THREADS": t, "MKL_NUM_THREADS": t, "OPENBLAS_NUM_THREADS": t,
            "TF_NUM_INTRAOP_THREADS": t, "TF_NUM_INTEROP_THREADS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=true",
            "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": ""}


def run_peer(name, model, npz, batch, threads):
    script, extra, env = PEERS[name]
    a = dict(npz=npz, model=model, batch=batch, threads=threads, **extra)
    r = subprocess.run([sys.executable, "-c", script, json.dumps(a)],
                       capture_output=True, text=True, preexec_fn=pinned(threads),
                       env=dict(os.environ, **thread_env(threads), **env))
    for line in r.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (r.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": tail}


def run_weir(weir, model, npz, threads, workdir, batch=128):
    src = os.path.join(ROOT, "examples",
                       "resnet20.weir" if model == "resnet20" else f"fashion_{model}.weir")
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", MAXRSS, weir, "train", src,
                        "--data", npz, "--epochs", "2", "--no-validation",
                        "--threads", str(threads), "--batch-size", str(batch),
                        "--verbose",
                        "-o", os.path.join(workdir, "w.safetensors")],
                       capture_output=True, text=True, preexec_fn=pinned(threads))
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["failed"])[-1]}
    epochs = re.findall(r"([0-9.]+)([kM]?) samples/s\s+([0-9.]+) s", r.stdout)
    rate = float(epochs[-1][0]) * {"": 1, "k": 1e3, "M": 1e6}[epochs[-1][1]]
    host = re.search(r"on the CPU \((.*)\)", r.stderr)
    return {"rate": rate, "rss": int(r.stdout.strip().splitlines()[-1]) / 1024,
            "compile": wall - sum(float(e[2]) for e in epochs),
            "host": host.group(1) if host else "unknown",
            "version": weir_version()}


def weir_version():
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip()
    return f"weir {rev or 'unknown'}"


def cpu():
    """The CPU's name (with its family and model: virtual machines often
    say only "AMD EPYC") and the vector extensions that matter here."""
    info, flags = {}, set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "cpu family", "model") and key not in info:
                info[key] = value.strip()
            if key == "flags":
                flags = set(value.split())
    model = (f"{info.get('model name', 'unknown')} (family {info.get('cpu family', '?')}, "
             f"model {info.get('model', '?')})")
    wanted = ["avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "amx_tile"]
    return model, " ".join(f for f in wanted if f in flags)


def dataset(tmp, model, examples):
    """The .npz `model` trains on: Fashion-MNIST's first images for the MLP
    and the CNN, random CIFAR-shaped ones for ResNet-20."""
    if model == "resnet20":
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (examples, 32, 32, 3), dtype=np.uint8)
        y = rng.integers(0, 10, examples, dtype=np.uint8)
    else:
        if not os.path.isdir(DATA):
            sys.exit(f"peers.py: no {DATA}: apt-get install dataset-fashion-mnist "
                     "(make bench-peers does)")
        x = idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))[:examples]
        y = idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))[:examples]
    path = os.path.join(tmp, f"{model}.npz")
    np.savez(path, x_train=x, y_train=y, x_test=x[:256], y_test=y[:256])
    return path


def fmt_rate(r):
    return f"{r / 1e3:.1f}k" if r >= 1e3 else f"{r:.0f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--weir", default=os.path.join(ROOT, "build/bin/weir"))
    p.add_argument("--models", default="mlp,cnn,resnet20")
    p.add_argument("--peers", default=",".join(PEERS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--examples", type=int, default=0,
                   help="examples per epoch (0: per model, %s)" % EXAMPLES)
    p.add_argument("--json", help="write every result here")
    p.add_argument("--sweep", action="store_true",
                   help="samples/s against batch size (32-1024) and threads "
                        "(1, 2) instead of the table, for Weir and --sweep-peers")
    p.add_argument("--sweep-peers", default="torch,jax")
    p.add_argument("--plot", help="with --sweep: draw the curves into this PNG")
    p.add_argument("--replot", metavar="JSON",
                   help="draw --plot from a --sweep run's --json, running nothing")
    args = p.parse_args()
    if args.replot:
        with open(args.replot) as f:
            saved = json.load(f)
        models = list(dict.fromkeys(k.split("/")[0] for k in saved["curves"]))
        return plot(saved["curves"], models, f"{saved['cpu']}, {saved['flags']}",
                    args.plot)
    if args.sweep:
        return sweep(args)
    model_name, flags = cpu()
    print(f"# CPU: {model_name}; {os.cpu_count()} logical CPUs; flags: {flags}")
    print(f"# batch {args.batch}, Adam 1e-3, {args.threads} threads pinned, "
          "second epoch of 2 timed; compile = first step - a steady one (Weir: process - epochs)")
    gemm = subprocess.run([sys.executable, "-c", GEMM, str(args.threads)],
                          capture_output=True, text=True, preexec_fn=pinned(args.threads),
                          env=dict(os.environ, **thread_env(args.threads)))
    gemms = json.loads(gemm.stdout.strip().splitlines()[-1]) if gemm.returncode == 0 else {}
    ceiling = max(gemms.values()) if gemms else None
    if ceiling:
        print(f"# fp32 GEMM ceiling (fastest 2048^3 matmul, {args.threads} threads): "
              f"{ceiling:.0f} GFLOP/s; "
              + ", ".join(f"{k} {v:.0f}" for k, v in gemms.items()))
    results = {"gemm_gflops": ceiling, "gemms": gemms}
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models.split(","):
            data = dataset(tmp, model, args.examples or EXAMPLES[model])
            row = {"weir": run_weir(args.weir, model, data, args.threads, tmp,
                                    args.batch)}
            for peer in args.peers.split(","):
                row[peer] = run_peer(peer, model, data, args.batch, args.threads)
            results[model] = row
            ok = {k: v for k, v in row.items() if "rate" in v and k != "weir"}
            best = max(ok, key=lambda k: ok[k]["rate"]) if ok else None
            print(f"\n## {model} ({np.load(data)['x_train'].shape[0]} examples per epoch)")
            print("| | samples/s | vs best peer | compile | peak RSS | version |")
            print("|---|---|---|---|---|---|")
            for name, v in row.items():
                if "error" in v:
                    print(f"| {name} | failed: {v['error'][:80]} | | | | |")
                    continue
                ratio = f"{v['rate'] / ok[best]['rate']:.2f}x" if best else ""
                print(f"| {name} | {fmt_rate(v['rate'])} | {ratio} | "
                      f"{v['compile']:.1f} s | {v['rss']:.0f} MiB | {v['version']} |")
            if "host" in row["weir"]:
                gf = row["weir"]["rate"] * TRAIN_FLOPS[model] / 1e9
                share = f", {100 * gf / ceiling:.0f}% of the GEMM ceiling" if ceiling else ""
                print(f"\nweir host code: {row['weir']['host']}; best peer: {best}; "
                      f"weir {TRAIN_FLOPS[model] / 1e6:.1f} MFLOP/sample, "
                      f"{gf:.0f} GFLOP/s{share}")
            sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": model_name, "flags": flags, "threads": args.threads,
                       "results": results}, f, indent=1)


BATCHES = (32, 64, 128, 256, 512, 1024)


def sweep(args):
    """Samples/s against batch size and threads, one run per point; the
    same examples per epoch at every batch size (a whole number of the
    largest batch)."""
    model_name, flags = cpu()
    print(f"# CPU: {model_name}; {os.cpu_count()} logical CPUs; flags: {flags}")
    threads = [t for t in (1, 2) if t <= len(os.sched_getaffinity(0))]
    peers = [p for p in args.sweep_peers.split(",") if p]
    curves = {}
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {"mlp": 30720, "cnn": 6144, "resnet20": 2048}
        if args.examples:
            sizes = {k: args.examples for k in sizes}
        for model in args.models.split(","):
            data = dataset(tmp, model, sizes[model])
            for t in threads:
                for who in ["weir"] + peers:
                    points = []
                    for b in BATCHES:
                        r = (run_weir(args.weir, model, data, t, tmp, b)
                             if who == "weir" else run_peer(who, model, data, b, t))
                        rate = r.get("rate")
                        points.append(rate)
                        print(f"{model} {who} threads={t} batch={b}: "
                              + (f"{fmt_rate(rate)} samples/s" if rate
                                 else f"failed: {r.get('error', '')[:80]}"),
                              flush=True)
                    curves[f"{model}/{who}/{t}"] = points
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": model_name, "flags": flags, "batches": BATCHES,
                       "curves": curves}, f, indent=1)
    if args.plot:
        plot(curves, args.models.split(","), f"{model_name}, {flags}", args.plot)


def plot(curves, models, title, path):
    """Samples/s against batch size, one panel per model, a line per
    contender and thread count (dashed: 1 thread)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(models), figsize=(5 * len(models), 4))
    axes = [axes] if len(models) == 1 else axes
    names = list(dict.fromkeys(k.split("/")[1] for k in curves))
    colors = {n: f"C{i}" for i, n in enumerate(names)}
    for ax, model in zip(axes, models):
        for key, points in curves.items():
            m, who, t = key.split("/")
            if m != model:
                continue
            xs = [b for b, v in zip(BATCHES, points) if v]
            ys = [v for v in points if v]
            ax.plot(xs, ys, marker="o", linestyle="-" if t == "2" else "--",
                    color=colors[who],
                    label=f"{who}, {t} thread{'s' if t != '1' else ''}")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("batch size")
        ax.set_ylabel("training samples/s")
        ax.set_title(model)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=90)

if __name__ == "__main__":
    main()

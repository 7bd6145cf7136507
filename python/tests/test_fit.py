"""fit, evaluate and predict from Python, checked against numpy: the
forward pass and one SGD step recomputed by hand, the loss and accuracy
recomputed from predict's outputs, and the weights `weir train` writes for
the same seed and data."""
import json
import os
import signal
import subprocess
import tempfile
import threading
import unittest

import numpy as np

import weir

MLP = """\
model m(x: f32[4]) {
  h = dense(x, 8, activation: relu)
  return dense(h, 3, activation: softmax)
}
train m {
  loss: sparse_categorical_crossentropy
  optimizer: sgd(learning_rate: 0.1)
  metrics: [accuracy]
  epochs: 3
  batch_size: 16
  validate: test
}
"""


def blobs(n, seed):
    """Three separable classes in 4 dimensions."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n).astype(np.int32)
    centers = np.array([[2, 0, 0, 1], [0, 2, 0, -1], [0, 0, 2, 0]], np.float32)
    x = centers[y] + rng.normal(0, 0.5, (n, 4)).astype(np.float32)
    return x, y


def forward(weights, x):
    """The MLP in numpy, float64: relu(x W1 + b1) W2 + b2, softmax."""
    w1, b1, w2, b2 = [np.asarray(w, np.float64) for w in weights]
    h = np.maximum(x @ w1 + b1, 0)
    z = h @ w2 + b2
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True), h


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        assert t["dtype"] == "F32", t
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[a:b], np.float32).reshape(t["shape"])
    return out


class FitTest(unittest.TestCase):
    def setUp(self):
        self.x, self.y = blobs(256, 1)
        self.xv, self.yv = blobs(64, 2)

    def test_predict_matches_numpy_forward(self):
        m = weir.compile(source=MLP, seed=3, threads=1)
        names = list(m.weights)
        self.assertEqual(names, ["dense.kernel", "dense.bias",
                                 "dense_1.kernel", "dense_1.bias"])
        probs = m.predict(self.x)
        self.assertEqual(probs.shape, (256, 3))
        self.assertEqual(probs.dtype, np.float32)
        ref, _ = forward(m.get_weights(), self.x)
        np.testing.assert_allclose(probs, ref, rtol=1e-5, atol=1e-6)

    def test_one_sgd_step_matches_numpy_gradient(self):
        # One batch holding every example: the order does not matter.
        m = weir.compile(source=MLP, seed=5, threads=1)
        before = m.get_weights()
        m.fit(self.x, self.y, epochs=1, batch_size=len(self.x), verbose=0)
        after = m.get_weights()
        w1, b1, w2, b2 = [np.asarray(w, np.float64) for w in before]
        p, h = forward(before, self.x)
        n = len(self.x)
        dz = p.copy()
        dz[np.arange(n), self.y] -= 1
        dz /= n
        g_w2, g_b2 = h.T @ dz, dz.sum(0)
        dh = (dz @ w2.T) * (h > 0)
        g_w1, g_b1 = self.x.T @ dh, dh.sum(0)
        for old, new, g in zip(before, after, [g_w1, g_b1, g_w2, g_b2]):
            np.testing.assert_allclose(new, old - 0.1 * g, rtol=1e-4, atol=1e-6)

    def test_history_and_evaluate(self):
        m = weir.compile(source=MLP, seed=3, threads=2)
        seen = []
        h = m.fit(self.x, self.y, epochs=4, verbose=0,
                  validation_data=(self.xv, self.yv),
                  callbacks=[lambda epoch, logs: seen.append((epoch, dict(logs)))])
        self.assertEqual(h.epoch, [0, 1, 2, 3])
        self.assertEqual(sorted(h.history),
                         ["accuracy", "loss", "val_accuracy", "val_loss"])
        self.assertEqual([e for e, _ in seen], [0, 1, 2, 3])
        self.assertEqual([logs["val_loss"] for _, logs in seen],
                         h.history["val_loss"])
        self.assertLess(h.history["loss"][-1], h.history["loss"][0])
        # evaluate against the loss and accuracy of predict's outputs.
        loss, acc = m.evaluate(self.xv, self.yv)
        p = m.predict(self.xv).astype(np.float64)
        self.assertAlmostEqual(loss, -np.log(p[np.arange(64), self.yv]).mean(),
                               places=5)
        self.assertAlmostEqual(acc, (p.argmax(1) == self.yv).mean(), places=6)
        # The last epoch's validation is the same evaluation.
        self.assertAlmostEqual(h.history["val_loss"][-1], loss, places=5)
        self.assertEqual(m.evaluate(self.xv, self.yv, return_dict=True),
                         {"loss": loss, "accuracy": acc})

    def test_fit_again_continues(self):
        # Two fits of one epoch are one fit of two: with one batch holding
        # every example, Adam's moments and its step count (bias
        # correction) carry over from the first fit. (Only the order of
        # the examples in the batch differs, by epoch: rounding.) Starting
        # the count again would change the second update by about half.
        adam = MLP.replace("sgd(learning_rate: 0.1)", "adam(learning_rate: 0.01)")
        once = weir.compile(source=adam, seed=3, threads=1)
        h = once.fit(self.x, self.y, epochs=2, batch_size=256, verbose=0)
        twice = weir.compile(source=adam, seed=3, threads=1)
        first = twice.fit(self.x, self.y, epochs=1, batch_size=256, verbose=0)
        second = twice.fit(self.x, self.y, epochs=1, batch_size=256, verbose=0)
        np.testing.assert_allclose(
            first.history["loss"] + second.history["loss"], h.history["loss"],
            rtol=1e-6)
        for a, b in zip(once.get_weights(), twice.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)

    def test_validation_split(self):
        m = weir.compile(source=MLP, seed=3, threads=1)
        h = m.fit(self.x, self.y, epochs=1, verbose=0, validation_split=0.25)
        ref = weir.compile(source=MLP, seed=3, threads=1)
        loss, _ = (ref.fit(self.x[:192], self.y[:192], epochs=1, verbose=0),
                   None)
        self.assertEqual(h.history["loss"], loss.history["loss"])
        self.assertAlmostEqual(h.history["val_loss"][0],
                               ref.evaluate(self.x[192:], self.y[192:])[0],
                               places=6)

    def test_non_contiguous_and_other_dtypes(self):
        m = weir.compile(source=MLP, seed=3, threads=1)
        wide = np.repeat(self.x, 2, axis=1)[:, ::2]  # a strided view
        self.assertFalse(wide.flags.c_contiguous)
        np.testing.assert_array_equal(m.predict(wide), m.predict(self.x))
        np.testing.assert_array_equal(m.predict(self.x.astype(np.float64)),
                                      m.predict(self.x))
        # Read-only arrays (np.frombuffer, memory maps) are read in place.
        frozen = np.frombuffer(self.x.tobytes(), np.float32).reshape(self.x.shape)
        self.assertFalse(frozen.flags.writeable)
        np.testing.assert_array_equal(m.predict(frozen), m.predict(self.x))
        labels = np.frombuffer(self.y.tobytes(), np.int32)
        m.fit(frozen, labels, epochs=1, verbose=0)
        # int64 labels and a list of lists work as np.asarray makes them.
        a = weir.compile(source=MLP, seed=3, threads=1)
        b = weir.compile(source=MLP, seed=3, threads=1)
        ha = a.fit(self.x, self.y, epochs=1, verbose=0)
        hb = b.fit(self.x.tolist(), self.y.astype(np.int64), epochs=1, verbose=0)
        self.assertEqual(ha.history, hb.history)

    def test_same_weights_as_the_cli(self):
        weir_bin = os.path.join(os.environ["WEIR_BUILD_DIR"], "bin", "weir")
        with tempfile.TemporaryDirectory() as d:
            model = os.path.join(d, "m.weir")
            with open(model, "w") as f:
                f.write(MLP)
            np.savez(os.path.join(d, "d.npz"), x_train=self.x, y_train=self.y,
                     x_test=self.xv, y_test=self.yv)
            out = os.path.join(d, "w.safetensors")
            subprocess.run([weir_bin, "train", model, "--data",
                            os.path.join(d, "d.npz"), "--seed", "11",
                            "--threads", "2", "--epochs", "2", "-o", out],
                           check=True, stdout=subprocess.DEVNULL)
            cli = read_safetensors(out)
            m = weir.compile(model, seed=11, threads=2)
            h = m.fit(self.x, self.y, epochs=2, verbose=0,
                      validation_data=(self.xv, self.yv))
            for name, w in m.weights.items():
                np.testing.assert_array_equal(w, cli[name], err_msg=name)
            # And the file save_weights writes reads back the same.
            mine = os.path.join(d, "mine.safetensors")
            m.save_weights(mine)
            for name, w in read_safetensors(mine).items():
                np.testing.assert_array_equal(w, cli[name], err_msg=name)
            again = weir.compile(model, weights=mine, threads=2)
            self.assertEqual(again.evaluate(self.xv, self.yv)[0],
                             h.history["val_loss"][-1])

    def test_callback_error_stops_training(self):
        m = weir.compile(source=MLP, seed=3, threads=1)
        epochs = []

        def boom(epoch, logs):
            epochs.append(epoch)
            if epoch == 1:
                raise ZeroDivisionError("from the callback")
        with self.assertRaises(ZeroDivisionError):
            m.fit(self.x, self.y, epochs=10, verbose=0, callbacks=[boom])
        self.assertEqual(epochs, [0, 1])

    def test_ctrl_c_interrupts(self):
        m = weir.compile(source=MLP, seed=3, threads=1)
        timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        try:
            with self.assertRaises(KeyboardInterrupt):
                m.fit(self.x, self.y, epochs=1000000, batch_size=1, verbose=0)
        finally:
            timer.cancel()
        # The model still works, and kept its updates.
        self.assertEqual(m.predict(self.x).shape, (256, 3))

    def test_verbose_prints_epoch_lines(self):
        import contextlib
        import io
        m = weir.compile(source=MLP, seed=3, threads=1)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            m.fit(self.x, self.y, epochs=2, verbose=1)
        lines = out.getvalue().splitlines()
        self.assertEqual(len(lines), 2, lines)
        self.assertTrue(lines[0].startswith("epoch 1/2  loss "), lines[0])


if __name__ == "__main__":
    unittest.main()
